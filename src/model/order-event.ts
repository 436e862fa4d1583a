/**
 * The canonical order events (docs/REFERENCE.md "Orders"): fulfilment, shipment, delivery, invoice,
 * return and cancellation, in the same envelope as inventory events (id, source, seq,
 * occurredAt) and naming the hub's order by `orderId`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IDENTIFIER_FORMAT, REFERENCE_FORMAT, WELL_FORMED_FORMAT } from './formats.js';

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, format: IDENTIFIER_FORMAT, description });

const envelope = {
  id: Type.String({ minLength: 1, maxLength: 200, format: WELL_FORMED_FORMAT, description: 'Unique per source; a repeat is a duplicate and applies once.' }),
  source: Id('The system that sent the event.'),
  seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Increasing per source (shared with its inventory events).' }),
  occurredAt: Type.String({ format: 'date-time' }),
  correlationId: Type.Optional(Type.String({ maxLength: 200, format: WELL_FORMED_FORMAT })),
  orderId: Id("The hub's order id."),
};

const Lines = Type.Array(
  Type.Object(
    {
      sku: Id('An item on the order.'),
      qty: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 500 },
);

const Tracking = Type.Union(
  [
    Type.String({ minLength: 1, maxLength: 200, format: REFERENCE_FORMAT }),
    Type.Object(
      {
        number: Type.String({ minLength: 1, maxLength: 200, format: REFERENCE_FORMAT }),
        carrier: Type.Optional(Type.String({ maxLength: 100, format: REFERENCE_FORMAT })),
        url: Type.Optional(Type.String({ maxLength: 2000 })),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'A tracking number, or { number, carrier?, url? }.' },
);

export const OrderReleased = Type.Object({ ...envelope, type: Type.Literal('order.released') }, { title: 'OrderReleased' });
export const OrderShipped = Type.Object(
  {
    ...envelope,
    type: Type.Literal('order.shipped'),
    location: Id('The location the goods left from.'),
    lines: Lines,
    tracking: Type.Optional(Tracking),
  },
  { title: 'OrderShipped', description: 'One shipment; an order may ship in several (partial and split shipments).' },
);
export const OrderDelivered = Type.Object({ ...envelope, type: Type.Literal('order.delivered') }, { title: 'OrderDelivered' });
export const OrderInvoiced = Type.Object(
  {
    ...envelope,
    type: Type.Literal('order.invoiced'),
    invoiceNumber: Type.Optional(Type.String({ maxLength: 100, format: REFERENCE_FORMAT })),
  },
  { title: 'OrderInvoiced' },
);
export const ReturnReceived = Type.Object(
  {
    ...envelope,
    type: Type.Literal('return.received'),
    location: Id('Where the goods came back.'),
    lines: Lines,
  },
  {
    title: 'ReturnReceived',
    description: "From the location's authoritative source it also adds the units to on hand; from any other source it is recorded on the order only.",
  },
);
export const OrderCancelled = Type.Object(
  {
    ...envelope,
    type: Type.Literal('order.cancelled'),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { title: 'OrderCancelled', description: 'Cancels what has not shipped; the same as POST /v1/orders/{id}/cancel.' },
);

export type OrderReleased = Static<typeof OrderReleased>;
export type OrderShipped = Static<typeof OrderShipped>;
export type OrderDelivered = Static<typeof OrderDelivered>;
export type OrderInvoiced = Static<typeof OrderInvoiced>;
export type ReturnReceived = Static<typeof ReturnReceived>;
export type OrderCancelled = Static<typeof OrderCancelled>;
export type OrderEvent = OrderReleased | OrderShipped | OrderDelivered | OrderInvoiced | ReturnReceived | OrderCancelled;

export const ORDER_EVENT_TYPES = ['order.released', 'order.shipped', 'order.delivered', 'order.invoiced', 'return.received', 'order.cancelled'] as const;
