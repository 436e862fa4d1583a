/**
 * Durable cross-references and unit conversions (master data that translates other systems' ids
 * and units into the hub's). The embedded store answers at once; the scale-out store asks PostgreSQL.
 */
import type { CrossReference, XrefKey, XrefKind } from '../domain/master-data/cross-reference.js';
import type { UnitConversions } from '../domain/master-data/units-of-measure.js';

type Awaitable<T> = T | Promise<T>;

export interface XrefFilter {
  kind?: XrefKind;
  system?: string;
  scheme?: string;
  external?: string;
  id?: string;
  limit: number;
}

/** An item's unit conversions: its own (system ''), and each partner's packing of it. */
export interface ItemUnits {
  sku: string;
  units: UnitConversions;
  bySystem: Record<string, UnitConversions>;
}

export interface CrossReferenceStore {
  /** Saves each reference, replacing the canonical id of a key already mapped; all or nothing. */
  upsert(refs: readonly CrossReference[]): Awaitable<void>;
  /** The reference of each key, in the order asked (undefined where there is none). */
  resolve(keys: readonly XrefKey[]): Awaitable<(CrossReference | undefined)[]>;
  /** Every reference of `system` to any of the canonical `ids` of `kind` (outbound translation). */
  forIds(kind: XrefKind, system: string, ids: readonly string[]): Awaitable<CrossReference[]>;
  /** References matching every given field, ordered by kind, system, scheme, external. */
  find(filter: XrefFilter): Awaitable<CrossReference[]>;
  /** Removes one reference; false when there was none. */
  remove(key: XrefKey): Awaitable<boolean>;
  /** Replaces the unit conversions of an item for `system` ('' for the item's own). */
  saveUnits(sku: string, system: string, units: UnitConversions): Awaitable<void>;
  /** Conversions of each item asked, in the order asked (an item with none has empty tables). */
  units(skus: readonly string[]): Awaitable<ItemUnits[]>;
}
