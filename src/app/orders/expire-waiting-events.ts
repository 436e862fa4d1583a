/**
 * Order events whose precondition never came (a shipment for an order never released, an event
 * for an order the hub does not know) become exceptions once they have waited longer than the
 * configured time: taken off the waiting list, raised for a person, and written on the order's
 * timeline as expired, never applied. Written once for both backends; on the scale-out backend
 * any worker may sweep, and an event another process expired or applied meanwhile is left alone.
 */
import { cloneOrder } from '../../domain/orders/order-state.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import type { WaitingRecord } from '../../ports/order-store.js';
import { expiryOf } from './order-settlement.js';

/** Events looked at per sweep. */
const BATCH = 100;

/** Pages expired per sweep at most, so a sweep always ends. */
const PAGES = 100;

/** Expires what has waited since before `cutoffIso`; resolves with how many. Throws StorageFailedError. */
export async function expireWaitingEvents(changes: OrderChanges, cutoffIso: string): Promise<number> {
  let expired = 0;
  for (let page = 0; page < PAGES; page++) {
    const n = await expirePage(changes, cutoffIso);
    expired += n;
    if (n < BATCH) break;
  }
  return expired;
}

async function expirePage(changes: OrderChanges, cutoffIso: string): Promise<number> {
  const old = await changes.waitingSince(cutoffIso, BATCH);
  if (old.length === 0) return 0;
  const orderIds = [...new Set(old.map((r) => r.orderId))];
  return changes.change({ orders: orderIds }, (work) => {
    let expired = 0;
    for (const id of orderIds) {
      // What still waits as this change sees it: another change may have applied or expired some.
      const due = work.waiting(id).filter((r: WaitingRecord) => r.since < cutoffIso);
      if (due.length === 0) continue;
      const expiries = due.map((r) => expiryOf(r, work.nowIso));
      work.removeWaiting(due.map((r) => r.position));
      work.raise(expiries.map((x) => x.exception));
      const order = work.order(id);
      if (order)
        work.record(
          cloneOrder(order),
          expiries.map((x) => x.step),
        );
      expired += due.length;
    }
    return expired;
  });
}
