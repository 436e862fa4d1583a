/**
 * A customer's credit hold lifted: the orders held for it become due for the ERP (the ERP
 * commit's sweep places them). Written once for both backends.
 */
import { cloneOrder } from '../../domain/orders/order-state.js';
import type { OrderChanges } from '../../ports/order-changes.js';

/** Resolves with how many orders became due. Throws StorageFailedError. */
export async function releaseCreditHolds(changes: OrderChanges, customer: string): Promise<number> {
  const ids = await changes.heldFor(customer);
  if (ids.length === 0) return 0;
  return changes.change({ orders: ids }, (work) => {
    let released = 0;
    for (const id of ids) {
      const current = work.order(id);
      // Cancelled or released by another change meanwhile: nothing to do.
      if (current?.erp.state !== 'held' || current.cancelled) continue;
      const next = cloneOrder(current);
      next.erp = { state: 'pending', attempts: 0, nextAttemptAt: work.nowMs };
      work.record(next, [{ step: 'credit_hold.released', source: 'hub', detail: `customer ${customer} is no longer on credit hold` }]);
      released++;
    }
    return released;
  });
}
