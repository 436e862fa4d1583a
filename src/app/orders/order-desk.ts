/**
 * Orders as the API serves them, whatever the backend: capture, the order, its timeline, a page
 * of orders, cancellation and the outbox. The OrderReads port says where each backend reads them.
 * Each call takes the caller's ChannelAccess: a key bound to channels meets another channel's
 * order as a missing one (domain/access/channel-access.ts).
 */
import type { OrderRequest, OrderView } from '../../model/order.js';
import type { OrderListing, StoredOutboxMessage, TimelineRecord } from '../../ports/order-store.js';
import type { OrderReads } from '../../ports/order-reads.js';
import type { CaptureContext, CaptureOutcome, OrderCapture } from './capture-order.js';
import { cancelOrder } from './cancel-order.js';
import { amendOrder, type AmendDeps } from './amend-order.js';
import type { AmendedLine } from '../../domain/orders/order-amendment.js';
import { scopedKey } from './order-request.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import { orderView } from './order-views.js';
import { pageOfOrders, type OrderPage } from './order-listing.js';
import { ChannelAccess } from '../../domain/access/channel-access.js';
import { IdempotencyKeyMissingError, IdempotencyKeyReusedError } from '../../domain/orders/order-errors.js';

export type { CaptureContext, CaptureOutcome } from './capture-order.js';

/** The order routes over either backend: capture, amendment and cancellation are the use cases, the rest reads. */
export class OrderDesk {
  constructor(
    private readonly deps: {
      capture: OrderCapture;
      changes: OrderChanges;
      reads: OrderReads;
      /** What amendments need beyond the changes: the items the hub knows, and the ERP to tell. */
      amendments: Pick<AmendDeps, 'isKnownSku' | 'erp'>;
    },
  ) {}

  /**
   * Throws IdempotencyKeyMissingError, IdempotencyKeyInUseError, IdempotencyKeyReusedError,
   * UnknownChannelError, UnknownCustomerError, CustomerInactiveError, InvalidInputError,
   * CreditHoldError, DuplicateOrderError, InsufficientStockError, ErpUnavailableError, and
   * ChannelNotGrantedError for a channel the caller's key is not bound to.
   */
  async capture(
    request: OrderRequest,
    idempotencyKey: string | undefined,
    ctx: CaptureContext,
    access: ChannelAccess = ChannelAccess.everyChannel,
  ): Promise<CaptureOutcome> {
    access.requireChannel(request.channel, '/channel');
    try {
      return await this.deps.capture.capture(request, idempotencyKey, ctx);
    } catch (err) {
      // The key was used for another body, perhaps by another channel's client: its order id is
      // told only to a caller who may see that order.
      if (err instanceof IdempotencyKeyReusedError && access.bound) {
        const order = err.orderId === undefined ? undefined : await this.deps.reads.order(err.orderId);
        if (!order || !access.covers(order.channel)) throw err.concealed();
      }
      throw err;
    }
  }

  async view(id: string, access: ChannelAccess = ChannelAccess.everyChannel): Promise<OrderView | undefined> {
    const order = await this.deps.reads.order(id);
    return order && access.covers(order.channel) ? orderView(order, await this.deps.reads.waitingCount(id)) : undefined;
  }

  /** Throws ChannelNotGrantedError for a channel the caller's key is not bound to. */
  async byReference(channel: string, externalId: string, access: ChannelAccess = ChannelAccess.everyChannel): Promise<OrderView | undefined> {
    access.requireChannel(channel, '/channel');
    const order = await this.deps.reads.orderByReference(channel, externalId);
    return order ? orderView(order, await this.deps.reads.waitingCount(order.id)) : undefined;
  }

  /**
   * One page of orders, newest first, with the cursor of the next page (null on the last); a
   * bound key's listing is narrowed to its channel. Throws ChannelNotGrantedError, ChannelRequiredError.
   */
  list(listing: OrderListing, access: ChannelAccess = ChannelAccess.everyChannel): Promise<OrderPage> {
    const channel = access.listingChannel(listing.channel, '/channel');
    const narrowed = channel === undefined ? listing : { ...listing, channel };
    return pageOfOrders(narrowed, async (l) => (await this.deps.reads.listOrders(l)).map(({ order, waiting }) => orderView(order, waiting)));
  }

  /** undefined when the order is not known (or not the caller's to see). */
  async timeline(id: string, access: ChannelAccess = ChannelAccess.everyChannel): Promise<TimelineRecord[] | undefined> {
    const order = await this.deps.reads.order(id);
    if (!order || !access.covers(order.channel)) return undefined;
    return this.deps.reads.timeline(id);
  }

  /** Whether the customer has an order on one of the caller's channels (what a bound key may see of customers). */
  async customerOrderedOn(customer: string, access: ChannelAccess): Promise<boolean> {
    for (const channel of access.granted ?? [undefined]) {
      const page = await this.deps.reads.listOrders({ customer, limit: 1, ...(channel === undefined ? {} : { channel }) });
      if (page.length > 0) return true;
    }
    return false;
  }

  /** Throws NotFoundError (also for another channel's order), IllegalTransitionError. */
  async cancel(id: string, ctx: CaptureContext & { reason?: string }, access: ChannelAccess = ChannelAccess.everyChannel): Promise<OrderView> {
    access.visible('Order', id, await this.deps.reads.order(id));
    const order = await cancelOrder(this.deps.changes, id, ctx);
    return orderView(order, await this.deps.reads.waitingCount(id));
  }

  /** The order a channel knows by `externalId` and its lines as they stand (what an amendment starts from). */
  async linesOf(channel: string, externalId: string): Promise<{ orderId: string; lines: AmendedLine[] } | undefined> {
    const order = await this.deps.reads.orderByReference(channel, externalId);
    return order
      ? { orderId: order.id, lines: order.lines.map((l) => ({ sku: l.sku, qty: l.qty, ...(l.unitPrice !== undefined ? { unitPrice: l.unitPrice } : {}) })) }
      : undefined;
  }

  /**
   * Replaces the order's lines with `lines` (its new complete list). Throws
   * IdempotencyKeyMissingError, NotFoundError (also for another channel's order), InvalidInputError,
   * IdempotencyKeyReusedError, AmendmentRefusedError (nothing changed).
   */
  async amend(
    id: string,
    lines: readonly AmendedLine[],
    idempotencyKey: string | undefined,
    ctx: CaptureContext,
    access: ChannelAccess = ChannelAccess.everyChannel,
  ): Promise<{ view: OrderView; replayed: boolean }> {
    const key = scopedKey(
      idempotencyKey,
      ctx.principal,
      () => new IdempotencyKeyMissingError('POST /v1/orders/{id}/amendments', 'a retried request cannot amend the order twice'),
    );
    access.visible('Order', id, await this.deps.reads.order(id));
    const done = await amendOrder({ changes: this.deps.changes, ...this.deps.amendments }, id, lines, { ...ctx, idempotencyKey: key });
    return { view: orderView(done.order, await this.deps.reads.waitingCount(id)), replayed: done.replayed };
  }

  async outbox(afterId: number, limit: number, destination?: string): Promise<StoredOutboxMessage[]> {
    return this.deps.reads.outbox(afterId, limit, destination);
  }
}
