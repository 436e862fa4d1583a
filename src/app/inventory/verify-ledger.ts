/**
 * Replays the whole event log into a fresh ledger and compares it with the state the embedded hub
 * serves (checkpoint + tail; domain/inventory/compare-ledgers.ts says what is compared).
 * Reservations are not in this log but in the orders: the caller loads them into the live ledger,
 * and they are copied into the fresh one, so figures with reservations are compared too.
 */
import { AvailabilityBook } from '../../domain/inventory/availability-book.js';
import { compareLedgers } from '../../domain/inventory/compare-ledgers.js';
import { InventoryLedger } from '../../domain/inventory/inventory-ledger.js';
import type { Clock } from '../../ports/clock.js';
import type { InventoryStore } from '../../ports/inventory-store.js';
import type { InventoryState } from './inventory-state.js';
import { replayLog } from './replay-log.js';

export interface VerifyReport {
  events: number;
  positions: number;
  figures: number;
  mismatches: string[];
}

export function verifyLedger(deps: { state: InventoryState; store: InventoryStore; clock: Clock }): VerifyReport {
  const { state, store } = deps;
  const fresh = new InventoryLedger({ movementsKept: state.ledger.movementsKept });
  const book = new AvailabilityBook(fresh);
  for (const def of state.book.locations.values()) book.defineLocation(def);
  const { events } = replayLog(store, fresh, book.locations, 0);
  for (const [sku, loc, units] of state.ledger.reservations()) fresh.reserve(sku, loc, units);
  return { events, ...compareLedgers({ ledger: fresh, book }, { ledger: state.ledger, book: state.book }, deps.clock.now()) };
}
