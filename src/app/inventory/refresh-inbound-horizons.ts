/**
 * Channels that count inbound supply due within N days see their figures grow as time passes
 * and ETAs enter the horizon, with no event to trigger it. This sweep records those changes in
 * the feed; lookups compute the live figure and never wait for it.
 */
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import type { Clock } from '../../ports/clock.js';
import type { InventoryStore } from '../../ports/inventory-store.js';
import type { InventoryState } from './inventory-state.js';

export function refreshInboundHorizons(deps: { state: InventoryState; store: InventoryStore; clock: Clock }): number {
  const { state, store, clock } = deps;
  const nowMs = clock.now();
  const moved: FigureChange[] = [];
  for (const rule of state.book.channels.values()) {
    if (!rule.includeInbound) continue;
    for (const sku of state.ledger.skusWithDatedInbound) state.book.refreshOne(rule, sku, nowMs, moved);
  }
  if (moved.length > 0) {
    store.transaction(() => state.writeChanges(moved, nowMs));
  }
  return moved.length;
}
