/**
 * Which orders are due for their ERP commit, and who may make the attempt: one attempt per order
 * at a time, so the ERP never hears of one order from two places at once. The embedded hub marks
 * orders in flight in memory; the scale-out backend leases them to a process for a while in the
 * shared state (a process that dies leaves its leases to run out).
 */
import type { OrderState } from '../domain/orders/order-state.js';

export interface ErpQueue {
  /** Takes up to `limit` orders due now that nobody is attempting, for `leaseMs` at most. */
  takeDue(limit: number, leaseMs: number): Promise<OrderState[]>;
  /** The attempt on the order is recorded: another may take it when it is due again. */
  release(orderId: string): void;
}
