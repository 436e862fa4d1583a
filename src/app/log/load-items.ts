/**
 * What the domain needs to decide about some items inside a shared-state transaction: every
 * source's position of them, the catalogue, the figures as last published, and the units held
 * for orders. Workers applying events and api processes reserving stock load it the same way,
 * so both compute the same figures.
 */
import { AvailabilityBook } from '../../domain/inventory/availability-book.js';
import { InventoryLedger, type LedgerOptions } from '../../domain/inventory/inventory-ledger.js';
import { StockPosition } from '../../domain/inventory/stock-position.js';
import type { LedgerTransaction } from '../../ports/ledger-store.js';

export interface LoadedItems {
  ledger: InventoryLedger;
  book: AvailabilityBook;
}

/** `ledger` matters where the loaded ledger applies events (a worker's batch, a location's released events). */
export async function loadItems(tx: LedgerTransaction, skus: readonly string[], ledgerOptions: LedgerOptions = {}): Promise<LoadedItems> {
  const ledger = new InventoryLedger(ledgerOptions);
  const book = new AvailabilityBook(ledger);
  const { locations, channels, positions, figures, reserved } = await tx.itemsState(skus);
  for (const def of locations) book.defineLocation(def);
  for (const rule of channels) book.defineChannel(rule);
  for (const state of positions) ledger.restorePosition(StockPosition.fromJSON(state as Parameters<typeof StockPosition.fromJSON>[0]));
  for (const f of figures) if (book.channels.has(f.channel)) book.restoreFigure(f.channel, f.sku, f.available);
  for (const r of reserved) ledger.reserve(r.sku, r.location, r.units);
  return { ledger, book };
}
