/**
 * What an ERP answer does to an order, decided on the order as it stands when the answer is
 * recorded (it may have been cancelled, or committed by another attempt, while the call ran).
 * Written once for both backends against OrderWork.
 */
import { cloneOrder, type OrderState } from '../../domain/orders/order-state.js';
import type { OrderWork, StepMessage } from '../../ports/order-changes.js';
import { recordSettled } from './apply-order-events.js';
import { afterErpAttempt, cancelledMeanwhile, erpAttemptStep, type ErpOutcome } from './erp-attempt.js';

export interface ErpAnswerContext {
  correlationId?: string | undefined;
  /** When the next attempt is due after `attempts` failed ones (epoch ms). */
  nextAttemptAt: (attempts: number) => number;
  /**
   * At capture, on a channel that fails orders when the ERP is unavailable: a failed call fails
   * the order, releases its stock and frees its channel number and Idempotency-Key.
   */
  failAtCapture?: { channel: string; idempotencyKey: string };
}

/** Records the answer; returns the order as it ends up, or undefined for an order the hub does not know. */
export function recordErpAnswer(work: OrderWork, orderId: string, outcome: ErpOutcome, ctx: ErpAnswerContext): OrderState | undefined {
  const current = work.order(orderId);
  // Committed by another attempt, failed or held meanwhile: this answer changes nothing.
  if (current?.erp.state !== 'pending') return current;
  const attempted = afterErpAttempt(current, outcome, ctx.nextAttemptAt);
  const step = { ...erpAttemptStep(outcome, attempted), ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}) };
  if (current.cancelled) {
    // Cancelled while the call ran: the ERP is told to drop what it may have taken.
    const told = cancelledMeanwhile(current, outcome);
    const messages: StepMessage[] = told ? [{ step: 'erp.after_cancel', message: told }] : [];
    work.record(attempted, [step], messages);
    return attempted;
  }
  if ('failure' in outcome) {
    if (!ctx.failAtCapture) {
      work.record(attempted, [step]);
      return attempted;
    }
    const failed = cloneOrder(attempted);
    failed.erp = {
      state: 'failed',
      attempts: attempted.erp.attempts,
      lastError: outcome.failure.reason,
      ...(attempted.erp.timedOut ? { timedOut: true } : {}),
    };
    work.forgetCapture(failed, ctx.failAtCapture.idempotencyKey);
    // The ERP may have taken an order whose answer timed out: ask it to void the reference.
    const messages: StepMessage[] = failed.erp.timedOut
      ? [{ step: 'erp.failed', message: { destination: 'erp', topic: 'order.void', payload: { reference: failed.id } } }]
      : [];
    const detail = `channel ${ctx.failAtCapture.channel} fails orders when the ERP is unavailable: ${outcome.failure.reason}; reservation released`;
    work.record(failed, [{ step: 'erp.failed', source: 'hub', correlationId: ctx.correlationId, detail }], messages);
    return failed;
  }
  // Events that waited for the ERP's confirmation (a release) apply now.
  return recordSettled(work, attempted, undefined, [step]);
}
