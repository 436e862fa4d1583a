/**
 * The order routes on the scale-out backend, for any number of api processes: capture (the one
 * OrderCapture use case over PostgreSQL key claims and reservation transactions), and the order,
 * its timeline, listing, cancellation and the outbox read from the shared state.
 */
import type { OrderRequest, OrderView } from '../../model/order.js';
import type { OrderListing, StoredOutboxMessage, TimelineRecord } from '../../ports/order-store.js';
import type { SharedOrderStore } from '../../ports/shared-order-store.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import type { CaptureContext, CaptureOutcome, OrderCapture } from '../capture-order.js';
import type { OrderDesk } from '../order-desk.js';
import { orderView } from '../order-views.js';
import { pageOfOrders, type OrderPage } from '../order-listing.js';
import { cancelOrder } from '../cancel-order.js';

export interface SharedOrderDeskDeps {
  orders: SharedOrderStore;
  capture: OrderCapture;
  orderChanges: OrderChanges;
}

export class SharedOrderDesk implements OrderDesk {
  constructor(private readonly deps: SharedOrderDeskDeps) {}

  capture(request: OrderRequest, idempotencyKey: string | undefined, ctx: CaptureContext): Promise<CaptureOutcome> {
    return this.deps.capture.capture(request, idempotencyKey, ctx);
  }

  async view(id: string): Promise<OrderView | undefined> {
    const order = await this.deps.orders.order(id);
    return order ? orderView(order, await this.deps.orders.waitingCount(id)) : undefined;
  }

  async byReference(channel: string, externalId: string): Promise<OrderView | undefined> {
    const order = await this.deps.orders.orderByReference(channel, externalId);
    return order ? orderView(order, await this.deps.orders.waitingCount(order.id)) : undefined;
  }

  list(listing: OrderListing): Promise<OrderPage> {
    return pageOfOrders(listing, async (l) => (await this.deps.orders.listOrders(l)).map(({ order, waiting }) => orderView(order, waiting)));
  }

  async timeline(id: string): Promise<TimelineRecord[] | undefined> {
    if (!(await this.deps.orders.order(id))) return undefined;
    return this.deps.orders.timeline(id);
  }

  async cancel(id: string, ctx: CaptureContext & { reason?: string }): Promise<OrderView> {
    const order = await cancelOrder(this.deps.orderChanges, id, ctx);
    return orderView(order, await this.deps.orders.waitingCount(id));
  }

  outbox(afterId: number, limit: number, destination?: string): Promise<StoredOutboxMessage[]> {
    return this.deps.orders.outbox(afterId, limit, destination);
  }
}
