/**
 * Replays the event log from a position into a ledger: the one way the hub rebuilds state, used
 * at start (checkpoint + tail) and by verification (from the beginning). Events for locations not
 * defined are left out, as they are parked in the live hub.
 */
import type { InventoryLedger } from '../domain/inventory/inventory-ledger.js';
import type { InventoryEvent } from '../model/inventory-event.js';
import type { InventoryStore } from '../ports/inventory-store.js';

const PAGE = 10_000;

/** Returns the position of the last event replayed (or `after`) and how many were read. */
export function replayLog(
  store: InventoryStore, ledger: InventoryLedger, isDefined: (location: string) => boolean, after: number,
  onEvent?: (event: InventoryEvent) => void,
): { last: number; events: number } {
  let last = after, events = 0;
  for (;;) {
    const page = store.readEvents(last, PAGE);
    if (page.length === 0) return { last, events };
    for (const { position, event } of page) {
      events++;
      last = position;
      onEvent?.(event);
      // The log holds accepted events only, so every seq is new here; marking keeps dedupe in step.
      if (ledger.markSeq(event.source, event.seq) && isDefined(event.location)) ledger.apply(event, position);
    }
  }
}
