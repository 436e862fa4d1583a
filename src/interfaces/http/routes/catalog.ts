/** Master data routes: locations, channels and items (admin to change, readable with availability:read). */
import { Type } from '@sinclair/typebox';
import { channelAccessOf } from '../authorize.js';
import type { FastifyInstance } from 'fastify';
import { ChannelInput, ChannelView, Identifier, ItemInput, ItemPage, ItemView, Location, LocationInput } from '../../../model/catalog.js';
import { listItems } from '../../../app/master-data/list-items.js';
import { Problem } from '../../../model/problem.js';
import { NotFoundError, UnknownChannelError, UnknownItemError } from '../../../domain/errors.js';
import type { HttpDeps } from '../http-deps.js';

// Identifiers are checked where they enter (formats.ts): they reach EDI documents and other systems' files.
const IdParams = Type.Object({ id: Identifier });
const SkuParams = Type.Object({ sku: Identifier });

export function registerCatalogRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.put(
    '/v1/locations/:id',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Define a location and the source authoritative for its stock',
        description: 'Events parked for a new location apply now.',
        tags: ['master data'],
        params: IdParams,
        body: LocationInput,
        response: {
          200: Type.Composite([Location, Type.Object({ released: Type.Integer() })]),
          201: Type.Composite([Location, Type.Object({ released: Type.Integer() })]),
          400: Problem,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const result = await deps.catalog.defineLocation(id, request.body as LocationInput);
      return reply.code(result.created ? 201 : 200).send({ id, name: result.name, authority: result.authority, released: result.released });
    },
  );

  app.get(
    '/v1/locations',
    {
      config: { scope: 'availability:read' },
      schema: { tags: ['master data'], summary: 'All locations', response: { 200: Type.Object({ locations: Type.Array(Location) }) } },
    },
    async () => ({ locations: [...deps.state.book.locations.values()] }),
  );

  app.get(
    '/v1/locations/:id',
    {
      config: { scope: 'availability:read' },
      schema: { tags: ['master data'], summary: 'One location', params: IdParams, response: { 200: Location, 404: Problem } },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const def = deps.state.book.locations.get(id);
      if (!def) throw new NotFoundError('Location', id);
      return def;
    },
  );

  app.put(
    '/v1/channels/:id',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Define a channel and its availability rule',
        description: "Figures are recomputed at once; changes go to the channel's change feed.",
        tags: ['master data'],
        params: IdParams,
        body: ChannelInput,
        response: { 200: ChannelView, 201: ChannelView, 400: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { channel, created } = await deps.catalog.defineChannel(id, request.body as ChannelInput);
      return reply.code(created ? 201 : 200).send(channel);
    },
  );

  app.get(
    '/v1/channels',
    {
      config: { scope: 'availability:read', channelScoped: true },
      schema: {
        tags: ['master data'],
        summary: 'All channels',
        description: 'A key bound to channels sees those channels only.',
        response: { 200: Type.Object({ channels: Type.Array(ChannelView) }) },
      },
    },
    async (request) => {
      const access = channelAccessOf(request);
      return { channels: [...deps.state.book.channels.values()].filter((c) => access.covers(c.id)) };
    },
  );

  app.get(
    '/v1/channels/:id',
    {
      config: { scope: 'availability:read', channelScoped: true },
      schema: { tags: ['master data'], summary: 'One channel', params: IdParams, response: { 200: ChannelView, 403: Problem, 404: Problem } },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      channelAccessOf(request).requireChannel(id, 'params/id');
      const rule = deps.state.book.channels.get(id);
      if (!rule) throw new UnknownChannelError(id);
      return rule;
    },
  );

  app.put(
    '/v1/items/:sku',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['master data'],
        summary: 'Define an item',
        description:
          "units: how many base units one of each unit holds (CA: 12); partnerUnits: a partner's own packing, by system id. Tables given replace the ones kept.",
        params: SkuParams,
        body: ItemInput,
        response: { 200: ItemView, 201: ItemView, 400: Problem },
      },
    },
    async (request, reply) => {
      const { sku } = request.params as { sku: string };
      const { units, partnerUnits, ...input } = request.body as ItemInput;
      const uom = input.uom ?? 'EA';
      // Checked before the item changes, so a bad unit table leaves the item as it was.
      deps.xrefs.checkUnits(uom, units, partnerUnits);
      const { created } = await deps.catalog.defineItem(sku, input);
      if (units || partnerUnits) await deps.xrefs.defineUnits(sku, units, partnerUnits);
      return reply.code(created ? 201 : 200).send({ sku, description: input.description, uom, defined: true, ...(await deps.xrefs.unitsOf(sku)) });
    },
  );

  app.get(
    '/v1/items',
    {
      // Items are shared by every channel: a key bound to channels lists them too.
      config: { scope: 'availability:read', channelScoped: true },
      schema: {
        tags: ['master data'],
        summary: 'Items with their units, a page at a time, in SKU order',
        description:
          "Every item the hub knows: defined ones, and those only an inventory event has named (defined: false). prefix keeps SKUs that start with it; pass the answer's next as after for the next page.",
        querystring: Type.Object({
          prefix: Type.Optional(Type.String({ maxLength: 200, description: 'Only SKUs starting with this (exact case).' })),
          after: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "The previous page's next." })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: { 200: ItemPage, 400: Problem },
      },
    },
    async (request) => {
      const q = request.query as { prefix?: string; after?: string; limit: number };
      return listItems(
        { items: deps.state.items, xrefs: deps.xrefs },
        { ...(q.prefix ? { prefix: q.prefix } : {}), ...(q.after ? { after: q.after } : {}), limit: q.limit },
      );
    },
  );

  app.get(
    '/v1/items/:sku',
    {
      // Items are shared by every channel: a key bound to channels reads them too.
      config: { scope: 'availability:read', channelScoped: true },
      schema: { tags: ['master data'], summary: 'One item', params: SkuParams, response: { 200: ItemView, 404: Problem } },
    },
    async (request) => {
      const { sku } = request.params as { sku: string };
      if (!deps.state.isKnownSku(sku)) throw new UnknownItemError(sku);
      const item = deps.state.items.get(sku);
      return item ? { sku, description: item.description, uom: item.uom, defined: true, ...(await deps.xrefs.unitsOf(sku)) } : { sku, defined: false };
    },
  );
}
