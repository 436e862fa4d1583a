/** Every event the log accepts: inventory events and order events share one envelope and one per-source sequence. */
import type { InventoryEvent } from './inventory-event.js';
import type { OrderEvent } from './order-event.js';

export type HubEvent = InventoryEvent | OrderEvent;

export function isInventoryEvent(e: HubEvent): e is InventoryEvent {
  return e.type === 'inventory.movement' || e.type === 'inventory.snapshot';
}
