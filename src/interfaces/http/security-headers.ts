/**
 * Security headers on every answer that goes through Fastify (the docs UI, problem answers, the
 * API's JSON), from helmet. The Content-Security-Policy is the strictest the docs UI
 * (/docs, Swagger UI) runs under: it loads its scripts, styles and images from the hub itself
 * and fetches the OpenAPI document from it, and it has no inline script or style. No frame may
 * embed the hub (clickjacking). HSTS is left to whatever terminates TLS in front of the hub: the
 * hub itself speaks plain HTTP, and `upgrade-insecure-requests` would send a browser on
 * http://127.0.0.1 to an https that is not there.
 *
 * helmet is used directly, its middleware built once: the Fastify plugin rebuilt it (parsing the
 * policy again) on every request, about 5% of the CPU of an order capture.
 */
import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  upgradeInsecureRequests: null,
};

export async function securityHeaders(app: FastifyInstance): Promise<void> {
  const apply = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    // The docs UI fetches nothing from other origins; other origins' pages may not read the hub's answers either.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    apply(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
}
