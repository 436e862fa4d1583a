/** How an order is saved on the shared state: with its status and whether it is owed units. */
import { lineFigures, statusOf, type OrderState } from '../../domain/orders/order-state.js';
import type { OutboundMessage } from '../../domain/orders/order-machine.js';
import type { OutboxRecord, TimelineRecord } from '../../ports/order-store.js';
import type { OrderWrites, SavedOrder } from '../../ports/locking-order-store.js';
import { outboxRecords, timelineRecords, type Step } from './order-records.js';

export function savedOrder(order: OrderState, erpLeaseMs?: number): SavedOrder {
  return {
    order,
    status: statusOf(order),
    owes: order.lines.some((l) => lineFigures(order, l).backordered > 0),
    ...(erpLeaseMs !== undefined ? { erpLeaseMs } : {}),
  };
}

/** An order as a change leaves it, with the timeline steps and outbox messages the change writes. */
export interface OrderChange {
  order: OrderState;
  steps: readonly Step[];
  messages: readonly { step: string; message: OutboundMessage }[];
}

/** Writes changed orders, their timeline entries and their outbox messages (inside the change's transaction). */
export async function saveOrderChanges(orders: OrderWrites, changes: readonly OrderChange[], nowIso: string): Promise<void> {
  const saved: SavedOrder[] = [];
  const timeline: TimelineRecord[] = [];
  const outbox: OutboxRecord[] = [];
  for (const c of changes) {
    const record = savedOrder(c.order);
    saved.push(record);
    timeline.push(...timelineRecords(c.order, record.status, c.steps, nowIso));
    outbox.push(...outboxRecords(c.order, c.messages, nowIso, c.steps));
  }
  await orders.saveOrders(saved);
  await orders.appendTimeline(timeline);
  await orders.appendOutbox(outbox);
}
