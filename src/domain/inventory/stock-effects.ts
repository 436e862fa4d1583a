/**
 * The inventory events hidden in any hub event: an inventory event is its own effect; a
 * return.received adds its lines to on hand as a 'return' movement of its source (so it counts
 * only when that source is the location's authority, and is a shadow figure otherwise); other
 * order events do not touch stock.
 */
import type { HubEvent } from '../../model/hub-event.js';
import type { InventoryEvent } from '../../model/inventory-event.js';

export function stockEffectsOf(event: HubEvent): InventoryEvent[] {
  switch (event.type) {
    case 'inventory.movement':
    case 'inventory.snapshot':
      return [event];
    case 'return.received':
      return event.lines.map((l) => ({
        id: event.id,
        type: 'inventory.movement',
        source: event.source,
        seq: event.seq,
        occurredAt: event.occurredAt,
        sku: l.sku,
        location: event.location,
        reason: 'return',
        delta: { onHand: l.qty },
        orderId: event.orderId,
      }));
    default:
      return [];
  }
}

/** The location an event's stock effect lands at, if it has one. */
export function stockLocationOf(event: HubEvent): string | undefined {
  return 'location' in event && event.type !== 'order.shipped' ? event.location : undefined;
}

/**
 * True when applying the event can change what an order holds beyond its own stock effect: an
 * order event, or a movement carrying the order's id (stock seen leaving for it).
 */
export function namesOrder(event: HubEvent): boolean {
  if (event.type === 'inventory.snapshot') return false;
  return event.type !== 'inventory.movement' || event.orderId !== undefined;
}
