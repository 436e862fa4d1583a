/**
 * The scale-out backend's ERP queue: due orders are leased in the shared state to the process that
 * takes them, so any number of processes sweep without two attempting one order; a process that
 * dies leaves its leases to run out. A capture's order is leased to its process when it is made.
 */
import type { OrderState } from '../../../domain/orders/order-state.js';
import type { ErpQueue } from '../../../ports/erp-queue.js';
import type { LockingOrderStore } from '../../../ports/locking-order-store.js';

export class LeasedErpQueue implements ErpQueue {
  constructor(private readonly orders: LockingOrderStore) {}

  takeDue(limit: number, leaseMs: number): Promise<OrderState[]> {
    return this.orders.leaseDueForErp(limit, leaseMs);
  }

  /** A recorded answer ends the order's wait or sets its next attempt; the lease simply runs out. */
  release(): void {}
}
