/**
 * What the hub does to orders when events arrive, written once for both backends against
 * OrderWork: an order event runs through the state machine with whatever waited for it (or waits
 * for its precondition, or is rejected with an exception); stock the location's authority shows
 * leaving for an order stops being held; a count that shows shipped units gone releases what the
 * shipments still held. The embedded ingest and the scale-out workers call these inside the
 * transaction that applies the events.
 */
import type { PositionedEvent } from '../../domain/orders/order-machine.js';
import { cloneOrder, orderHolds, type OrderState } from '../../domain/orders/order-state.js';
import type { OrderWork, Step, StepMessage } from '../../ports/order-changes.js';
import { settleOrderEvents, waitingForUnknownOrder } from './order-settlement.js';

/** An order event at its log position; one for an order the hub does not know waits for it. */
export function receiveOrderEvent(work: OrderWork, incoming: PositionedEvent): void {
  const order = work.order(incoming.event.orderId);
  if (!order) {
    work.saveWaiting([waitingForUnknownOrder(incoming, work.nowIso)]);
    return;
  }
  recordSettled(work, order, incoming);
}

/**
 * Records `order` after running `incoming` (if any) and the events waiting for it (the ERP's
 * confirmation, say, may be what a release waited for), with `first` steps and messages before
 * theirs. Returns the order as it ends up.
 */
export function recordSettled(
  work: OrderWork,
  order: OrderState,
  incoming?: PositionedEvent,
  first: readonly Step[] = [],
  firstMessages: readonly StepMessage[] = [],
): OrderState {
  const result = settleOrderEvents(order, work.waiting(order.id), incoming, work.nowIso);
  work.raise(result.exceptions);
  work.removeWaiting(result.removed);
  if (result.waits) work.saveWaiting([result.waits]);
  work.record(result.order, [...first, ...result.steps], [...firstMessages, ...result.messages]);
  return result.order;
}

/** The location's authority showed `qty` units of `sku` leaving `location` for an order: they stop being held. */
export function noteDeparture(
  work: OrderWork,
  orderId: string,
  sku: string,
  location: string,
  qty: number,
  event: { source: string; id: string; occurredAt: string },
): void {
  const order = work.order(orderId);
  if (!order?.lines.some((l) => l.sku === sku)) return;
  const next = cloneOrder(order);
  const line = next.lines.find((l) => l.sku === sku)!;
  line.departed[location] = (line.departed[location] ?? 0) + qty;
  work.record(next, [{ step: 'stock.departed', source: event.source, at: event.occurredAt, detail: `${qty} × ${sku} left ${location} (${event.id})` }]);
}

/** The authority counted `sku` at `location`: shipments before the count are inside it, so what they held is released. */
export function noteCount(work: OrderWork, sku: string, location: string): void {
  for (const id of work.shippedUnconfirmed(sku, location)) {
    const order = work.order(id);
    if (!order || sameHolds(work.holds(id), orderHolds(order, work.countedAt))) continue;
    work.record(cloneOrder(order), [{ step: 'stock.counted', source: 'hub', detail: `a count of ${sku} at ${location} shows the shipped units gone` }]);
  }
}

function sameHolds(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
