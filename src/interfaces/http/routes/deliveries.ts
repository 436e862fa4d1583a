/** Delivery operations: each destination's state, and the dead letters (list, inspect, retry one or all, discard with a reason). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Problem } from '../../../model/problem.js';
import type { DeliveryOperations } from '../../../app/delivery/delivery-engine.js';
import type { DeadLetterStatus } from '../../../ports/delivery-store.js';

const DeadLetterView = Type.Object({
  id: Type.Integer(),
  destination: Type.String(),
  lane: Type.String(),
  status: Type.String(),
  message: Type.Object({ idempotencyKey: Type.String(), topic: Type.String(), key: Type.String(), payload: Type.Unknown() }),
  attempts: Type.Integer(),
  lastError: Type.String(),
  deadAt: Type.String(),
  note: Type.Optional(Type.String()),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function registerDeliveryRoutes(app: FastifyInstance, deps: { delivery: DeliveryOperations }): void {
  const engine = deps.delivery;

  app.get(
    '/v1/deliveries',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Each destination: circuit state, lane cursors, messages delivered, changes coalesced',
        response: {
          200: Type.Object({
            destinations: Type.Array(
              Type.Object({
                destination: Type.String(),
                circuit: Type.String(),
                cursors: Type.Object({ orders: Type.Integer(), bulk: Type.Integer() }),
                deliveredMessages: Type.Integer(),
                coalescedChanges: Type.Integer(),
                lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
                rateLimitUse: Type.Union([Type.Number(), Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ destinations: await engine.status() }),
  );

  app.post(
    '/v1/deliveries/:destination/replay',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Send a destination again what it got in a time range',
        description:
          'Queues its outbox messages written in the range, and the current figure of every item whose figure changed on its channel in the range. They go out ahead of new work, each with its idempotency key.',
        params: Type.Object({ destination: Type.String() }),
        body: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ queued: Type.Integer() }), 404: Problem },
      },
    },
    async (request) => {
      const { from, to } = request.body as { from: string; to: string };
      return { queued: await engine.replay((request.params as { destination: string }).destination, new Date(from).toISOString(), new Date(to).toISOString()) };
    },
  );

  app.get(
    '/v1/dead-letters',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Messages given up on, with their last error',
        querystring: Type.Object({
          destination: Type.Optional(Type.String()),
          status: Type.Union([Type.Literal('dead'), Type.Literal('queued'), Type.Literal('delivered'), Type.Literal('discarded')], { default: 'dead' }),
          after: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ deadLetters: Type.Array(DeadLetterView) }) },
      },
    },
    async (request) => {
      const q = request.query as { destination?: string; status: DeadLetterStatus; after: number; limit: number };
      return {
        deadLetters: await engine.deadLetters({ ...(q.destination ? { destination: q.destination } : {}), status: q.status, afterId: q.after, limit: q.limit }),
      };
    },
  );

  app.get(
    '/v1/dead-letters/:id',
    {
      config: { scope: 'admin' },
      schema: { tags: ['operations'], summary: 'One dead letter', params: IdParams, response: { 200: DeadLetterView, 404: Problem } },
    },
    async (request) => engine.deadLetter((request.params as { id: number }).id),
  );

  app.post(
    '/v1/dead-letters/:id/retry',
    {
      config: { scope: 'admin' },
      schema: { tags: ['operations'], summary: 'Deliver a dead letter again', params: IdParams, response: { 200: DeadLetterView, 404: Problem, 409: Problem } },
    },
    async (request) => engine.retry((request.params as { id: number }).id),
  );

  app.post(
    '/v1/dead-letters/retry',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Deliver every dead letter again (of one destination, or all)',
        body: Type.Object({ destination: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ queued: Type.Integer() }) },
      },
    },
    async (request) => ({ queued: await engine.retryAll((request.body as { destination?: string }).destination) }),
  );

  app.post(
    '/v1/dead-letters/:id/discard',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Give up on a dead letter for good, saying why',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: DeadLetterView, 404: Problem, 409: Problem },
      },
    },
    async (request) => engine.discard((request.params as { id: number }).id, (request.body as { reason: string }).reason),
  );
}
