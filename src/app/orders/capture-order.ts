/**
 * Synchronous order capture (docs/REFERENCE.md "Orders"), written once for both backends:
 * Idempotency-Key handling, validation before anything is reserved, the order placed with its
 * stock atomically, then the ERP commit with the channel's policy when the ERP is slow or down.
 * The IdempotencyKeys and OrderPlacement ports say how each backend keeps keys and makes the
 * placement atomic.
 */
import type { Channel } from '../../model/catalog.js';
import type { Customer } from '../../model/customer.js';
import type { CaptureAnswer, OrderRequest } from '../../model/order.js';
import { UnknownChannelError } from '../../domain/errors.js';
import { DuplicateOrderError, IdempotencyKeyInUseError, IdempotencyKeyReusedError, InsufficientStockError } from '../../domain/orders/order-errors.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { Clock } from '../../ports/clock.js';
import type { IdempotencyKeys, KeyClaim } from '../../ports/idempotency-keys.js';
import type { OrderPlacement } from '../../ports/order-placement.js';
import type { ErpCommits } from './commit-orders-to-erp.js';
import type { InventoryView } from '../inventory/inventory-view.js';
import { answeredWith } from './order-views.js';
import { checkOrderRequest, clientKey, creditHoldDetail, fingerprintOf, newOrder, scopedKey } from './order-request.js';

export interface CaptureDeps {
  keys: IdempotencyKeys;
  placement: OrderPlacement;
  erp: ErpCommits;
  /** The channels and items as this process knows them (validation before anything is reserved). */
  view: InventoryView;
  customer: (id: string) => Promise<Customer | undefined> | Customer | undefined;
  order: (id: string) => Promise<OrderState | undefined> | OrderState | undefined;
  clock: Clock;
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
    const claim = await this.deps.keys.claim(key, fingerprint);
    if (!claim.claimed) return this.answerHeldKey(claim, key, fingerprint);
    try {
      const answer = await this.captureNew(request, key, fingerprint, ctx);
      await this.deps.keys.answered(key, fingerprint, answer);
      return { ...answer, replayed: false };
    } catch (err) {
      // Refused before an order existed (or the ERP failed it): the key may be used again.
      await this.deps.keys.drop(key).catch(() => {});
      throw err;
    }
  }

  private async answerHeldKey(claim: Extract<KeyClaim, { claimed: false }>, key: string, fingerprint: string): Promise<CaptureOutcome> {
    const { stored } = claim;
    if (claim.inFlight || !stored) throw new IdempotencyKeyInUseError(clientKey(key));
    if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(clientKey(key), stored.orderId);
    if (stored.response !== undefined) return { statusCode: stored.statusCode as 201 | 202, body: stored.response as CaptureAnswer, replayed: true };
    // Captured, but its process stopped before answering: answer with the order as it stands.
    const order = await this.deps.order(stored.orderId);
    if (!order) throw new IdempotencyKeyInUseError(clientKey(key));
    return { ...answeredWith(order), replayed: true };
  }

  private async captureNew(
    request: OrderRequest,
    key: string,
    fingerprint: string,
    ctx: CaptureContext,
  ): Promise<{ statusCode: 201 | 202; body: CaptureAnswer }> {
    const { view, clock } = this.deps;
    const { channel, customer } = checkOrderRequest(
      request,
      view.book.channels.get(request.channel) as Channel | undefined,
      await this.deps.customer(request.customer),
      (sku) => view.isKnownSku(sku),
    );
    const id = this.deps.newOrderId();
    const nowIso = new Date(clock.now()).toISOString();
    const placed = await this.deps.placement.place({
      id,
      channel,
      externalId: request.externalId,
      lines: request.lines,
      backorder: request.backorder ?? 'reject',
      key,
      fingerprint,
      make: (allocations) => newOrder(id, request, customer, allocations, nowIso, ctx.correlationId),
      captured: {
        step: 'captured',
        source: ctx.principal,
        correlationId: ctx.correlationId,
        ...(customer.creditHold ? { detail: creditHoldDetail(customer.id) } : {}),
      },
      toErp: !customer.creditHold,
    });
    if (!placed.ok) {
      if (placed.duplicateOf !== undefined) throw new DuplicateOrderError(channel.id, request.externalId, placed.duplicateOf);
      if (placed.unknownChannel) throw new UnknownChannelError(channel.id, '/channel');
      throw new InsufficientStockError(channel.id, placed.shortfalls);
    }
    let order = placed.order;
    if (order.erp.state === 'pending') order = await this.deps.erp.commitAtCapture(order, channel, ctx, key, customer);
    return answeredWith(order);
  }
}
