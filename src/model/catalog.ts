/**
 * Master data the inventory core needs: locations (with the source that is authoritative for
 * their physical stock), channels (with their availability rules) and items.
 */
import { UnitTable } from './cross-reference.js';
import { Type, type Static } from '@sinclair/typebox';
import { IDENTIFIER_FORMAT } from './formats.js';

export const Identifier = Type.String({ minLength: 1, maxLength: 200, format: IDENTIFIER_FORMAT });

export const LocationInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    authority: Type.String({
      minLength: 1,
      maxLength: 200,
      format: IDENTIFIER_FORMAT,
      description: "The source whose figures are authoritative for this location's physical stock.",
    }),
  },
  { additionalProperties: false },
);
export type LocationInput = Static<typeof LocationInput>;
export const Location = Type.Composite([Type.Object({ id: Type.String() }), LocationInput]);
export type Location = Static<typeof Location>;

export const Allocation = Type.Union(
  [
    Type.Object({ percent: Type.Number({ minimum: 0, maximum: 100 }) }, { additionalProperties: false }),
    Type.Object({ max: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  ],
  { description: 'Share of the pool the channel may sell: a percentage or a cap.' },
);

export const ChannelInput = Type.Object(
  {
    locations: Type.Array(Identifier, { minItems: 1, maxItems: 500, uniqueItems: true, description: 'Locations that feed the channel, in sourcing order.' }),
    safetyStock: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Units held back per item per location.' })),
    allocation: Type.Optional(Allocation),
    includeInbound: Type.Optional(Type.Object({ withinDays: Type.Number({ minimum: 0, maximum: 3650 }) }, { additionalProperties: false })),
    onErpUnavailable: Type.Optional(Type.Union([Type.Literal('queue'), Type.Literal('fail')], { default: 'queue' })),
    onCreditHold: Type.Optional(Type.Union([Type.Literal('hold'), Type.Literal('reject')], { default: 'hold' })),
  },
  { additionalProperties: false },
);
export type ChannelInput = Static<typeof ChannelInput>;

export interface Channel {
  id: string;
  locations: string[];
  safetyStock: number;
  allocation?: { percent: number } | { max: number };
  includeInbound?: { withinDays: number };
  onErpUnavailable: 'queue' | 'fail';
  onCreditHold: 'hold' | 'reject';
}
export const ChannelView = Type.Composite([Type.Object({ id: Type.String() }), ChannelInput]);

export const ItemInput = Type.Object(
  {
    description: Type.String({ maxLength: 1000 }),
    uom: Type.String({ minLength: 1, maxLength: 20, default: 'EA', description: 'Base unit of measure.' }),
    units: Type.Optional(UnitTable),
    partnerUnits: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 200 }), UnitTable, {
        description: "A partner's own packing of the item, by system id, over the item's units (its cases of 24 where the item's are 12).",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ItemInput = Static<typeof ItemInput>;
export const ItemView = Type.Object({
  sku: Type.String(),
  description: Type.Optional(Type.String()),
  uom: Type.Optional(Type.String()),
  units: Type.Optional(UnitTable),
  partnerUnits: Type.Optional(Type.Record(Type.String(), UnitTable)),
  defined: Type.Boolean({ description: 'false when the item is known only because an inventory event named it.' }),
});
export type ItemView = Static<typeof ItemView>;

export const ItemPage = Type.Object({
  items: Type.Array(ItemView),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as ?after= for the next page; null on the last page.' }),
});
export type ItemPage = Static<typeof ItemPage>;
