/**
 * Replays the whole event log into a fresh ledger and compares it with the state the hub serves
 * (checkpoint + tail): every bucket of every stock position, and every channel figure against
 * the last one the change feed published. Reservations are not in the log but in the orders: the
 * caller loads them into the live ledger, and they are copied into the fresh one, so figures with
 * reservations are compared too. A difference means a bug or a damaged store.
 */
import { AvailabilityBook } from '../domain/inventory/availability-book.js';
import { BUCKETS } from '../domain/inventory/buckets.js';
import { InventoryLedger } from '../domain/inventory/inventory-ledger.js';
import type { Clock } from '../ports/clock.js';
import type { InventoryStore } from '../ports/inventory-store.js';
import type { InventoryState } from './inventory-state.js';
import { replayLog } from './replay-log.js';

export interface VerifyReport { events: number; positions: number; figures: number; mismatches: string[] }

export function verifyLedger(deps: { state: InventoryState; store: InventoryStore; clock: Clock }): VerifyReport {
  const { state, store } = deps;
  const fresh = new InventoryLedger();
  const book = new AvailabilityBook(fresh);
  for (const def of state.book.locations.values()) book.defineLocation(def);
  const { events } = replayLog(store, fresh, (loc) => book.locations.has(loc), 0);
  for (const [sku, loc, units] of state.ledger.reservations()) fresh.reserve(sku, loc, units);
  const mismatches: string[] = [];
  let positions = 0;
  const seen = new Set<string>();
  for (const p of fresh.allPositions()) {
    positions++;
    seen.add(`${p.source}/${p.sku}/${p.location}`);
    const live = state.ledger.position(p.source, p.sku, p.location);
    for (const b of BUCKETS) {
      const want = p.quantity(b), got = live ? live.quantity(b) : 0;
      if (want !== got) mismatches.push(`${p.sku} at ${p.location} from ${p.source}: ${b} is ${got}, replay gives ${want}`);
    }
  }
  for (const p of state.ledger.allPositions()) {
    if (!seen.has(`${p.source}/${p.sku}/${p.location}`) && BUCKETS.some((b) => p.quantity(b) !== 0)) {
      mismatches.push(`${p.sku} at ${p.location} from ${p.source}: held by the hub but no event in the log makes it`);
    }
  }
  let figures = 0;
  const now = deps.clock.now();
  for (const rule of state.book.channels.values()) {
    book.defineChannel(rule);
    for (const sku of state.book.skusOf(rule)) {
      figures++;
      const want = book.compute(rule, sku, now), published = state.book.publishedFigure(rule.id, sku);
      if (want !== published && !rule.includeInbound) {
        mismatches.push(`${sku} on ${rule.id}: the feed last published ${published}, replay gives ${want}`);
      }
    }
  }
  return { events, positions, figures, mismatches };
}
