/**
 * Commits orders on the shared state to the ERP: once inside the capture request (api process),
 * then by the workers' sweep for the orders the channel queued, for credit holds lifted, and for
 * captures whose process died before the ERP answered. Exactly one ERP order per hub order: an
 * order's ERP commit is leased to one process at a time, and every retry asks the ERP for the
 * hub's reference before placing the order again.
 */
import type { Channel } from '../../model/catalog.js';
import type { Customer } from '../../model/customer.js';
import { NotFoundError } from '../../domain/errors.js';
import { ErpUnavailableError } from '../../domain/orders/order-errors.js';
import { awaitsErp, type OrderState } from '../../domain/orders/order-state.js';
import type { CustomerRecords } from '../../ports/customer-store.js';
import type { ErpConnector } from '../../ports/erp.js';
import type { SharedOrderStore } from '../../ports/shared-order-store.js';
import { afterErpAttempt, attemptErpCommit, cancelledMeanwhile, erpAttemptStep, erpBackoff, type ErpOutcome } from '../erp-attempt.js';
import { changeOrders, type Decide, type OrderChangeDeps, type OrderDecision } from './order-changes.js';
import { Batched } from './batched.js';

export interface SharedErpCommitDeps extends OrderChangeDeps {
  orders: SharedOrderStore;
  customers: CustomerRecords;
  erp: ErpConnector;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  onError?: (err: unknown) => void;
}

/** Orders a sweep takes at a time: a recovering ERP should not get the whole backlog at once. */
const SWEEP_BATCH = 8;
/**
 * Room beyond the ERP timeout for the writes that follow a call, before its lease runs out and a
 * worker takes the order over. Short on purpose: an order whose capture died waits no longer than
 * this, and a takeover that races a merely slow capture still makes one ERP order (the ERP
 * deduplicates by the hub's reference, and the loser's answer is recorded as the same order).
 */
const LEASE_MARGIN_MS = 5_000;

export class SharedErpCommits {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private readonly recorder = new Batched<{ id: string; decide: Decide }, OrderState | undefined>((changes) => changeOrders(this.deps, changes), 2);

  constructor(private readonly deps: SharedErpCommitDeps) {}

  /** How long a process owns an order's ERP commit once it takes it. */
  get leaseMs(): number {
    return this.deps.timeoutMs + LEASE_MARGIN_MS;
  }

  /**
   * The first commit, inside the capture request (the capture holds the order's lease). On failure
   * the channel decides: `queue` leaves the order pending for the sweep; `fail` releases its
   * stock, its channel reference and its idempotency key together and throws ErpUnavailableError.
   */
  async commitAtCapture(order: OrderState, channel: Channel, ctx: { correlationId: string }, key: string, customer: Customer): Promise<OrderState> {
    const outcome = await attemptErpCommit(this.deps.erp, order, customer, this.deps.timeoutMs, false);
    const failure = 'failure' in outcome ? outcome.failure : undefined;
    const failNow = failure !== undefined && channel.onErpUnavailable === 'fail';
    const next = await this.record(order.id, async (tx, current) => {
      if (current.cancelled) return this.afterCancel(current, outcome);
      if (!awaitsErp(current)) return { next: current };
      const attempted = afterErpAttempt(current, outcome, (n) => this.nextAttemptAt(n));
      if (!failNow)
        return {
          next: attempted,
          settleWaiting: attempted.erp.state === 'committed',
          steps: [{ ...erpAttemptStep(outcome, attempted), correlationId: ctx.correlationId }],
        };
      const failed: OrderState = {
        ...attempted,
        erp: { state: 'failed', attempts: attempted.erp.attempts, lastError: failure.reason, ...(attempted.erp.timedOut ? { timedOut: true } : {}) },
      };
      await tx.orders.dropReferences([{ channel: failed.channel, externalId: failed.externalId }]);
      await tx.orders.forgetKey(key);
      return {
        next: failed,
        holdsMove: true,
        steps: [
          {
            step: 'erp.failed',
            source: 'hub',
            correlationId: ctx.correlationId,
            detail: `channel ${channel.id} fails orders when the ERP is unavailable: ${failure.reason}; reservation released`,
          },
        ],
        // The ERP may have taken an order whose answer timed out: ask it to void the reference.
        messages: failed.erp.timedOut ? [{ step: 'erp.failed', message: { destination: 'erp', topic: 'order.void', payload: { reference: failed.id } } }] : [],
      };
    });
    if (next.erp.state === 'failed' && failure) throw new ErpUnavailableError(order.id, failure.reason);
    return next;
  }

  /** One retry of a leased order; it asks the ERP for the order first. */
  async retry(order: OrderState): Promise<OrderState> {
    if (!awaitsErp(order)) return order;
    const outcome = await this.call(order, true);
    return this.record(order.id, async (_tx, current) => {
      if (current.cancelled) return this.afterCancel(current, outcome);
      if (!awaitsErp(current)) return { next: current };
      const next = afterErpAttempt(current, outcome, (n) => this.nextAttemptAt(n));
      return { next, settleWaiting: next.erp.state === 'committed', steps: [erpAttemptStep(outcome, next)] };
    });
  }

  /** Retries every order that is due and not leased elsewhere; resolves with how many it tried. */
  sweep(): Promise<number> {
    this.sweeping ??= (async () => {
      let tried = 0;
      try {
        for (;;) {
          const due = await this.deps.orders.leaseDueForErp(SWEEP_BATCH, this.leaseMs);
          await Promise.all(due.map((o) => this.retry(o).catch((err) => this.deps.onError?.(err))));
          tried += due.length;
          if (due.length < SWEEP_BATCH) return tried;
        }
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  nudge(): void {
    if (!this.timer) return;
    this.sweep().catch((err) => this.deps.onError?.(err));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => 0);
  }

  /** An answer for an order cancelled while the call ran: recorded, and the ERP told to drop what it may have taken. */
  private async afterCancel(current: OrderState, outcome: ErpOutcome): Promise<OrderDecision> {
    if (current.erp.state !== 'pending') return { next: current };
    const message = cancelledMeanwhile(current, outcome);
    const next =
      'failure' in outcome
        ? current
        : { ...current, erp: { state: 'committed' as const, orderNumber: outcome.orderNumber, attempts: current.erp.attempts + 1 } };
    if (!message) return { next };
    return {
      next: next === current ? { ...current } : next,
      steps: [{ step: 'erp.after_cancel', source: 'erp', detail: `${message.topic} sent: the order was cancelled while the ERP call ran` }],
      messages: [{ step: 'erp.after_cancel', message }],
    };
  }

  /** Records an ERP answer; the answers to concurrent captures share one transaction. */
  private async record(id: string, decide: Decide): Promise<OrderState> {
    const recorded = await this.recorder.call({ id, decide });
    if (!recorded) throw new NotFoundError('Order', id);
    return recorded;
  }

  private async call(order: OrderState, askFirst: boolean): Promise<ErpOutcome> {
    return attemptErpCommit(this.deps.erp, order, await this.deps.customers.customer(order.customer), this.deps.timeoutMs, askFirst);
  }

  private nextAttemptAt(attempts: number): number {
    return this.deps.clock.now() + erpBackoff(attempts, this.deps.retryBaseMs, this.deps.retryMaxMs);
  }
}
