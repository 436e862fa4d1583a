/**
 * The check behind `crossdock replay --verify` on either backend: a ledger rebuilt from the event
 * log against the one the hub serves. Every bucket of every stock position, every unit held for
 * orders, and every channel figure the hub last published against what the rebuilt ledger
 * computes. Any difference means a bug or a damaged store, so each is named for a person to act on.
 */
import type { AvailabilityBook } from './availability-book.js';
import { BUCKETS } from './buckets.js';
import type { InventoryLedger } from './inventory-ledger.js';

export interface LedgerAndFigures {
  ledger: InventoryLedger;
  book: AvailabilityBook;
}

export interface LedgerComparison {
  positions: number;
  figures: number;
  mismatches: string[];
}

export function compareLedgers(replayed: LedgerAndFigures, live: LedgerAndFigures, nowMs: number): LedgerComparison {
  const mismatches: string[] = [];
  let positions = 0;
  const seen = new Set<string>();
  for (const p of replayed.ledger.allPositions()) {
    positions++;
    seen.add(`${p.source}/${p.sku}/${p.location}`);
    const served = live.ledger.position(p.source, p.sku, p.location);
    for (const b of BUCKETS) {
      const want = p.quantity(b),
        got = served ? served.quantity(b) : 0;
      if (want !== got) mismatches.push(`${p.sku} at ${p.location} from ${p.source}: ${b} is ${got}, replay gives ${want}`);
    }
    const closed = JSON.stringify(served?.openSupply() ?? []),
      replayed = JSON.stringify(p.openSupply());
    if (p.announces && closed !== replayed)
      mismatches.push(`${p.sku} at ${p.location} from ${p.source}: announced supply open ${closed}, replay gives ${replayed}`);
  }
  for (const p of live.ledger.allPositions()) {
    if (!seen.has(`${p.source}/${p.sku}/${p.location}`) && BUCKETS.some((b) => p.quantity(b) !== 0)) {
      mismatches.push(`${p.sku} at ${p.location} from ${p.source}: held by the hub but no event in the log makes it`);
    }
  }
  const held = new Map<string, number>();
  for (const [sku, loc, units] of live.ledger.reservations()) held.set(`${sku} at ${loc}`, units);
  for (const [sku, loc, units] of replayed.ledger.reservations()) {
    const key = `${sku} at ${loc}`;
    const got = held.get(key) ?? 0;
    held.delete(key);
    if (got !== units) mismatches.push(`${key}: ${got} units held for orders, replay gives ${units}`);
  }
  for (const [key, units] of held) mismatches.push(`${key}: ${units} units held for orders, replay gives 0`);
  let figures = 0;
  for (const rule of live.book.channels.values()) {
    // Figures counting inbound move with time alone; the feed catches up on its own sweep.
    if (rule.includeInbound) continue;
    if (!replayed.book.channels.has(rule.id)) replayed.book.defineChannel(rule);
    for (const sku of new Set([...live.book.skusOf(rule), ...replayed.book.skusOf(rule)])) {
      figures++;
      const want = replayed.book.compute(rule, sku, nowMs),
        published = live.book.publishedFigure(rule.id, sku);
      if (want !== published) mismatches.push(`${sku} on ${rule.id}: the feed last published ${published}, replay gives ${want}`);
    }
  }
  return { positions, figures, mismatches };
}
