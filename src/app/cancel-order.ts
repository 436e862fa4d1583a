/** Cancels what has not shipped of an order, releasing its reservations and telling the ERP and warehouses. */
import { NotFoundError } from '../domain/errors.js';
import { cancel } from '../domain/orders/order-machine.js';
import { IllegalTransitionError } from '../domain/orders/order-errors.js';
import type { OrderState } from '../domain/orders/order-state.js';
import type { Clock } from '../ports/clock.js';
import type { InventoryState } from './inventory-state.js';
import type { OrderBook } from './order-book.js';
import type { GroupCommit } from './group-commit.js';
import { collectTouches } from './figure-touches.js';

export interface CancelDeps { state: InventoryState; book: OrderBook; commits: GroupCommit; clock: Clock }

/** Throws NotFoundError, IllegalTransitionError (already cancelled, or fully shipped), StorageFailedError. */
export async function cancelOrder(deps: CancelDeps, orderId: string, ctx: { principal: string; correlationId: string; reason?: string }): Promise<OrderState> {
  const { book, commits, state, clock } = deps;
  let result: OrderState | undefined;
  let refused: string | undefined;
  await commits.commit('the cancellation', () => {
    const order = book.get(orderId);
    if (!order) return;
    const decision = cancel(order, ctx.reason);
    if (decision.outcome !== 'applied') { refused = decision.outcome === 'rejected' || decision.outcome === 'waiting' ? decision.reason : ''; return; }
    const touches = collectTouches(state);
    const step = `cancel:${ctx.correlationId}`;
    book.record(decision.next, [{ step: 'cancelled', source: ctx.principal, correlationId: ctx.correlationId, ...(ctx.reason ? { detail: ctx.reason } : {}) }],
      decision.messages.map((message) => ({ step, message })), touches.touch);
    // Released units may be what a backordered order is waiting for.
    for (const line of decision.next.lines) book.fillBackorders(line.sku, touches.touch);
    touches.write(clock.now());
    result = decision.next;
  });
  if (refused !== undefined) throw new IllegalTransitionError(orderId, 'cancel', refused);
  if (!result) throw new NotFoundError('Order', orderId);
  return result;
}
