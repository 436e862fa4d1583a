/**
 * Replays the event log from a position into a ledger: the one way the hub rebuilds state, used
 * at start (checkpoint + tail) and by verification (from the beginning), through the same
 * event-application step as live ingest. Events for locations not defined are left out, as they
 * are parked in the live hub; order events change stock only through their stock effects
 * (returns): the orders themselves are durable state, not replayed.
 */
import type { InventoryLedger } from '../../domain/inventory/inventory-ledger.js';
import { applyEvent, ignoredEffects, type EventEffects } from '../../domain/inventory/event-application.js';
import type { LocationDef } from '../../domain/inventory/availability-book.js';
import type { InventoryStore } from '../../ports/inventory-store.js';

const PAGE = 10_000;

/** Returns the position of the last event replayed (or `after`) and how many were read. */
export function replayLog(
  store: InventoryStore,
  ledger: InventoryLedger,
  locations: ReadonlyMap<string, LocationDef>,
  after: number,
  effects: EventEffects = ignoredEffects,
): { last: number; events: number } {
  let last = after,
    events = 0;
  for (;;) {
    const page = store.readEvents(last, PAGE);
    if (page.length === 0) return { last, events };
    for (const { position, event } of page) {
      events++;
      last = position;
      // The log holds accepted events only, so every seq is new here; marking keeps dedupe in step.
      if (!ledger.markSeq(event.source, event.seq)) continue;
      applyEvent(event, position, ledger, locations, effects);
    }
  }
}
