/**
 * Operational routes: health (no API key: load balancers call it) and Prometheus metrics (a key
 * with the `metrics` or `admin` scope, unless the configuration's auth.metricsPublic opens it).
 */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps.js';
import { authorize, type RequestGate } from '../authorize.js';

export function registerOperationsRoutes(
  app: FastifyInstance,
  deps: Pick<HttpDeps, 'ready' | 'metrics'> & { state: { position: number }; gate: RequestGate },
): void {
  app.get('/healthz', { schema: { summary: 'Whether the hub can accept work', tags: ['operations'], security: [] } }, async (_request, reply) => {
    const ready = deps.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', position: deps.state.position });
  });

  const open = deps.gate.settings.metricsPublic;
  // Authorised here rather than through the route's scope, so that a scale-out worker's bare
  // health server (without server.ts's instrumentation) guards it too.
  app.get(
    '/metrics',
    {
      ...(open ? {} : { onRequest: authorize(deps.gate, 'metrics', { channelScoped: false, systemScoped: false }, '/metrics') }),
      schema: {
        ...(open ? {} : { 'x-scope': 'metrics', 'x-channel-scoped': false }),
        summary: 'Prometheus metrics',
        description: open
          ? 'Public: the configuration sets auth.metricsPublic.'
          : 'Needs a key with the metrics (or admin) scope; auth.metricsPublic: true opens it.',
        tags: ['operations'],
        ...(open ? { security: [] } : {}),
      },
    },
    async (_request, reply) => {
      deps.metrics.logPosition.set(deps.state.position);
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );
}
