/**
 * What a connector needs to speak the hub's ids and units and a partner's: canonical ids of the
 * partner's ids, the partner's ids of the hub's, and how an item is packed. Implemented in the
 * application over the cross-reference store (src/app/master-data/cross-references.ts).
 */
import type { CrossReference, XrefKey, XrefKind } from '../domain/master-data/cross-reference.js';
import type { UnitConversions } from '../domain/master-data/units-of-measure.js';

/** An item's base unit and the conversions that apply for one system (its own packing over the item's). */
export interface PackingOf {
  base: string;
  partner: UnitConversions;
  item: UnitConversions;
}

export interface ReferenceLookup {
  /** The reference of each key, in the order asked (undefined where the key is not mapped). */
  resolve(keys: readonly XrefKey[]): Promise<(CrossReference | undefined)[]>;
  /** Per canonical id, the system's ids of it by scheme (ids without any are absent). */
  externalIds(kind: XrefKind, system: string, ids: readonly string[]): Promise<Map<string, Record<string, string>>>;
  /** Per SKU, its base unit and conversions as `system` packs it. */
  packing(system: string, skus: readonly string[]): Promise<Map<string, PackingOf>>;
}
