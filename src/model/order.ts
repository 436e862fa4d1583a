/**
 * Orders as the outside world sees them (docs/REFERENCE.md "Orders"): the capture request, the answer,
 * the full order view and its timeline. These schemas validate requests and make the OpenAPI
 * document.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IDENTIFIER_FORMAT, REFERENCE_FORMAT } from './formats.js';
import { ORDER_STATUSES } from './order-statuses.js';

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, format: IDENTIFIER_FORMAT, description });

export { ORDER_STATUSES, type OrderStatus } from './order-statuses.js';

export const OrderRequest = Type.Object(
  {
    channel: Id('The channel the order came from; its rules decide sourcing and the ERP and credit-hold policies.'),
    externalId: Type.String({ minLength: 1, maxLength: 200, format: REFERENCE_FORMAT, description: 'The order number in the channel; unique per channel.' }),
    customer: Id('The customer (PUT /v1/customers/{id}).'),
    lines: Type.Array(
      Type.Object(
        {
          sku: Id('An item known to the hub.'),
          qty: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Units, a positive integer.' }),
          unitPrice: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'Price per unit as the channel sold it (carried to invoices).' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    backorder: Type.Optional(
      Type.Union([Type.Literal('reject'), Type.Literal('allow')], {
        default: 'reject',
        description: 'reject: reserve every line in full or nothing (409). allow: reserve what is there and backorder the rest.',
      }),
    ),
  },
  { additionalProperties: false, title: 'OrderRequest' },
);
export type OrderRequest = Static<typeof OrderRequest>;

export const OrderLineView = Type.Object({
  sku: Type.String(),
  qty: Type.Integer(),
  reserved: Type.Integer({ description: 'Units held for this line and not shipped yet.' }),
  backordered: Type.Integer({ description: 'Units neither reserved nor shipped nor cancelled.' }),
  shipped: Type.Optional(Type.Integer()),
  returned: Type.Optional(Type.Integer()),
  allocations: Type.Optional(Type.Array(Type.Object({ location: Type.String(), reserved: Type.Integer() }))),
});

export const CaptureAnswer = Type.Object({
  id: Type.String({ description: "The hub's order id." }),
  status: Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s))),
  lines: Type.Array(OrderLineView),
  erpOrderNumber: Type.Optional(Type.String()),
  channel: Type.Optional(Type.String()),
  externalId: Type.Optional(Type.String()),
});
export type CaptureAnswer = Static<typeof CaptureAnswer>;

export const ShipmentView = Type.Object({
  location: Type.String(),
  at: Type.String(),
  source: Type.String(),
  lines: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer() })),
  tracking: Type.Optional(Type.Unknown()),
});

export const OrderView = Type.Composite([
  CaptureAnswer,
  Type.Object({
    customer: Type.String(),
    backorder: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    erp: Type.Object({ state: Type.String(), attempts: Type.Integer(), lastError: Type.Optional(Type.String()) }),
    shipments: Type.Array(ShipmentView),
    waitingEvents: Type.Integer({ description: 'Events received for this order that wait for their precondition.' }),
  }),
]);
export type OrderView = Static<typeof OrderView>;

export const TimelineEntry = Type.Object({
  at: Type.String({ description: "When it happened (the event's occurredAt, or the hub's time for its own steps)." }),
  status: Type.String({ description: 'The order status after this entry.' }),
  source: Type.String({ description: 'The system that caused it (a source id, "hub", "erp" or the API key name).' }),
  correlationId: Type.Optional(Type.String()),
  step: Type.String({ description: 'What happened: captured, erp_committed, order.shipped, ...' }),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('waiting'), Type.Literal('rejected'), Type.Literal('expired')]),
  detail: Type.Optional(Type.String()),
  recordedAt: Type.String(),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

export const AmendmentRequest = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        {
          sku: Id('An item known to the hub.'),
          qty: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'The units now wanted; 0 removes the line (as leaving it out does).' }),
          unitPrice: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'The new price per unit; absent keeps the line’s price.' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false, title: 'AmendmentRequest', description: "The order's new complete line list." },
);
export type AmendmentRequest = Static<typeof AmendmentRequest>;

export const CancelRequest = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
