/**
 * Builds the HTTP API: authentication by API key and scope, correlation ids, problem+json
 * errors, the OpenAPI document generated from the same schemas that validate requests, and the
 * routes of each resource (one file each under routes/).
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import type { ApiKeys, Scope } from './api-keys.js';
import { HttpProblem, sendProblem } from './problem.js';
import { typeboxValidatorCompiler } from './validation.js';
import type { HubMetrics } from './metrics.js';
import { registerEventRoutes } from './routes/events.js';
import { registerAvailabilityRoutes } from './routes/availability.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerOperationsRoutes } from './routes/operations.js';
import type { InventoryState } from '../../app/inventory-state.js';
import type { EventIngest } from '../../app/ingest-events.js';
import type { InventoryStore } from '../../ports/inventory-store.js';
import type { Clock } from '../../ports/clock.js';

declare module 'fastify' {
  interface FastifyContextConfig { scope?: Scope }
}

export interface HttpDeps {
  state: InventoryState;
  store: InventoryStore;
  clock: Clock;
  ingest: EventIngest;
  apiKeys: ApiKeys;
  metrics: HubMetrics;
  /** false while starting or shutting down: /healthz answers 503. */
  ready: () => boolean;
  logger?: FastifyServerOptions['logger'];
}

const CORRELATION_ID = /^[\x21-\x7e]{1,200}$/;

export async function buildHttpApi(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 64 * 1024 * 1024,
    requestIdLogLabel: 'correlationId',
    genReqId: (req) => {
      const sent = req.headers['x-correlation-id'];
      return typeof sent === 'string' && CORRELATION_ID.test(sent) ? sent : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Crossdock hub API', version: '1', description: 'Inventory events, channel availability, master data and operations. See CONTRACT.md for the guarantees.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key with the scope the route names.' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    const header = request.headers.authorization;
    const key = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!key) throw new HttpProblem(401, 'unauthenticated', 'Unauthenticated', 'Send an API key as "Authorization: Bearer <key>".');
    const grant = deps.apiKeys.find(key);
    if (!grant) throw new HttpProblem(401, 'unauthenticated', 'Unauthenticated', 'The API key is not known to this hub.');
    if (!grant.scopes.has(scope)) {
      throw new HttpProblem(403, 'forbidden', 'Forbidden', `The API key '${grant.name}' lacks the scope '${scope}' this route needs.`, { requiredScope: scope });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpSeconds.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((err, request, reply) => sendProblem(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new HttpProblem(404, 'no_route', 'Not found', `No route ${request.method} ${request.url}; GET /openapi.json lists them.`)));

  registerOperationsRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerAvailabilityRoutes(app, deps);
  registerCatalogRoutes(app, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
