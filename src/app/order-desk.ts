/**
 * Orders as the API serves them, whatever the backend: capture, the order, its timeline,
 * cancellation and the outbox. The embedded hub answers from its order book; the scale-out hub
 * from the shared state (app/scale-out/shared-order-desk.ts).
 */
import type { OrderRequest, OrderView } from '../model/order.js';
import type { OrderListing, StoredOutboxMessage, TimelineRecord } from '../ports/order-store.js';
import type { OrderStore } from '../ports/order-store.js';
import type { OrderBook } from './order-book.js';
import type { CaptureContext, CaptureOutcome, OrderCapture } from './capture-order.js';
import { cancelOrder } from './cancel-order.js';
import type { OrderChanges } from '../ports/order-changes.js';
import { orderView } from './order-views.js';
import { pageOfOrders, type OrderPage } from './order-listing.js';

export type { CaptureContext, CaptureOutcome } from './capture-order.js';

export interface OrderDesk {
  /**
   * Throws IdempotencyKeyMissingError, IdempotencyKeyInUseError, IdempotencyKeyReusedError,
   * UnknownChannelError, UnknownCustomerError, CustomerInactiveError, InvalidInputError,
   * CreditHoldError, DuplicateOrderError, InsufficientStockError, ErpUnavailableError.
   */
  capture(request: OrderRequest, idempotencyKey: string | undefined, ctx: CaptureContext): Promise<CaptureOutcome>;
  view(id: string): Promise<OrderView | undefined>;
  byReference(channel: string, externalId: string): Promise<OrderView | undefined>;
  /** One page of orders, newest first, with the cursor of the next page (null on the last). */
  list(listing: OrderListing): Promise<OrderPage>;
  /** undefined when the order is not known. */
  timeline(id: string): Promise<TimelineRecord[] | undefined>;
  /** Throws NotFoundError, IllegalTransitionError. */
  cancel(id: string, ctx: CaptureContext & { reason?: string }): Promise<OrderView>;
  outbox(afterId: number, limit: number, destination?: string): Promise<StoredOutboxMessage[]>;
}

export class EmbeddedOrderDesk implements OrderDesk {
  constructor(private readonly deps: { capture: OrderCapture; book: OrderBook; store: OrderStore; changes: OrderChanges }) {}

  capture(request: OrderRequest, idempotencyKey: string | undefined, ctx: CaptureContext): Promise<CaptureOutcome> {
    return this.deps.capture.capture(request, idempotencyKey, ctx);
  }

  async view(id: string): Promise<OrderView | undefined> {
    const order = this.deps.book.get(id);
    return order ? orderView(order, this.deps.book.waitingCount(id)) : undefined;
  }

  async byReference(channel: string, externalId: string): Promise<OrderView | undefined> {
    const id = this.deps.store.claimedBy(channel, externalId);
    return id === undefined ? undefined : this.view(id);
  }

  list(listing: OrderListing): Promise<OrderPage> {
    return pageOfOrders(listing, async (l) => this.deps.store.listOrders(l).map((order) => orderView(order, this.deps.book.waitingCount(order.id))));
  }

  async timeline(id: string): Promise<TimelineRecord[] | undefined> {
    return this.deps.book.get(id) ? this.deps.store.timeline(id) : undefined;
  }

  async cancel(id: string, ctx: CaptureContext & { reason?: string }): Promise<OrderView> {
    const order = await cancelOrder(this.deps.changes, id, ctx);
    return orderView(order, this.deps.book.waitingCount(id));
  }

  async outbox(afterId: number, limit: number, destination?: string): Promise<StoredOutboxMessage[]> {
    return this.deps.store.outbox(afterId, limit, destination);
  }
}
