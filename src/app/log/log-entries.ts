/**
 * Entries of the scale-out event log other than events. Catalogue changes travel in the same log
 * as the events, so every process applies a location's definition at the same place in the order
 * of things (an event before it is parked everywhere, one after it applies everywhere). Holds for
 * orders are committed to the shared state first and reach the read models through the log.
 */
import type { Channel } from '../../model/catalog.js';
import type { LocationDef } from '../../domain/inventory/availability-book.js';
import type { ItemRecord } from '../../ports/inventory-store.js';

export type CatalogEntry = { kind: 'location'; def: LocationDef } | { kind: 'channel'; channel: Channel } | { kind: 'item'; item: ItemRecord };

/**
 * Stock held (or, with negative units, released) for orders, as the log relay appends it.
 * `settles`: the positions of entries naming orders whose effect on holds this entry completes
 * (a worker writes one for every batch that had such entries, whether or not holds moved), so a
 * read model can say which position its figures fully reflect.
 */
export interface HoldsEntry {
  outboxId: number;
  holds: { orderId: string; sku: string; location: string; units: number }[];
  settles?: number[];
}
