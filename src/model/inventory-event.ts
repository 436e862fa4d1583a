/**
 * The canonical inventory events (docs/REFERENCE.md "Events"): movements (signed deltas with a reason)
 * and snapshots (absolute counts). These schemas are the single source of validation, of the
 * TypeScript types and of the OpenAPI document.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IDENTIFIER_FORMAT, WELL_FORMED_FORMAT } from './formats.js';

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, format: IDENTIFIER_FORMAT, description });
const Quantity = Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000 });
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

export const MOVEMENT_REASONS = ['receipt', 'pick', 'ship', 'adjustment', 'transfer_in', 'transfer_out', 'return', 'hold', 'release', 'damage'] as const;
export type MovementReason = (typeof MOVEMENT_REASONS)[number];

const envelope = {
  // Not an identifier: it is only ever compared whole, so stray whitespace is harmless; a lone surrogate is not.
  id: Type.String({ minLength: 1, maxLength: 200, format: WELL_FORMED_FORMAT, description: 'Unique per source; a repeat is a duplicate and applies once.' }),
  source: Id('The system that sent the event, e.g. "wms-dal".'),
  seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Increasing per source.' }),
  occurredAt: Type.String({ format: 'date-time', description: 'When it happened at the source (RFC 3339).' }),
  correlationId: Type.Optional(Type.String({ maxLength: 200, format: WELL_FORMED_FORMAT })),
};

export const InventoryMovement = Type.Object(
  {
    ...envelope,
    type: Type.Literal('inventory.movement'),
    sku: Id('The item.'),
    location: Id('The location whose stock moved.'),
    reason: Type.Union(MOVEMENT_REASONS.map((r) => Type.Literal(r))),
    delta: Type.Object(
      {
        onHand: Type.Optional(Quantity),
        qualityHold: Type.Optional(Quantity),
        damaged: Type.Optional(Quantity),
        inbound: Type.Optional(Quantity),
      },
      { additionalProperties: false, minProperties: 1, description: 'Signed change per bucket; at least one bucket.' },
    ),
    eta: Type.Optional(Type.String({ format: 'date-time', description: 'When inbound supply is expected (for delta.inbound).' })),
    orderId: Type.Optional(Id('The hub order a pick or ship movement fulfils.')),
    announced: Type.Optional(
      Type.Boolean({
        description:
          "Inbound supply a supplier announces for the location (delta.inbound with its eta, e.g. an 856): counted as the location's inbound until the location's authority receives it.",
      }),
    ),
  },
  {
    title: 'InventoryMovement',
    description: 'Unknown top-level fields are tolerated (and kept in the log as sent); delta is strict, since a misspelt bucket would change stock silently.',
  },
);
export type InventoryMovement = Static<typeof InventoryMovement>;

export const InboundLine = Type.Object(
  {
    qty: Count,
    eta: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const InventorySnapshot = Type.Object(
  {
    ...envelope,
    type: Type.Literal('inventory.snapshot'),
    sku: Id('The item.'),
    location: Id('The counted location.'),
    balance: Type.Object(
      {
        onHand: Count,
        qualityHold: Type.Optional(Count),
        damaged: Type.Optional(Count),
        inbound: Type.Optional(
          Type.Union([Count, Type.Array(InboundLine, { maxItems: 1000 })], {
            description: 'Expected supply: a number (no date) or lines with an ETA. When absent, inbound is not part of this snapshot.',
          }),
        ),
      },
      { additionalProperties: false, description: 'Absolute counts; qualityHold and damaged default to 0.' },
    ),
  },
  {
    title: 'InventorySnapshot',
    description: 'Unknown top-level fields are tolerated (and kept in the log as sent); balance is strict.',
  },
);
export type InventorySnapshot = Static<typeof InventorySnapshot>;

export type InventoryEvent = InventoryMovement | InventorySnapshot;
export const INVENTORY_EVENT_TYPES = ['inventory.movement', 'inventory.snapshot'] as const;

export const EventBatch = Type.Array(Type.Unknown(), {
  maxItems: 10_000,
  description:
    'Up to 10,000 events; each is validated on its own: InventoryMovement | InventorySnapshot | OrderReleased | OrderShipped | OrderDelivered | OrderInvoiced | ReturnReceived | OrderCancelled.',
});

export const ValidationIssue = Type.Object({ path: Type.String(), message: Type.String() });

export const IngestResult = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), errors: Type.Array(ValidationIssue) })),
  parked: Type.Array(Type.Object({ index: Type.Integer(), position: Type.Integer(), reason: Type.String() }), {
    description: 'Accepted and durable, but waiting for their location to be defined.',
  }),
  position: Type.Integer({ description: 'Event log position after the last accepted event.' }),
});
export type IngestResult = Static<typeof IngestResult>;
