/** Availability answers (docs/REFERENCE.md "Availability") and the channel change feed. */
import { Type, type Static } from '@sinclair/typebox';
import { Identifier } from './catalog.js';

export const AvailabilityAnswer = Type.Object({
  sku: Type.String(),
  channel: Type.String(),
  available: Type.Integer(),
  position: Type.Integer(),
});
export const AvailabilityQuery = Type.Object(
  {
    channel: Identifier,
    skus: Type.Array(Identifier, { minItems: 1, maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type AvailabilityQuery = Static<typeof AvailabilityQuery>;
export const AvailabilityQueryAnswer = Type.Object({
  items: Type.Array(Type.Object({ sku: Type.String(), available: Type.Integer(), known: Type.Boolean() })),
  position: Type.Integer(),
});

export const EventRef = Type.Object({
  position: Type.Integer(),
  id: Type.String(),
  type: Type.String(),
  seq: Type.Integer(),
  occurredAt: Type.String(),
  reason: Type.Optional(Type.String()),
  delta: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  balance: Type.Optional(Type.Unknown()),
});

export const LocationTerms = Type.Object({
  location: Type.String(),
  authority: Type.Union([Type.String(), Type.Null()]),
  defined: Type.Boolean(),
  onHand: Type.Integer(),
  qualityHold: Type.Integer(),
  damaged: Type.Integer(),
  reserved: Type.Integer(),
  safetyStock: Type.Integer(),
  net: Type.Integer({ description: 'max(0, onHand − qualityHold − damaged − reserved − safetyStock)' }),
  inboundCounted: Type.Integer({ description: 'Inbound due within the channel horizon (0 unless the channel counts inbound).' }),
  events: Type.Array(EventRef, { description: 'The authoritative snapshot and the movements after it that make these terms (most recent last).' }),
  eventsOmitted: Type.Integer({ description: 'Earlier movements behind these terms not listed.' }),
  shadows: Type.Array(Type.Object({ source: Type.String(), onHand: Type.Integer(), qualityHold: Type.Integer(), damaged: Type.Integer() }), {
    description: 'Figures from non-authoritative sources, kept for reconciliation and not used.',
  }),
});
export const AvailabilityExplanation = Type.Object({
  sku: Type.String(),
  channel: Type.String(),
  available: Type.Integer(),
  position: Type.Integer(),
  pool: Type.Integer({ description: 'Σ net + inbound counted, before allocation.' }),
  allocation: Type.Union([Type.Unknown(), Type.Null()]),
  formula: Type.String(),
  locations: Type.Array(LocationTerms),
});

export const ChannelChange = Type.Object({
  cursor: Type.Integer(),
  sku: Type.String(),
  available: Type.Integer(),
  previous: Type.Integer(),
  position: Type.Integer(),
  at: Type.String(),
});
export type ChannelChange = Static<typeof ChannelChange>;
export const ChannelChangePage = Type.Object({
  channel: Type.String(),
  changes: Type.Array(ChannelChange),
  next: Type.Integer({ description: 'Pass as ?after= to read on.' }),
});

export const ItemChange = Type.Composite([
  EventRef,
  Type.Object({
    location: Type.String(),
    source: Type.String(),
    authority: Type.Boolean({ description: "true when the source is the location's authority (its figures count); false for a shadow source." }),
  }),
]);
export const ItemChangePage = Type.Object({
  sku: Type.String(),
  channel: Type.Union([Type.String(), Type.Null()], { description: 'The channel whose locations the changes are of; null for every location.' }),
  position: Type.Integer({ description: 'The log position the answer reflects.' }),
  changes: Type.Array(ItemChange, { description: 'Newest first.' }),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as ?before= for older changes; null when none older are kept.' }),
  omitted: Type.Integer({ description: 'Older movements folded into the figures and no longer listed, at the location and source with the most.' }),
});
