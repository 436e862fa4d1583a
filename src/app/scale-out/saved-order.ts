/** How an order is saved on the shared state: with its status and whether it is owed units. */
import { lineFigures, statusOf, type OrderState } from '../../domain/orders/order-state.js';
import type { SavedOrder } from '../../ports/shared-order-store.js';

export function savedOrder(order: OrderState, erpLeaseMs?: number): SavedOrder {
  return {
    order, status: statusOf(order), owes: order.lines.some((l) => lineFigures(order, l).backordered > 0),
    ...(erpLeaseMs !== undefined ? { erpLeaseMs } : {}),
  };
}
