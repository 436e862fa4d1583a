/**
 * Collects the item × location pairs a change touched and, inside the transaction, recomputes
 * the channel figures they feed and appends the moves to the change feed, so figures are
 * computed and given cursors in commit order.
 */
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import type { InventoryState } from './inventory-state.js';

export interface Touches {
  touch(sku: string, location: string): void;
  /** Recomputes and records the touched figures at `nowMs`; returns how many moved. */
  write(nowMs: number): number;
}

export function collectTouches(state: InventoryState): Touches {
  const touched = new Map<string, Set<string>>();
  return {
    touch(sku, location) {
      const set = touched.get(sku);
      if (set) set.add(location);
      else touched.set(sku, new Set([location]));
    },
    write(nowMs) {
      const moved: FigureChange[] = [];
      for (const [sku, locations] of touched) state.book.refreshItem(sku, [...locations], nowMs, moved);
      touched.clear();
      state.writeChanges(moved, nowMs);
      return moved.length;
    },
  };
}
