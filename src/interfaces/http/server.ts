/**
 * Builds the HTTP API: authentication by API key and scope, correlation ids, problem+json
 * errors, the OpenAPI document generated from the same schemas that validate requests, and the
 * routes of each resource (one file each under routes/).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createServer } from 'node:http';
import { lookupFastPath } from './lookup-fast-path.js';
import { correlationIdOf, correlationScope } from './correlation-id.js';
import type { Scope } from '../../model/scopes.js';
import type { KeyGrant } from '../../domain/access/key-grant.js';
import { authorize, limitRequests, RequestGate } from './authorize.js';
import { HttpProblem, sendProblem } from './problem.js';
import { typeboxValidatorCompiler } from './validation.js';
import { limitConnections, shedLoad, timeoutCheckMs } from './connection-limits.js';
import { securityHeaders } from './security-headers.js';
import { registerEventRoutes } from './routes/events.js';
import { registerAvailabilityRoutes } from './routes/availability.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerOperationsRoutes } from './routes/operations.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerOrderExceptionRoutes, registerOrderRoutes } from './routes/orders.js';
import { registerDeliveryRoutes } from './routes/deliveries.js';
import { registerHookRoutes } from './routes/hooks.js';
import { registerCrossReferenceRoutes } from './routes/cross-references.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerExceptionRoutes } from './routes/exceptions.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerSlaRoutes } from './routes/sla.js';
import { recordWrites } from './audit-hook.js';
import { refuseInvalidUtf8 } from './utf8-body.js';
import { registerConsoleRoutes } from './routes/console.js';
import { DashboardFigures } from './console-figures.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: Scope;
    /** The route applies a key's channel binding itself (authorize.ts); other routes refuse keys bound to channels. */
    channelScoped?: boolean;
    /** The route applies a key's system binding itself; other routes refuse keys bound to systems. */
    systemScoped?: boolean;
  }
  /** The name of the API key that authenticated the request, for the write log. */
  interface FastifyRequest {
    apiKeyName: string | null;
    /** What the request's API key grants (null on routes without a scope). */
    grant: KeyGrant | null;
  }
}

export type { HttpDeps, InboundServices, OrderExceptionReads } from './http-deps.js';
import type { HttpDeps } from './http-deps.js';

