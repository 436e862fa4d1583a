/**
 * The embedded hub's ERP queue: the due orders are the open orders in memory, and an attempt in
 * flight is marked in memory. A capture marks its order before the order is on disk, so the
 * background sweep never places an order the hub has not stored yet, and the capture, not the
 * sweep, makes the first attempt.
 */
import { awaitsErp, owesErpChange, type OrderState } from '../../../domain/orders/order-state.js';
import type { Clock } from '../../../ports/clock.js';
import type { ErpQueue } from '../../../ports/erp-queue.js';
import type { OpenOrders } from '../open-orders.js';

export class InProcessErpQueue implements ErpQueue {
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: { openOrders: OpenOrders; clock: Clock }) {}

  /** The capture of `orderId` makes the first attempt: the sweep leaves the order alone until it releases it. */
  keepForCapture(orderId: string): void {
    this.inFlight.add(orderId);
  }

  async takeDue(limit: number): Promise<OrderState[]> {
    const now = this.deps.clock.now();
    const due: OrderState[] = [];
    for (const order of this.deps.openOrders.all()) {
      if (due.length === limit) break;
      // A placement due, or an amendment the ERP is owed.
      const owed = awaitsErp(order) || owesErpChange(order);
      const dueAt = awaitsErp(order) ? order.erp.nextAttemptAt : order.erp.change?.nextAttemptAt;
      if (!owed || (dueAt ?? 0) > now || this.inFlight.has(order.id)) continue;
      this.inFlight.add(order.id);
      due.push(order);
    }
    return due;
  }

  release(orderId: string): void {
    this.inFlight.delete(orderId);
  }
}
