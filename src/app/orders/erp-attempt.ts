/**
 * One attempt to commit an order to the ERP, and what it does to the order: shared by both
 * backends so "exactly one ERP order per hub order" rests on one piece of code. The hub's order id
 * is the ERP's external reference; after a call that timed out (the ERP may have created the
 * order anyway) or after a crash, the hub asks the ERP for that reference before placing it again.
 */
import type { Customer } from '../../model/customer.js';
import { ErpCallError } from '../../domain/orders/order-errors.js';
import { cloneOrder, type OrderState } from '../../domain/orders/order-state.js';
import type { ErpConnector } from '../../ports/erp.js';
import type { OutboundMessage } from '../../domain/orders/order-machine.js';

export type ErpOutcome = { orderNumber: string } | { failure: ErpCallError };

/** Never throws for ERP failures: they come back as the outcome. */
export async function attemptErpCommit(
  erp: ErpConnector,
  order: OrderState,
  customer: Customer | undefined,
  timeoutMs: number,
  askFirst: boolean,
): Promise<ErpOutcome> {
  try {
    if (order.erp.timedOut || askFirst) {
      const found = await erp.findOrder(order.id, timeoutMs, order.correlationId);
      if (found) return { orderNumber: found.orderNumber };
    }
    return await erp.placeOrder(
      {
        reference: order.id,
        channel: order.channel,
        externalId: order.externalId,
        customer: order.customer,
        ...(customer?.erpCustomerNumber ? { erpCustomerNumber: customer.erpCustomerNumber } : {}),
        lines: order.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
        ...(order.correlationId ? { correlationId: order.correlationId } : {}),
      },
      timeoutMs,
    );
  } catch (err) {
    return { failure: err instanceof ErpCallError ? err : new ErpCallError('order placement', (err as Error).message, false, true, { cause: err }) };
  }
}

/** The order after an attempt: committed with the ERP's number, or pending with the next attempt's time. */
export function afterErpAttempt(order: OrderState, outcome: ErpOutcome, nextAttemptAt: (attempts: number) => number): OrderState {
  const next = cloneOrder(order);
  next.erp.attempts++;
  if ('failure' in outcome) {
    next.erp.lastError = outcome.failure.reason;
    if (outcome.failure.timedOut) next.erp.timedOut = true;
    next.erp.nextAttemptAt = nextAttemptAt(next.erp.attempts);
  } else {
    // Amended while the order was pending: the placement may have carried the earlier lines, so the change is still sent.
    next.erp = {
      state: 'committed',
      orderNumber: outcome.orderNumber,
      attempts: next.erp.attempts,
      ...(order.erp.change ? { change: { attempts: 0, nextAttemptAt: 0, ...(order.erp.change.since ? { since: order.erp.change.since } : {}) } } : {}),
    };
  }
  return next;
}

/** The timeline entry an attempt adds. */
export function erpAttemptStep(outcome: ErpOutcome, next: OrderState): { step: string; source: string; detail: string } {
  return 'failure' in outcome
    ? { step: 'erp.attempt_failed', source: 'erp', detail: `${outcome.failure.reason}; next attempt at ${new Date(next.erp.nextAttemptAt!).toISOString()}` }
    : { step: 'erp.committed', source: 'erp', detail: `ERP order ${outcome.orderNumber}` };
}

/**
 * What the ERP must be told when the order was cancelled while its call ran (cancellation tells
 * the ERP only about orders it already has): cancel the order it just took, or void the reference
 * of a call that timed out (it may have taken it). Undefined when there is nothing to tell.
 */
export function cancelledMeanwhile(order: OrderState, outcome: ErpOutcome): OutboundMessage | undefined {
  if (!order.cancelled) return undefined;
  if ('failure' in outcome) return outcome.failure.timedOut ? { destination: 'erp', topic: 'order.void', payload: { reference: order.id } } : undefined;
  return {
    destination: 'erp',
    topic: 'order.cancel',
    payload: { orderId: order.id, erpOrderNumber: outcome.orderNumber, reason: 'cancelled while the ERP took the order' },
  };
}

/** Exponential backoff with full jitter, so many queued orders do not hit a recovering ERP at one instant. */
export function erpBackoff(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