type AsyncHandler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const asList = <T>(h: T | T[] | undefined): T[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

/** Wraps a route handler so that its answer carries the correlation header, whatever it returns. */
function withCorrelationHeader(handler: AsyncHandler): AsyncHandler {
  return async function (request, reply) {
    reply.header('x-correlation-id', request.id);
    return handler.call(this, request, reply);
  };
}

/** Routes needing only a read scope are reads even when POSTed (batch lookups): counted, not logged. */
const READ_SCOPES: ReadonlySet<string> = new Set(['availability:read', 'orders:read']);

/** The longest path parameter as sent (percent-encoded) that routes take. */
export const MAX_PARAM_LENGTH = 200 * 9;

export async function buildHttpApi(deps: HttpDeps): Promise<FastifyInstance> {
  const gate = new RequestGate(deps.apiKeys, deps.auth);
  const fastLookup = lookupFastPath({ state: deps.state, clock: deps.clock, gate, metrics: deps.metrics });
  let closing = false;
  const app = Fastify({
    // Plain single lookups are answered before Fastify's pipeline (see lookup-fast-path.ts);
    // while closing, every request goes to Fastify, which refuses new work.
    serverFactory: (handler) => {
      const server = createServer({ connectionsCheckingInterval: timeoutCheckMs(deps.limits) }, (req, res) => {
        if (closing || !fastLookup(req, res)) handler(req, res);
      });
      limitConnections(server, deps.limits);
      return server;
    },
    // The hub logs itself (see onResponse and sendProblem) rather than through Fastify's request
    // loggers: a pino child per request cost more than a whole availability lookup here.
    logger: false,
    bodyLimit: deps.limits.bodyLimitBytes,
    // Identifiers are up to 200 UTF-16 units, each up to 9 characters percent-encoded in a path
    // (Fastify's default of 100 answered 414 for items the hub had accepted); exception groups
    // name their root cause in the path too.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: (req) => correlationIdOf(req.headers['x-correlation-id']),
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  refuseInvalidUtf8(app);
  // Closing waits for requests in flight; a keep-alive connection that goes idle after close began
  // would otherwise hold the process for the whole keep-alive timeout (72 s), so a rolling restart
  // under load would take that long per process. Idle connections are closed as they appear.
  let sweeping: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    closing = true;
    sweeping = setInterval(() => app.server.closeIdleConnections(), 100);
    done();
  });
  app.addHook('onClose', (_app, done) => {
    clearInterval(sweeping);
    done();
  });
  // Declared up front so every request object keeps one shape (V8 optimises for it).
  app.decorateRequest('apiKeyName', null);
  app.decorateRequest('grant', null);
  app.decorateRequest('rawPayload', null);

  // Each route is instrumented once, as it is registered: its auth hook has the scope bound (and
  // the OpenAPI document names it, for clients and for test/route-authorization.test.ts) and its
  // answers carry the correlation header.
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (scope) {
      const binding = { channelScoped: route.config?.channelScoped === true, systemScoped: route.config?.systemScoped === true };
      route.onRequest = [...asList(route.onRequest), authorize(gate, scope, binding, route.url)];
      route.schema = {
        ...route.schema,
        'x-scope': scope,
        'x-channel-scoped': binding.channelScoped,
        'x-system-scoped': binding.systemScoped,
      } as typeof route.schema;
    }
    if (route.handler.constructor.name === 'AsyncFunction') {
      route.handler = withCorrelationHeader(route.handler as AsyncHandler);
    } else {
      // Plugin routes that answer through callbacks (the docs' static files).
      route.onRequest = [
        (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
          reply.header('x-correlation-id', request.id);
          done();
        },
        ...asList(route.onRequest),
      ];
    }
  });
  // Latency is taken once the answer has gone out, for every route and for requests no route
  // matched; Fastify times a request only when an onResponse hook exists. Writes are also
  // logged, at debug, each with its correlation id (refusals are logged where the problem is sent).
  app.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    deps.metrics.observeHttp(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, seconds);
    if (request.method !== 'GET' && reply.statusCode < 400 && !READ_SCOPES.has(request.routeOptions.config?.scope ?? '')) {
      deps.log.debug(
        {
          correlationId: request.id,
          key: request.apiKeyName,
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(seconds * 10000) / 10,
        },
        'request',
      );
    }
    done();
  });

  // Everything a request runs, down to its log lines, knows its correlation id.
  app.addHook('onRequest', (request, _reply, done) => correlationScope.run(request.id, done));
  // First, so that every answer through Fastify carries them, shed and refused ones included.
  await securityHeaders(app);
  await shedLoad(app, deps.limits);
  await limitRequests(app, gate);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Crossdock hub API',
        version: '1',
        description:
          'Inventory and order events, channel availability, order capture and lifecycle, master data and operations. docs/REFERENCE.md in the repository states the guarantees.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key with the scope the route names.' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err, request, reply) => {
    reply.header('x-correlation-id', request.id);
    return sendProblem(deps.log, request, reply, err);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.header('x-correlation-id', request.id);
    return sendProblem(
      deps.log,
      request,
      reply,
      new HttpProblem(404, 'no_route', 'Not found', `No route ${request.method} ${request.url}; GET /openapi.json lists them.`),
    );
  });

  if (deps.audit) recordWrites(app, { recorder: deps.audit, masterData: masterDataReaders(deps), clock: deps.clock });
  registerOperationsRoutes(app, { ...deps, gate });
  if (deps.keys) registerKeyRoutes(app, deps.keys);
  registerEventRoutes(app, deps);
  registerAvailabilityRoutes(app, deps);
  registerCatalogRoutes(app, deps);
  registerDeliveryRoutes(app, deps);
  registerCustomerRoutes(app, deps.customers);
  if (deps.orders) registerOrderRoutes(app, deps.orders);
  if (deps.orderExceptions) registerOrderExceptionRoutes(app, deps.orderExceptions);
  if (deps.inbound) registerHookRoutes(app, deps.inbound);
  registerCrossReferenceRoutes(app, deps.xrefs);
  if (deps.exceptions) registerExceptionRoutes(app, deps.exceptions);
  if (deps.audit) registerAuditRoutes(app, deps.audit);
  if (deps.sla && deps.exceptions) registerSlaRoutes(app, deps.sla, deps.exceptions);
  const figures = new DashboardFigures(deps);
  app.addHook('onClose', (_app, done) => {
    figures.stop();
    done();
  });
  await registerConsoleRoutes(app, { gate, figures });
  // Say plainly that the backend lacks them, rather than that the routes do not exist.
  const missing = [
    ...(deps.orders ? [] : ['/v1/orders', '/v1/outbox']),
    ...(deps.orderExceptions ? [] : ['/v1/order-exceptions']),
    ...(deps.inbound ? [] : ['/v1/inbound', '/hooks']),
    ...(deps.exceptions ? [] : ['/v1/exceptions', '/v1/exception-groups']),
    ...(deps.audit ? [] : ['/v1/audit']),
    ...(deps.sla && deps.exceptions ? [] : ['/v1/sla']),
  ];
  for (const prefix of missing) {
    for (const url of [prefix, `${prefix}/*`]) {
      app.all(url, { schema: { hide: true } }, async () => {
        throw new HttpProblem(
          501,
          'not_on_this_backend',
          'Not available on this backend',
          `${prefix} is not served by this hub process: it was started without the services behind it.`,
        );
      });
    }
  }
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** Master data and configuration whose audit entries carry what they were before (and after). */
function masterDataReaders(deps: HttpDeps) {
  return {
    'PUT /v1/locations/:id': { kind: 'location', param: 'id', read: (id: string) => deps.state.book.locations.get(id) },
    'PUT /v1/channels/:id': { kind: 'channel', param: 'id', read: (id: string) => deps.state.book.channels.get(id) },
    'PUT /v1/items/:sku': { kind: 'item', param: 'sku', read: (sku: string) => deps.state.items.get(sku) ?? undefined },
    'PUT /v1/customers/:id': { kind: 'customer', param: 'id', read: (id: string) => deps.customers.customers.customer(id) },
  };
}
