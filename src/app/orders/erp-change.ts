/**
 * Telling the ERP an order it holds was amended: one attempt sends the order's complete current
 * lines (a replacement, so a repeat or a retry after a timeout does no harm), and the answer is
 * recorded on the order as it stands then. A failure keeps the change owed with the next attempt's
 * time, on the order itself, so a stopped process or an ERP that is down loses nothing: the ERP
 * sweep of either backend sends it again. Written once for both backends against OrderWork.
 */
import { ErpCallError } from '../../domain/orders/order-errors.js';
import { cloneOrder, owesErpChange, type OrderState } from '../../domain/orders/order-state.js';
import type { ErpConnector, ErpLine } from '../../ports/erp.js';
import type { OrderWork } from '../../ports/order-changes.js';

export type ErpChangeOutcome = { sent: ErpLine[] } | { failure: ErpCallError; sent: ErpLine[] };

/** The lines the ERP is to hold for the order. */
export function erpLinesOf(order: OrderState): ErpLine[] {
  return order.lines.map((l) => ({ sku: l.sku, qty: l.qty, ...(l.unitPrice !== undefined ? { unitPrice: l.unitPrice } : {}) }));
}

/** Never throws for ERP failures: they come back as the outcome. */
export async function attemptErpChange(erp: ErpConnector, order: OrderState, timeoutMs: number): Promise<ErpChangeOutcome> {
  const sent = erpLinesOf(order);
  try {
    await erp.changeOrder(order.id, sent, timeoutMs, order.correlationId);
    return { sent };
  } catch (err) {
    return { sent, failure: err instanceof ErpCallError ? err : new ErpCallError('order change', (err as Error).message, false, true, { cause: err }) };
  }
}

const sameLines = (a: readonly ErpLine[], b: readonly ErpLine[]) =>
  a.length === b.length && a.every((l, i) => l.sku === b[i]!.sku && l.qty === b[i]!.qty && l.unitPrice === b[i]!.unitPrice);

/**
 * Records an answer: the change is done when the ERP took the lines the order still has; amended
 * again while the call ran, the change stays owed and is due at once. Returns the order as it ends up.
 */
export function recordErpChange(
  work: OrderWork,
  orderId: string,
  outcome: ErpChangeOutcome,
  ctx: { nextAttemptAt: (attempts: number) => number; correlationId?: string | undefined },
): OrderState | undefined {
  const current = work.order(orderId);
  if (!current || !owesErpChange(current)) return current;
  const next = cloneOrder(current);
  const change = next.erp.change!;
  const correlation = ctx.correlationId ? { correlationId: ctx.correlationId } : {};
  if ('failure' in outcome) {
    change.attempts++;
    change.lastError = outcome.failure.reason;
    change.nextAttemptAt = ctx.nextAttemptAt(change.attempts);
    const detail = `${outcome.failure.reason}; next attempt at ${new Date(change.nextAttemptAt).toISOString()}`;
    work.record(next, [{ step: 'erp.change_failed', source: 'erp', detail, ...correlation }]);
    return next;
  }
  if (!sameLines(outcome.sent, erpLinesOf(current))) {
    next.erp.change = { ...change, attempts: 0, nextAttemptAt: work.nowMs };
    work.record(next, [{ step: 'erp.changed', source: 'erp', detail: 'the ERP took earlier lines; the order was amended again meanwhile', ...correlation }]);
    return next;
  }
  delete next.erp.change;
  const number = next.erp.orderNumber === undefined ? '' : ` ${next.erp.orderNumber}`;
  work.record(next, [{ step: 'erp.changed', source: 'erp', detail: `ERP order${number} now has the amended lines`, ...correlation }]);
  return next;
}
