/** Order routes: capture (with Idempotency-Key), listings, the order, its timeline, cancellation, and the outbox and order exceptions for operators. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AmendmentRequest, CancelRequest, CaptureAnswer, OrderRequest, OrderView, TimelineEntry } from '../../../model/order.js';
import { Problem } from '../../../model/problem.js';
import { NotFoundError } from '../../../domain/errors.js';
import type { OrderDesk } from '../../../app/orders/order-desk.js';
import type { OrderExceptionReads } from '../http-deps.js';
import { optionalBody } from '../validation.js';
import { OrderListQuery, queryAsSent, readOrderQuery } from './order-list-query.js';
import { channelAccessOf } from '../authorize.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export function registerOrderRoutes(app: FastifyInstance, orders: OrderDesk): void {
  app.post(
    '/v1/orders',
    {
      config: { scope: 'orders:write', channelScoped: true },
      schema: {
        tags: ['orders'],
        summary: 'Capture an order',
        description:
          'Validates, reserves stock atomically across lines and locations, stores the order durably and commits it to the ERP. ' +
          'Requires an Idempotency-Key header: the same key with the same body answers the stored result; with another body 422; while the first request is still running 409. ' +
          'Answers 202 with status pending_erp when the ERP is unavailable and the channel queues orders.',
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({ description: 'Unique per order attempt; keys are kept for orders.idempotencyKeyHours of the configuration file (default 24).' }),
          ),
        }),
        body: OrderRequest,
        response: { 201: CaptureAnswer, 202: CaptureAnswer, 400: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const outcome = await orders.capture(
        request.body as OrderRequest,
        typeof key === 'string' ? key : undefined,
        {
          principal: request.apiKeyName ?? 'api',
          correlationId: request.id,
        },
        channelAccessOf(request),
      );
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(outcome.statusCode).send(outcome.body);
    },
  );

  app.get(
    '/v1/orders',
    {
      config: { scope: 'orders:read', channelScoped: true },
      // The query is read as sent by readOrderQuery, which names each wrong field in a 422 (schema
      // conversion would take limit=2.5 as 2); the schema documents it.
      attachValidation: true,
      schema: {
        tags: ['orders'],
        summary: "List orders, newest first, or find one by the channel's own order number",
        description:
          "Filters combine (channel, customer, status, captured since). Pages follow a cursor: pass the answer's `next` as `cursor` " +
          'for the next page; `next` is null on the last. Orders captured while paging do not shift the pages (they are newer than any page already read). ' +
          'With `channel` and `externalId`: the one order the channel knows by that number (or none), and `next` null. ' +
          'A key bound to one channel lists that channel; a key bound to several names one as `channel`.',
        querystring: OrderListQuery,
        response: { 200: Type.Object({ orders: Type.Array(OrderView), next: Type.Union([Type.String(), Type.Null()]) }), 403: Problem, 422: Problem },
      },
    },
    async (request) => {
      const query = readOrderQuery(queryAsSent(request.url));
      const access = channelAccessOf(request);
      if (query.kind === 'listing') return orders.list(query.listing, access);
      const order = await orders.byReference(query.channel, query.externalId, access);
      return { orders: order ? [order] : [], next: null };
    },
  );

  app.get(
    '/v1/orders/:id',
    {
      config: { scope: 'orders:read', channelScoped: true },
      schema: { tags: ['orders'], summary: 'One order', params: IdParams, response: { 200: OrderView, 404: Problem } },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const order = await orders.view(id, channelAccessOf(request));
      if (!order) throw new NotFoundError('Order', id);
      return order;
    },
  );

  app.get(
    '/v1/orders/:id/timeline',
    {
      config: { scope: 'orders:read', channelScoped: true },
      schema: {
        tags: ['orders'],
        summary: 'Every step of an order across systems',
        description: 'Applied transitions, events waiting for a precondition, rejected (illegal) events and expired waits, in the order the hub recorded them.',
        params: IdParams,
        response: { 200: Type.Object({ orderId: Type.String(), entries: Type.Array(TimelineEntry) }), 404: Problem },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const entries = await orders.timeline(id, channelAccessOf(request));
      if (!entries) throw new NotFoundError('Order', id);
      return { orderId: id, entries: entries.map(({ orderId: _, ...e }) => e) };
    },
  );

  app.post(
    '/v1/orders/:id/cancel',
    {
      config: { scope: 'orders:write', channelScoped: true },
      schema: {
        tags: ['orders'],
        summary: 'Cancel what has not shipped',
        description: 'Releases what is still reserved and tells the ERP (and the warehouses, once released). Shipped units stay shipped.',
        params: IdParams,
        body: optionalBody(CancelRequest),
        response: { 200: OrderView, 404: Problem, 409: Problem },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const reason = (request.body as { reason?: string } | undefined)?.reason;
      return orders.cancel(id, { principal: request.apiKeyName ?? 'api', correlationId: request.id, ...(reason ? { reason } : {}) }, channelAccessOf(request));
    },
  );

  app.post(
    '/v1/orders/:id/amendments',
    {
      config: { scope: 'orders:write', channelScoped: true },
      schema: {
        tags: ['orders'],
        summary: "Amend an order's lines in place",
        description:
          "The body is the order's new complete line list: a changed quantity, a new item or a new price; an item left out (or at qty 0) is removed. " +
          'Reservations follow at once under the order’s backorder policy (reject: every increase is reserved or the amendment is refused whole), and the ERP is told when it has the order. ' +
          'Allowed until the order is released to the warehouse; refused (409, with reason cancelled, erp_failed, released, shipped, insufficient_stock or no_lines) it changes nothing. ' +
          'Requires an Idempotency-Key header: the same key with the same lines answers the order without amending it again; with other lines 422.',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ description: 'Unique per amendment attempt; kept with the order (its last 50 amendments).' })),
        }),
        params: IdParams,
        body: AmendmentRequest,
        response: { 200: OrderView, 400: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const key = request.headers['idempotency-key'];
      const { view, replayed } = await orders.amend(
        id,
        (request.body as AmendmentRequest).lines,
        typeof key === 'string' ? key : undefined,
        { principal: request.apiKeyName ?? 'api', correlationId: request.id },
        channelAccessOf(request),
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return view;
    },
  );

  app.get(
    '/v1/outbox',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Messages for other systems, in the order they were written',
        querystring: Type.Object({
          after: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
          destination: Type.Optional(Type.String()),
        }),
        response: {
          200: Type.Object({
            messages: Type.Array(
              Type.Object({
                id: Type.Integer(),
                destination: Type.String(),
                topic: Type.String(),
                lane: Type.String(),
                messageKey: Type.String(),
                idempotencyKey: Type.String(),
                payload: Type.Unknown(),
                createdAt: Type.String(),
                correlationId: Type.Optional(
                  Type.String({ description: 'The correlation id of the request or event that wrote it; sent on as X-Correlation-Id.' }),
                ),
              }),
            ),
            next: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      const { after, limit, destination } = request.query as { after: number; limit: number; destination?: string };
      const messages = await orders.outbox(after, limit, destination);
      return { messages, next: messages.length > 0 ? messages[messages.length - 1]!.id : after };
    },
  );
}

/** Order events the hub refused or that waited too long (the backend that applies order events serves them). */
export function registerOrderExceptionRoutes(app: FastifyInstance, reads: OrderExceptionReads): void {
  app.get(
    '/v1/order-exceptions',
    {
      config: { scope: 'orders:read' },
      schema: {
        tags: ['operations'],
        summary: 'Order events rejected as illegal, or that waited too long for their precondition',
        querystring: Type.Object({ after: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: {
          200: Type.Object({
            exceptions: Type.Array(
              Type.Object({
                id: Type.Integer(),
                orderId: Type.String(),
                position: Type.Union([Type.Integer(), Type.Null()]),
                kind: Type.String(),
                reason: Type.String(),
                event: Type.Unknown(),
                raisedAt: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { after, limit } = request.query as { after: number; limit: number };
      return { exceptions: await reads.exceptions(after, limit) };
    },
  );
}
