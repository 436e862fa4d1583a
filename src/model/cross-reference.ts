/**
 * Cross-references and unit conversions as the API shows them (docs/REFERENCE.md "Cross-references
 * and units"). Each reference of a PUT is validated on its own by the domain, so the body schema
 * only bounds the batch.
 */
import { Type, type Static } from '@sinclair/typebox';

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

export const CrossReferenceView = Type.Object(
  {
    kind: Type.Union([Type.Literal('item'), Type.Literal('customer'), Type.Literal('location')]),
    system: Text('The system whose id this is (a configured system id).'),
    scheme: Text(
      "Which of the system's identifiers: an X12 qualifier (BP, UP, EN, VN, CB, ST...), variant_id, inventory_item_id, seller_sku, asin, item, warehouse; default id.",
    ),
    external: Text("The system's id."),
    id: Text("The hub's id: a SKU, customer id or location id."),
    shipTo: Type.Optional(Text('For a customer reached through a ship-to (a store number): which of its ship-to addresses.')),
  },
  { title: 'CrossReference' },
);
export type CrossReferenceView = Static<typeof CrossReferenceView>;

export const CrossReferenceBatch = Type.Array(Type.Unknown(), {
  minItems: 1,
  maxItems: 10_000,
  description: 'Cross-references to add or replace, each { kind, system, scheme?, external, id, shipTo? }; each is validated on its own.',
});

export const CrossReferenceResult = Type.Object({
  upserted: Type.Integer(),
  replayed: Type.Integer({ description: 'Parked documents the new references released (taken again, oldest first).' }),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), errors: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })) })),
});

export const UnitTable = Type.Record(Type.String({ pattern: '^[A-Z0-9]{1,6}$' }), Type.Integer({ minimum: 1, maximum: 1_000_000 }), {
  description: 'How many base units one of each unit holds, e.g. { "CA": 12, "PK": 6 }.',
});
