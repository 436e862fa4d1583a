/** Operational routes: health and Prometheus metrics (no API key: load balancers and scrapers call them). */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps.js';

export function registerOperationsRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'ready' | 'metrics'> & { state: { position: number } }): void {
  app.get('/healthz', { schema: { summary: 'Whether the hub can accept work', tags: ['operations'], security: [] } }, async (_request, reply) => {
    const ready = deps.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', position: deps.state.position });
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], security: [] } }, async (_request, reply) => {
    deps.metrics.logPosition.set(deps.state.position);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
