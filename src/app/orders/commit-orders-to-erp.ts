/**
 * Commits captured orders to the ERP: once inside the capture request, with the channel's policy
 * deciding what a failure means, then in the background for the orders the channel queued, for
 * credit holds lifted, and for captures whose process stopped before the ERP answered. Written
 * once for both backends: the ErpQueue says which orders are due and keeps one attempt per order
 * at a time, OrderChanges records each answer atomically.
 *
 * Exactly one ERP order per hub order: the hub's order id is the ERP's external reference, and
 * every retry (and every attempt after a call that timed out) asks the ERP for that reference
 * before placing the order again.
 */
import type { Channel } from '../../model/catalog.js';
import type { Customer } from '../../model/customer.js';
import { NotFoundError } from '../../domain/errors.js';
import { ErpUnavailableError } from '../../domain/orders/order-errors.js';
import { awaitsErp, owesErpChange, type OrderState } from '../../domain/orders/order-state.js';
import type { Clock } from '../../ports/clock.js';
import type { ErpConnector } from '../../ports/erp.js';
import type { ErpQueue } from '../../ports/erp-queue.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import { attemptErpCommit, erpBackoff, type ErpOutcome } from './erp-attempt.js';
import { recordErpAnswer, type ErpAnswerContext } from './record-erp-answer.js';
import { attemptErpChange, recordErpChange } from './erp-change.js';

export interface ErpCommitDeps {
  changes: OrderChanges;
  queue: ErpQueue;
  erp: ErpConnector;
  customer: (id: string) => Promise<Customer | undefined> | Customer | undefined;
  clock: Clock;
  timeoutMs: number;
  /** Backoff between attempts: base doubles per attempt up to max, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  random?: () => number;
  onError?: (err: unknown) => void;
}

/** Orders a sweep takes at a time: a recovering ERP should not get the whole backlog at once. */
const SWEEP_BATCH = 8;
/**
 * Room beyond the ERP timeout for the writes that follow a call, before an order taken for an
 * attempt may be taken again (on the scale-out backend, by another process). Short on purpose: an
 * order whose capture died waits no longer than this, and a takeover that races a merely slow
 * attempt still makes one ERP order (the ERP finds the hub's reference before placing it again).
 */
const LEASE_MARGIN_MS = 5_000;

export class ErpCommits {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(private readonly deps: ErpCommitDeps) {}

  /** How long an attempt owns its order once it takes it. */
  get leaseMs(): number {
    return this.deps.timeoutMs + LEASE_MARGIN_MS;
  }

  /**
   * The first attempt, inside the capture request, on an order already durable and held for this
   * capture in the queue. On failure the channel decides: `queue` leaves the order pending for the
   * sweep; `fail` releases its stock, its channel number and its Idempotency-Key together and
   * throws ErpUnavailableError.
   */
  async commitAtCapture(
    order: OrderState,
    channel: Channel,
    ctx: { correlationId: string },
    idempotencyKey: string,
    customer: Customer | undefined,
  ): Promise<OrderState> {
    try {
      const outcome = await attemptErpCommit(this.deps.erp, order, customer, this.deps.timeoutMs, false);
      const failAtCapture = channel.onErpUnavailable === 'fail' ? { channel: channel.id, idempotencyKey } : undefined;
      const next = await this.record(order.id, outcome, { correlationId: ctx.correlationId, ...(failAtCapture ? { failAtCapture } : {}) });
      if (next.erp.state === 'failed' && 'failure' in outcome) throw new ErpUnavailableError(order.id, outcome.failure.reason);
      return next;
    } finally {
      this.deps.queue.release(order.id);
    }
  }

  /**
   * Sends the ERP an amended order's lines (first attempt, from the amendment that owes it; the
   * order's change is due only after `leaseMs`, so no sweep sends it meanwhile). A failure stays
   * owed on the order for the sweep. Throws NotFoundError, StorageFailedError.
   */
  async sendChange(order: OrderState, correlationId?: string): Promise<OrderState> {
    if (!owesErpChange(order)) return order;
    const outcome = await attemptErpChange(this.deps.erp, order, this.deps.timeoutMs);
    const recorded = await this.deps.changes.change({ orders: [order.id] }, (work) =>
      recordErpChange(work, order.id, outcome, { nextAttemptAt: (n) => this.nextAttemptAt(n), correlationId }),
    );
    if (!recorded) throw new NotFoundError('Order', order.id);
    return recorded;
  }

  /** One retry of an order the queue gave this process: its placement (asking the ERP first), or the change it owes the ERP. */
  async retry(order: OrderState): Promise<OrderState> {
    try {
      if (owesErpChange(order)) return await this.sendChange(order);
      if (!awaitsErp(order)) return order;
      const outcome = await attemptErpCommit(this.deps.erp, order, await this.deps.customer(order.customer), this.deps.timeoutMs, true);
      return await this.record(order.id, outcome, {});
    } finally {
      this.deps.queue.release(order.id);
    }
  }

  /** Retries every order that is due and not taken elsewhere; resolves with how many it tried. */
  sweep(): Promise<number> {
    this.sweeping ??= (async () => {
      let tried = 0;
      try {
        for (;;) {
          const due = await this.deps.queue.takeDue(SWEEP_BATCH, this.leaseMs);
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

  /** Sweeps now (credit holds were lifted, say), once started. */
  nudge(): void {
    if (this.timer === undefined) return;
    this.sweep().catch((err) => this.deps.onError?.(err));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => 0);
  }

  private async record(orderId: string, outcome: ErpOutcome, ctx: Omit<ErpAnswerContext, 'nextAttemptAt'>): Promise<OrderState> {
    const nextAttemptAt = (attempts: number) => this.nextAttemptAt(attempts);
    const recorded = await this.deps.changes.change({ orders: [orderId] }, (work) => recordErpAnswer(work, orderId, outcome, { ...ctx, nextAttemptAt }));
    if (!recorded) throw new NotFoundError('Order', orderId);
    return recorded;
  }

  private nextAttemptAt(attempts: number): number {
    return this.deps.clock.now() + erpBackoff(attempts, this.deps.retryBaseMs, this.deps.retryMaxMs, this.deps.random);
  }
}
