/**
 * Orders as the API serves them, whatever the backend: capture, the order, its timeline, a page
 * of orders, cancellation and the outbox. The OrderReads port says where each backend reads them.
 */
import type { OrderRequest, OrderView } from '../../model/order.js';
import type { OrderListing, StoredOutboxMessage, TimelineRecord } from '../../ports/order-store.js';
import type { OrderReads } from '../../ports/order-reads.js';
import type { CaptureContext, CaptureOutcome, OrderCapture } from './capture-order.js';
import { cancelOrder } from './cancel-order.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import { orderView } from './order-views.js';
import { pageOfOrders, type OrderPage } from './order-listing.js';

export type { CaptureContext, CaptureOutcome } from './capture-order.js';

/** The order routes over either backend: capture and cancellation are the use cases, the rest reads. */
export class OrderDesk {
  constructor(private readonly deps: { capture: OrderCapture; changes: OrderChanges; reads: OrderReads }) {}

  /**
   * Throws IdempotencyKeyMissingError, IdempotencyKeyInUseError, IdempotencyKeyReusedError,
   * UnknownChannelError, UnknownCustomerError, CustomerInactiveError, InvalidInputError,
   * CreditHoldError, DuplicateOrderError, InsufficientStockError, ErpUnavailableError.
   */
  capture(request: OrderRequest, idempotencyKey: string | undefined, ctx: CaptureContext): Promise<CaptureOutcome> {
    return this.deps.capture.capture(request, idempotencyKey, ctx);
  }

  async view(id: string): Promise<OrderView | undefined> {
    const order = await this.deps.reads.order(id);
    return order ? orderView(order, await this.deps.reads.waitingCount(id)) : undefined;
  }

  async byReference(channel: string, externalId: string): Promise<OrderView | undefined> {
    const order = await this.deps.reads.orderByReference(channel, externalId);
    return order ? orderView(order, await this.deps.reads.waitingCount(order.id)) : undefined;
  }

  /** One page of orders, newest first, with the cursor of the next page (null on the last). */
  list(listing: OrderListing): Promise<OrderPage> {
    return pageOfOrders(listing, async (l) => (await this.deps.reads.listOrders(l)).map(({ order, waiting }) => orderView(order, waiting)));
  }

  /** undefined when the order is not known. */
  async timeline(id: string): Promise<TimelineRecord[] | undefined> {
    if (!(await this.deps.reads.order(id))) return undefined;
    return this.deps.reads.timeline(id);
  }

  /** Throws NotFoundError, IllegalTransitionError. */
  async cancel(id: string, ctx: CaptureContext & { reason?: string }): Promise<OrderView> {
    const order = await cancelOrder(this.deps.changes, id, ctx);
    return orderView(order, await this.deps.reads.waitingCount(id));
  }

  async outbox(afterId: number, limit: number, destination?: string): Promise<StoredOutboxMessage[]> {
    return this.deps.reads.outbox(afterId, limit, destination);
  }
}
