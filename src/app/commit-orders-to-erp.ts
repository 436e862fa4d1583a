/**
 * Commits captured orders to the ERP: once at capture with the channel's policy deciding what a
 * failure means, then in the background with retries for the orders the channel queued.
 * Exactly one ERP order per hub order: the hub's order id is the ERP's external reference, and
 * after a call that timed out (the ERP may have created the order anyway) the hub asks the ERP
 * for that reference before placing it again.
 */
import type { Channel } from '../model/catalog.js';
import { ErpUnavailableError } from '../domain/orders/order-errors.js';
import { awaitsErp, cloneOrder, type OrderState } from '../domain/orders/order-state.js';
import type { Clock } from '../ports/clock.js';
import type { CustomerStore } from '../ports/customer-store.js';
import type { ErpConnector } from '../ports/erp.js';
import type { OrderStore } from '../ports/order-store.js';
import type { InventoryState } from './inventory-state.js';
import type { OrderBook } from './order-book.js';
import type { GroupCommit } from './group-commit.js';
import { collectTouches } from './figure-touches.js';
import { liveOrderWork } from './order-changes/event-loop-order-changes.js';
import { recordSettled } from './apply-order-events.js';
import { afterErpAttempt, attemptErpCommit, cancelledMeanwhile, erpAttemptStep, erpBackoff, type ErpOutcome } from './erp-attempt.js';

export interface ErpCommitDeps {
  state: InventoryState;
  orders: OrderStore;
  book: OrderBook;
  customers: CustomerStore;
  erp: ErpConnector;
  clock: Clock;
  commits: GroupCommit;
  timeoutMs: number;
  /** Backoff between attempts: base doubles per attempt up to max, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  random?: () => number;
}

export class ErpCommitter {
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly deps: ErpCommitDeps) {}

  /**
   * The capture of `orderId` makes the first attempt itself once the order is on disk: until it
   * calls commitAtCapture (or releaseFromCapture when the order did not commit) the background
   * sweep leaves the order alone, however long the commit takes.
   */
  keepForCapture(orderId: string): void {
    this.inFlight.add(orderId);
  }

  releaseFromCapture(orderId: string): void {
    this.inFlight.delete(orderId);
  }

  /**
   * The first commit, inside the capture request. On failure the channel decides: `queue` keeps
   * the order pending for the background retries; `fail` releases its reservation and throws
   * ErpUnavailableError.
   */
  async commitAtCapture(orderId: string, channel: Channel, ctx: { correlationId: string }, idempotencyKey: string): Promise<OrderState> {
    // The capture's own attempt takes over the hold keepForCapture put on the order.
    this.inFlight.delete(orderId);
    // The answer need not wait for the ERP's number to be on disk: after a crash the hub asks the ERP for it again.
    const result = await this.attempt(orderId, ctx.correlationId, false, false);
    if (result.ok || channel.onErpUnavailable === 'queue') return result.order;
    const { book, orders, commits, clock, state } = this.deps;
    const touches = collectTouches(state);
    let failed = result.order;
    await commits.commit('the failed order', () => {
      const current = book.get(orderId)!;
      if (current.erp.state === 'committed') {
        failed = current;
        return;
      }
      const next = cloneOrder(current);
      next.erp = { ...next.erp, state: 'failed' };
      // The ERP may have taken an order whose answer timed out: ask it to void the reference.
      const messages = next.erp.timedOut ? [{ step: 'erp.failed', message: { destination: 'erp', topic: 'order.void', payload: { reference: orderId } } }] : [];
      book.record(
        next,
        [
          {
            step: 'erp.failed',
            source: 'hub',
            correlationId: ctx.correlationId,
            detail: `channel ${channel.id} fails orders when the ERP is unavailable: ${result.reason}; reservation released`,
          },
        ],
        messages,
        touches.touch,
      );
      orders.releaseReference(next.channel, next.externalId);
      orders.forgetKey(idempotencyKey);
      touches.write(clock.now());
      failed = next;
    });
    if (failed.erp.state === 'committed') return failed;
    throw new ErpUnavailableError(orderId, result.reason);
  }

  /** One attempt for a pending order, recorded durably; never throws for ERP failures. */
  async attempt(
    orderId: string,
    correlationId?: string,
    askFirst = false,
    durable = true,
  ): Promise<{ ok: true; order: OrderState } | { ok: false; order: OrderState; reason: string }> {
    const { book, erp, timeoutMs, customers } = this.deps;
    const order = book.get(orderId);
    if (!order || !awaitsErp(order))
      return order && order.erp.state === 'committed' ? { ok: true, order } : { ok: false, order: order!, reason: 'the order is not waiting for the ERP' };
    if (this.inFlight.has(orderId)) return { ok: false, order, reason: 'another attempt is in flight' };
    this.inFlight.add(orderId);
    try {
      const outcome = await attemptErpCommit(erp, order, customers.customer(order.customer), timeoutMs, askFirst);
      const recorded = await this.recordAttempt(orderId, outcome, correlationId, durable);
      return 'failure' in outcome ? { ok: false, order: recorded, reason: outcome.failure.reason } : { ok: true, order: recorded };
    } finally {
      this.inFlight.delete(orderId);
    }
  }

  /**
   * Records an attempt's outcome. Returns the order as it stands after it; with `durable` false
   * the write joins the next commit and the answer does not wait for it.
   */
  private async recordAttempt(orderId: string, outcome: ErpOutcome, correlationId: string | undefined, durable: boolean): Promise<OrderState> {
    const { book, commits, clock, state } = this.deps;
    const touches = collectTouches(state);
    const due = (attempts: number) => clock.now() + erpBackoff(attempts, this.deps.retryBaseMs, this.deps.retryMaxMs, this.deps.random);
    let result = afterErpAttempt(book.get(orderId)!, outcome, due);
    const write = () => {
      const current = book.get(orderId)!;
      const next = afterErpAttempt(current, outcome, due);
      const step = { ...erpAttemptStep(outcome, next), ...(correlationId ? { correlationId } : {}) };
      // Cancelled while the call ran: the ERP is told to drop what it may have taken.
      const told = cancelledMeanwhile(current, outcome);
      const messages = told ? [{ step: 'erp.after_cancel', message: told }] : [];
      if ('failure' in outcome) {
        book.record(next, [step], messages, touches.touch);
        result = next;
      } else {
        result = recordSettled(liveOrderWork({ state, book }, touches.touch, clock.now()), next, undefined, [step], messages);
      }
      touches.write(clock.now());
    };
    if (durable) await commits.commit('the ERP answer', write);
    else commits.later('the ERP answer', write);
    return result;
  }

  /** Retries every pending order that is due; resolves when this sweep's attempts finish. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const now = this.deps.clock.now();
        const due = [...this.deps.book.openOrders()].filter((o) => awaitsErp(o) && (o.erp.nextAttemptAt ?? 0) <= now && !this.inFlight.has(o.id));
        // A few at a time: a recovering ERP should not get the whole backlog at once.
        for (let i = 0; i < due.length; i += 8) await Promise.all(due.slice(i, i + 8).map((o) => this.attempt(o.id, undefined, true)));
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  start(intervalMs: number, onError: (err: unknown) => void): void {
    this.timer = setInterval(() => {
      this.sweep().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}
