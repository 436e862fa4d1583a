/**
 * Cancels what has not shipped of an order: its reservations are released, the ERP and the
 * warehouses that were asked to fulfil it are told, and the units it gave back go at once to the
 * orders owed them. Written once for both backends.
 */
import { NotFoundError } from '../../domain/errors.js';
import { cancel } from '../../domain/orders/order-machine.js';
import { IllegalTransitionError } from '../../domain/orders/order-errors.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import { fillBackorders } from './fill-backorders.js';

/** Throws NotFoundError, IllegalTransitionError (already cancelled, or fully shipped), StorageFailedError. */
export async function cancelOrder(
  changes: OrderChanges,
  orderId: string,
  ctx: { principal: string; correlationId: string; reason?: string | undefined },
): Promise<OrderState> {
  const order = await changes.change({ orders: [orderId] }, (work) => {
    const current = work.order(orderId);
    if (!current) throw new NotFoundError('Order', orderId);
    const decision = cancel(current, ctx.reason);
    if (decision.outcome !== 'applied') throw new IllegalTransitionError(orderId, 'cancel', decision.reason);
    const step = `cancel:${ctx.correlationId}`;
    work.record(
      decision.next,
      [{ step: 'cancelled', source: ctx.principal, correlationId: ctx.correlationId, ...(ctx.reason ? { detail: ctx.reason } : {}) }],
      decision.messages.map((message) => ({ step, message })),
    );
    return decision.next;
  });
  // Released units may be what a backordered order is waiting for; a failure here leaves it to the sweep.
  await fillBackorders(
    changes,
    order.lines.map((l) => l.sku),
  ).catch(() => 0);
  return order;
}
