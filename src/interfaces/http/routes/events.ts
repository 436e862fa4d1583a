/** Event routes: ingest batches, read the log, list parked events. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EventBatch, IngestResult } from '../../../model/inventory-event.js';
import { Problem } from '../../../model/problem.js';
import type { HttpDeps } from '../http-deps.js';
import { HttpProblem } from '../problem.js';
import { systemAccessOf } from '../authorize.js';
import { strictJsonParser } from '../utf8-body.js';
import { MalformedEntryError } from '../../../app/log/ledger-worker.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawPayload: string | null;
  }
}

const DeadEntryView = Type.Object({
  position: Type.Integer(),
  kind: Type.String(),
  body: Type.String(),
  error: Type.String(),
  attempts: Type.Integer(),
  at: Type.String(),
});
const ParkedView = Type.Object({
  position: Type.Integer(),
  sku: Type.String(),
  location: Type.String(),
  reason: Type.String(),
  parkedAt: Type.String(),
  correlationId: Type.Optional(Type.String({ description: "The event's own correlation id, else its request's" })),
});
const OvertakenView = Type.Object({
  position: Type.Integer({ description: "The count's log position" }),
  source: Type.String(),
  seq: Type.Integer(),
  sku: Type.String(),
  location: Type.String(),
  countedAt: Type.String({ description: "The count's occurredAt" }),
  buckets: Type.Array(
    Type.Object({
      bucket: Type.Union([Type.Literal('onHand'), Type.Literal('qualityHold'), Type.Literal('damaged'), Type.Literal('inbound')]),
      counted: Type.Number({ description: 'What the count said' }),
      held: Type.Number({ description: 'The figure the hub kept for the bucket' }),
      foldedMovements: Type.Integer({ description: 'Later movements folded together, some of which the count may contain' }),
    }),
  ),
  recordedAt: Type.String(),
});

export function registerEventRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // The log keeps each batch as it arrived, so this parser keeps the text beside the parsed value.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify takes async plugins (FastifyPluginAsync) and awaits them itself.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      strictJsonParser((request, text, done) => {
        try {
          const value = JSON.parse(text) as unknown;
          request.rawPayload = text;
          done(null, value);
        } catch (err) {
          done(Object.assign(err as Error, { statusCode: 400 }), undefined);
        }
      }, false),
    );
    scope.post(
      '/v1/events',
      {
        config: { scope: 'events:write', systemScoped: true },
        schema: {
          summary: 'Ingest a batch of inventory and order events',
          description:
            'Each event is validated on its own: one bad event rejects only itself. Accepted events are durable before the answer. Duplicates (same source + id, or same source + seq) apply once. Events for a location not defined yet are accepted and parked until it is.',
          tags: ['events'],
          body: EventBatch,
          response: { 200: IngestResult, 400: Problem, 401: Problem, 403: Problem, 503: Problem },
        },
      },
      async (request) => {
        const result = await deps.ingest.submit(request.body as unknown[], request.rawPayload ?? undefined, request.id, systemAccessOf(request));
        deps.metrics.logPosition.set(deps.state.position);
        return result;
      },
    );
  });

  app.get(
    '/v1/events',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Read the event log from a position',
        tags: ['events'],
        querystring: Type.Object({
          after: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
        }),
        response: { 200: Type.Object({ events: Type.Array(Type.Object({ position: Type.Integer(), event: Type.Unknown() })), next: Type.Integer() }) },
      },
    },
    async (request) => {
      const { after, limit } = request.query as { after: number; limit: number };
      const events = await deps.reads.readEvents(after, limit);
      return { events, next: events.length > 0 ? events[events.length - 1]!.position : after };
    },
  );

  app.get(
    '/v1/events/parked',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Events accepted but waiting for their location to be defined',
        tags: ['events'],
        querystring: Type.Object({ location: Type.Optional(Type.String()), limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }) }),
        response: { 200: Type.Object({ parked: Type.Array(ParkedView) }) },
      },
    },
    async (request) => {
      const { location, limit } = request.query as { location?: string; limit: number };
      return { parked: await deps.reads.parkedEvents(location, limit) };
    },
  );

  app.get(
    '/v1/events/overtaken',
    {
      config: { scope: 'admin' },
      schema: {
        summary: "Counts that arrived after more of their source's later movements than the hub keeps, and could not be applied exactly",
        description:
          'Each bucket listed kept its figure; the count itself is in the log at its position. Send a fresh count to set the figure. See "The one bound" in the reference.',
        tags: ['events'],
        querystring: Type.Object({ after: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }) }),
        response: { 200: Type.Object({ overtaken: Type.Array(OvertakenView), next: Type.Integer() }) },
      },
    },
    async (request) => {
      const { after, limit } = request.query as { after: number; limit: number };
      const overtaken = await deps.reads.overtakenCounts(after, limit);
      return { overtaken, next: overtaken.at(-1)?.position ?? after };
    },
  );

  app.get(
    '/v1/events/dead',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Log entries the workers could not apply, with the last error (scale-out backend; always empty on the embedded one)',
        tags: ['events'],
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }) }),
        response: { 200: Type.Object({ dead: Type.Array(DeadEntryView) }) },
      },
    },
    async (request) => ({ dead: await deps.deadEntries.list((request.query as { limit: number }).limit) }),
  );

  app.post(
    '/v1/events/dead/:position/retry',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Apply a dead log entry again, once its cause is fixed',
        tags: ['events'],
        params: Type.Object({ position: Type.Integer({ minimum: 1 }) }),
        response: { 200: DeadEntryView, 404: Problem, 422: Problem },
      },
    },
    async (request) => {
      const { position } = request.params as { position: number };
      try {
        return await deps.deadEntries.retry(position);
      } catch (err) {
        if (err instanceof MalformedEntryError)
          throw new HttpProblem(422, 'entry_cannot_apply', 'The entry still cannot be applied', err.message, { position });
        throw err;
      }
    },
  );
}
