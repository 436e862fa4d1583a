/**
 * What the operations console needs beyond the API it calls like any client: the files of the
 * built app at /console/ (same origin, so it calls the API with no CORS and the hub's
 * Content-Security-Policy holds), who the signed-in key is (its scopes decide what the console
 * offers), and the dashboard's live figures as server-sent events.
 *
 * The stream is read with fetch, not EventSource: EventSource cannot send an Authorization header,
 * and the alternatives (the key or a token in the URL, a cookie) would put a credential where
 * logs and proxies keep it, or make the hub accept ambient credentials open to cross-site requests.
 */
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerKey, type RequestGate } from '../authorize.js';
import { HttpProblem } from '../problem.js';
import type { DashboardFigures } from '../console-figures.js';

/** Where `npm run build` puts the built console (dist/console; this file runs from dist/src/interfaces/http/routes). */
export const CONSOLE_ROOT = fileURLToPath(new URL('../../../../console/', import.meta.url));

export async function registerConsoleRoutes(app: FastifyInstance, deps: { gate: RequestGate; figures: DashboardFigures; root?: string }): Promise<void> {
  const root = deps.root ?? CONSOLE_ROOT;
  if (existsSync(root)) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/console/',
      wildcard: true,
      index: 'index.html',
      redirect: true,
      // Built file names carry their content hash: they never change. The page itself may.
      setHeaders: (res, path) => {
        res.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    app.get('/console/*', { schema: { hide: true } }, async () => {
      throw new HttpProblem(503, 'console_not_built', 'Console not built', 'The console was not built in this installation: run `npm run build`.');
    });
  }
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));

  // Open streams never go idle: closing the hub ends them, or it would wait on them for ever.
  const streams = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of streams) end();
    done();
  });

  // Any valid key may ask who it is: the console hides what the key's scopes do not allow.
  app.get('/v1/console/session', { onRequest: authenticated(deps.gate), schema: { hide: true } }, async (request) => {
    const grant = request.grant!;
    return {
      name: grant.name,
      scopes: [...grant.scopes],
      ...(grant.channels ? { channels: [...grant.channels] } : {}),
      ...(grant.expiresAt !== undefined ? { expiresAt: new Date(grant.expiresAt).toISOString() } : {}),
    };
  });

  app.get(
    '/v1/console/stream',
    {
      config: { scope: 'metrics' },
      schema: {
        tags: ['operations'],
        summary: "The console dashboard's figures as server-sent events, one `sample` event a second",
        description:
          "Each event's data is JSON: `at`, `position`, `eventsPerSecond`, `ordersPerSecond`, `destinations` (`destination`, `circuit`, `backlog`, `lagSeconds`, `deadLetters`, `lastSuccessAt`) and `openExceptionsByOwner`. Read it with fetch and an Authorization header.",
      },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-correlation-id': request.id,
        // Keep proxies such as nginx from holding events back.
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const unsubscribe = deps.figures.subscribe((sample) => {
        res.write(`event: sample\ndata: ${JSON.stringify(sample)}\n\n`);
      });
      // A comment now and then keeps idle connections from being cut by proxies.
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      const end = () => {
        if (!streams.delete(end)) return;
        clearInterval(keepAlive);
        unsubscribe();
        res.end();
      };
      streams.add(end);
      request.raw.once('close', end);
    },
  );
}

/** Admits any valid key, counting failures like the scoped routes do (authorize.ts). */
function authenticated(gate: RequestGate) {
  return (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const wait = gate.lockedFor(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return done(new HttpProblem(429, 'too_many_failed_authentications', 'Too many requests', `Too many failed authentications; retry in ${wait} s.`));
    }
    const key = bearerKey(request.headers.authorization);
    const grant = key === undefined ? undefined : gate.apiKeys.find(key);
    if (!grant) {
      gate.authenticationFailed(request.ip);
      return done(new HttpProblem(401, 'unauthenticated', 'Unauthenticated', 'The API key is not known to this hub, or was revoked, or has expired.'));
    }
    request.apiKeyName = grant.name;
    request.grant = grant;
    done();
  };
}
