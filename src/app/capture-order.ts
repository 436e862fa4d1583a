/**
 * Synchronous order capture (docs/REFERENCE.md "Orders"): Idempotency-Key handling, validation before
 * anything is reserved, atomic reservation, a durable order, then the ERP commit with the
 * channel's policy when the ERP is slow or down.
 *
 * Atomicity comes from the event loop: checking stock and taking it happen in one synchronous
 * step, so concurrent captures can never both take the last unit. Durability comes from group
 * commit: the orders captured in one turn of the loop share one transaction.
 */
import type { Channel } from '../model/catalog.js';
import type { CaptureAnswer, OrderRequest } from '../model/order.js';
import { DuplicateOrderError, IdempotencyKeyInUseError, IdempotencyKeyReusedError, InsufficientStockError } from '../domain/orders/order-errors.js';
import type { Clock } from '../ports/clock.js';
import type { CustomerStore } from '../ports/customer-store.js';
import type { OrderStore } from '../ports/order-store.js';
import type { InventoryState } from './inventory-state.js';
import type { OrderBook } from './order-book.js';
import type { GroupCommit } from './group-commit.js';
import type { ErpCommits } from './commit-orders-to-erp.js';
import type { InProcessErpQueue } from './erp-queues/in-process-erp-queue.js';
import { collectTouches } from './figure-touches.js';
import { answeredWith } from './order-views.js';
import { checkOrderRequest, clientKey, creditHoldDetail, fingerprintOf, newOrder, scopedKey } from './order-request.js';

export interface CaptureDeps {
  state: InventoryState;
  orders: OrderStore;
  book: OrderBook;
  customers: CustomerStore;
  clock: Clock;
  commits: GroupCommit;
  erp: ErpCommits;
  /** Holds a captured order for the capture's own first ERP attempt. */
  erpQueue: InProcessErpQueue;
  newOrderId: () => string;
}

/** Who asked: the API key's name (keys are scoped to it) and the request's correlation id. */
export interface CaptureContext {
  principal: string;
  correlationId: string;
}

export interface CaptureOutcome {
  statusCode: 201 | 202;
  body: CaptureAnswer;
  replayed: boolean;
}

export class OrderCapture {
  /** Keys of requests being processed, with their fingerprints. */
  private readonly inFlight = new Map<string, string>();
  /** channel␟externalId of orders being captured, not yet committed. */
  private readonly claiming = new Set<string>();
  /** Answers given whose write has not reached the store yet, by key, with their request's fingerprint. */
  private readonly answering = new Map<string, { statusCode: 201 | 202; body: CaptureAnswer; fingerprint: string }>();

  constructor(private readonly deps: CaptureDeps) {}

  /**
   * Captures an order. Throws IdempotencyKeyMissingError, IdempotencyKeyInUseError,
   * IdempotencyKeyReusedError, UnknownChannelError, UnknownCustomerError, CustomerInactiveError,
   * InvalidInputError, CreditHoldError, DuplicateOrderError, InsufficientStockError,
   * ErpUnavailableError, StorageFailedError.
   */
  async capture(request: OrderRequest, idempotencyKey: string | undefined, ctx: CaptureContext): Promise<CaptureOutcome> {
    const key = scopedKey(idempotencyKey, ctx.principal);
    const fingerprint = fingerprintOf(request);
    if (this.inFlight.has(key)) throw new IdempotencyKeyInUseError(clientKey(key));
    const answered = this.answering.get(key);
    if (answered) {
      if (answered.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(clientKey(key), answered.body.id);
      return { statusCode: answered.statusCode, body: answered.body, replayed: true };
    }
    const stored = this.deps.orders.keyFor(key);
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(clientKey(key), stored.orderId);
      if (stored.response !== undefined) return { statusCode: stored.statusCode as 201 | 202, body: stored.response as CaptureAnswer, replayed: true };
      // Captured, but the process stopped before answering: answer with the order as it stands.
      const order = this.deps.book.get(stored.orderId);
      if (order) return { ...answeredWith(order), replayed: true };
    }
    this.inFlight.set(key, fingerprint);
    try {
      return await this.captureNew(request, key, fingerprint, ctx);
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async captureNew(request: OrderRequest, key: string, fingerprint: string, ctx: CaptureContext): Promise<CaptureOutcome> {
    const { state, orders, book, clock, commits } = this.deps;
    const { channel, customer } = checkOrderRequest(
      request,
      state.book.channels.get(request.channel) as Channel | undefined,
      this.deps.customers.customer(request.customer),
      (sku) => state.isKnownSku(sku),
    );

    const ref = `${channel.id}\u001f${request.externalId}`;
    const holder = this.claiming.has(ref) ? '(being captured now)' : orders.claimedBy(channel.id, request.externalId);
    if (holder !== undefined) throw new DuplicateOrderError(channel.id, request.externalId, holder);

    const backorder = request.backorder ?? 'reject';
    const sourced = book.reserveFor(channel, request.lines, backorder);
    if (!sourced.ok) throw new InsufficientStockError(channel.id, sourced.shortfalls);

    const now = new Date(clock.now()).toISOString();
    const order = newOrder(this.deps.newOrderId(), request, customer, sourced.allocations, now);
    const touches = collectTouches(state);
    book.hold(order, touches.touch);
    this.claiming.add(ref);
    const toErp = !customer.creditHold;
    if (toErp) this.deps.erpQueue.keepForCapture(order.id);
    try {
      await commits.commit('the order', () => {
        orders.claimReference(channel.id, request.externalId, order.id);
        orders.rememberKey(key, fingerprint, order.id, now);
        book.persist(
          order,
          [
            {
              step: 'captured',
              source: ctx.principal,
              correlationId: ctx.correlationId,
              detail: customer.creditHold ? creditHoldDetail(customer.id) : undefined,
            },
          ],
          [],
        );
        touches.write(clock.now());
      });
    } catch (err) {
      if (toErp) this.deps.erpQueue.release(order.id);
      throw err;
    } finally {
      this.claiming.delete(ref);
    }

    const final = toErp ? await this.deps.erp.commitAtCapture(order, channel, ctx, key, customer) : order;
    const outcome = answeredWith(final);
    if (final.erp.state !== 'failed') {
      // Like the ERP's answer, the stored answer may follow the reply: until it is written, memory answers repeats.
      this.answering.set(key, { ...outcome, fingerprint });
      commits.later('the order answer', () => {
        orders.storeAnswer(key, outcome.statusCode, outcome.body);
        this.answering.delete(key);
      });
    }
    return { ...outcome, replayed: false };
  }
}
