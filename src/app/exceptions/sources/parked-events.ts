/** Events accepted for a location not defined yet: grouped by that location; they apply, and resolve, once it is defined. */
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { InventoryReads, InventoryView } from '../../inventory/inventory-view.js';

const LIMIT = 10_000;

export function parkedEventSource(deps: { reads: InventoryReads; view: InventoryView }): ExceptionSource {
  return {
    class: 'parked_event',
    severity: 'medium',
    actions: [],
    async current() {
      return (await deps.reads.parkedEvents(undefined, LIMIT)).map((p) => ({
        key: String(p.position),
        entity: { kind: 'item', id: p.sku },
        error: p.reason,
        group: `location:${p.location}`,
        system: null,
        correlationId: p.correlationId ?? null,
        since: p.parkedAt,
      }));
    },
    payload: async (key) => (await deps.reads.eventAt(Number(key))) ?? null,
    async whyGone(e) {
      const location = e.group.slice('location:'.length);
      return deps.view.book.locations.has(location) ? `location ${location} was defined and the event applied` : 'the event is no longer parked';
    },
    act: async () => {
      throw new Error('parked events take no source actions');
    },
  };
}
