/** Inbound webhooks from configured systems (POST /hooks/{systemId}), and the inbound messages parked because they could not be taken. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Problem } from '../../../model/problem.js';
import type { InboundServices } from '../http-deps.js';
import type { ParkedInboundStatus } from '../../../ports/inbound-store.js';
import { strictJsonParser } from '../utf8-body.js';

const ParkedView = Type.Object({
  id: Type.Integer(),
  system: Type.String(),
  topic: Type.String(),
  status: Type.String(),
  reason: Type.String(),
  errors: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  receivedAt: Type.String(),
  outcome: Type.Optional(Type.String()),
  unknownReferences: Type.Optional(
    Type.Array(Type.Object({ kind: Type.String(), system: Type.String(), scheme: Type.String(), external: Type.String() }), {
      description: 'The cross-references it waits for; adding one (PUT /v1/xrefs) replays it.',
    }),
  ),
  body: Type.String({ description: 'The body exactly as it arrived.' }),
  correlationId: Type.Optional(Type.String({ description: 'The id of the request that brought it, or the id minted for its file' })),
});
const Outcome = Type.Object({
  status: Type.String({
    description:
      'captured, already_captured, cancelled, amended (an orders/updated that changed the lines: the order was amended in place), unchanged (an orders/updated that changed nothing the hub order holds; `ignored` says what it left alone), ingested, parked, ignored or duplicate (a webhook id received already)',
  }),
  accepted: Type.Optional(Type.Integer()),
  duplicates: Type.Optional(Type.Integer()),
  position: Type.Optional(Type.Integer()),
  orderId: Type.Optional(Type.String()),
  orderStatus: Type.Optional(Type.String()),
  ignored: Type.Optional(Type.String({ description: 'unchanged: what the update carried that the hub order does not hold.' })),
  parkedId: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
});

export function registerHookRoutes(app: FastifyInstance, deps: InboundServices): void {
  // The signature covers the bytes as sent: keep the raw text beside nothing else.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify takes async plugins (FastifyPluginAsync) and awaits them itself.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      strictJsonParser((_request, text, done) => done(null, text)),
    );
    scope.post(
      '/hooks/:systemId',
      {
        schema: {
          tags: ['inbound'],
          summary: "A webhook from a configured system (a storefront's orders/create, orders/cancelled)",
          description:
            "Authenticated by the system's own signature (X-Shopify-Hmac-Sha256 for storefronts, an HMAC-SHA256 hex header for REST systems), not an API key. An order that cannot be captured is parked with its reason (200, status parked) and captured when replayed. A webhook id received already (X-Shopify-Webhook-Id, a REST system's idHeader) answers 200 duplicate and changes nothing; a topic the signed body contradicts (an order not cancelled sent as orders/cancelled) or a sender timestamp outside the replay window (X-Shopify-Triggered-At, a REST system's timestampHeader; webhooks.maxAgeSeconds) is refused with 422 naming the header.",
          params: Type.Object({ systemId: Type.String() }),
          response: { 200: Outcome, 401: Problem, 404: Problem, 422: Problem, 503: Problem },
        },
      },
      async (request) => {
        const header = (name: string) => {
          const v = request.headers[name];
          return typeof v === 'string' ? v : undefined;
        };
        const systemId = (request.params as { systemId: string }).systemId;
        return deps.inbound.receive(systemId, header, request.body as string, request.id);
      },
    );
  });

  app.get(
    '/v1/inbound/parked',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['inbound'],
        summary: 'Inbound messages that could not be taken, with their reasons',
        querystring: Type.Object({
          system: Type.Optional(Type.String()),
          status: Type.Union([Type.Literal('parked'), Type.Literal('replayed'), Type.Literal('discarded')], { default: 'parked' }),
          after: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ parked: Type.Array(ParkedView) }) },
      },
    },
    async (request) => {
      const q = request.query as { system?: string; status: ParkedInboundStatus; after: number; limit: number };
      return { parked: await deps.inboundStore.parked({ ...(q.system ? { system: q.system } : {}), status: q.status, afterId: q.after, limit: q.limit }) };
    },
  );

  app.post(
    '/v1/inbound/parked/:id/replay',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['inbound'],
        summary: 'Take a parked message again (after fixing its cause)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ parked: ParkedView, outcome: Outcome }), 404: Problem, 409: Problem },
      },
    },
    async (request) => deps.inbound.replay((request.params as { id: number }).id, request.id),
  );
}
