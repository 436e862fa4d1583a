/** Availability routes: single and batch lookups, explanations, and each channel's change feed. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  AvailabilityAnswer,
  AvailabilityExplanation,
  AvailabilityQuery,
  AvailabilityQueryAnswer,
  ChannelChangePage,
  ItemChangePage,
} from '../../../model/availability.js';
import { Problem } from '../../../model/problem.js';
import { explainAvailability, lookUpAvailability, queryAvailability } from '../../../app/inventory/look-up-availability.js';
import { readChannelChanges } from '../../../app/inventory/read-channel-changes.js';
import { itemChanges } from '../../../app/inventory/item-changes.js';
import type { HttpDeps } from '../http-deps.js';
import { channelAccessOf } from '../authorize.js';

const SkuParams = Type.Object({ sku: Type.String({ minLength: 1 }) });
const ChannelQuery = Type.Object({ channel: Type.String({ minLength: 1, description: 'The channel id.' }) });

export function registerAvailabilityRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/availability/:sku',
    {
      config: { scope: 'availability:read', channelScoped: true },
      schema: {
        summary: 'What a channel may sell of an item',
        tags: ['availability'],
        params: SkuParams,
        querystring: ChannelQuery,
        response: { 200: AvailabilityAnswer, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { sku } = request.params as { sku: string };
      const { channel } = request.query as { channel: string };
      channelAccessOf(request).requireChannel(channel, 'querystring/channel');
      return lookUpAvailability(deps, sku, channel);
    },
  );

  app.post(
    '/v1/availability/query',
    {
      config: { scope: 'availability:read', channelScoped: true },
      schema: {
        summary: 'What a channel may sell of many items',
        description: 'Items the hub does not know answer 0 with known: false.',
        tags: ['availability'],
        body: AvailabilityQuery,
        response: { 200: AvailabilityQueryAnswer, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { channel, skus } = request.body as AvailabilityQuery;
      channelAccessOf(request).requireChannel(channel, '/channel');
      return queryAvailability(deps, channel, skus);
    },
  );

  app.get(
    '/v1/availability/:sku/explain',
    {
      config: { scope: 'availability:read', channelScoped: true },
      schema: {
        summary: 'The terms per location that make a channel figure, and the events behind each',
        tags: ['availability'],
        params: SkuParams,
        querystring: ChannelQuery,
        response: { 200: AvailabilityExplanation, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { sku } = request.params as { sku: string };
      const { channel } = request.query as { channel: string };
      channelAccessOf(request).requireChannel(channel, 'querystring/channel');
      return explainAvailability({ state: deps.state, reads: deps.reads, clock: deps.clock }, sku, channel);
    },
  );

  app.get(
    '/v1/items/:sku/changes',
    {
      config: { scope: 'availability:read', channelScoped: true },
      schema: {
        summary: "An item's recent changes: the counts and movements kept behind its figures, newest first",
        description:
          "From every source at each location, the authority's (counted) and the shadows' (kept for reconciliation). channel keeps the locations that channel's figure draws on; a key bound to one channel gets its channel's, a key bound to several must name one. Pass the answer's next as before for older changes.",
        tags: ['availability'],
        params: SkuParams,
        querystring: Type.Object({
          channel: Type.Optional(Type.String({ minLength: 1, description: 'The channel id.' })),
          before: Type.Optional(Type.Integer({ minimum: 1, description: "The previous page's next (a log position)." })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: { 200: ItemChangePage, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { sku } = request.params as { sku: string };
      const q = request.query as { channel?: string; before?: number; limit: number };
      const channel = channelAccessOf(request).listingChannel(q.channel, 'querystring/channel');
      return itemChanges({ state: deps.state, reads: deps.reads, clock: deps.clock }, sku, {
        ...(channel !== undefined ? { channel } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
        limit: q.limit,
      });
    },
  );

  app.get(
    '/v1/channels/:id/changes',
    {
      config: { scope: 'availability:read', channelScoped: true },
      schema: {
        summary: 'The change feed of a channel: every figure change, once, in order',
        description: "Start with after=0 and pass the answer's next as after to read on.",
        tags: ['availability'],
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({
          after: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
        }),
        response: { 200: ChannelChangePage, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { after, limit } = request.query as { after: number; limit: number };
      channelAccessOf(request).requireChannel(id, 'params/id');
      return readChannelChanges({ state: deps.state, reads: deps.reads }, id, after, limit);
    },
  );
}
