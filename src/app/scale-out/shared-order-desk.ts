/**
 * Order capture and the order routes on the scale-out backend, for any number of api processes.
 *
 * - Idempotency: the key is claimed in PostgreSQL before anything else, for as long as a capture
 *   may take; a second request with it meanwhile is told it is in flight (409), wherever it
 *   arrives. A process that dies holding a claim without an order frees it when the claim runs
 *   out; one that dies after the order was made leaves the key bound to it, and a retry is
 *   answered with the order as it stands.
 * - The order is created in the reservation transaction that takes its stock, after its channel
 *   reference is claimed there: no order exists without its holds, and no channel order twice.
 * - The ERP commit at capture belongs to the capturing process for a lease; if it dies, a worker
 *   takes the order up when the lease runs out and asks the ERP for it before placing it again.
 */
import type { Channel } from '../../model/catalog.js';
import type { OrderRequest, OrderView } from '../../model/order.js';
import { UnknownChannelError } from '../../domain/errors.js';
import { DuplicateOrderError, IdempotencyKeyInUseError, IdempotencyKeyReusedError, InsufficientStockError } from '../../domain/orders/order-errors.js';
import { statusOf, type OrderState } from '../../domain/orders/order-state.js';
import type { Clock } from '../../ports/clock.js';
import type { Customer } from '../../model/customer.js';
import type { OrderListing, StoredOutboxMessage, TimelineRecord } from '../../ports/order-store.js';
import type { KeyClaim, SharedOrderStore } from '../../ports/shared-order-store.js';
import type { InventoryView } from '../inventory-view.js';
import type { CaptureContext, CaptureOutcome, OrderDesk } from '../order-desk.js';
import { checkOrderRequest, clientKey, creditHoldDetail, fingerprintOf, newOrder, scopedKey } from '../order-request.js';
import { timelineRecords, type Step } from '../order-records.js';
import { answeredWith, orderView } from '../order-views.js';
import { pageOfOrders, type OrderPage } from '../order-listing.js';
import type { StockReservations } from './stock-reservations.js';
import type { ErpCommits } from '../commit-orders-to-erp.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import { cancelOrder } from '../cancel-order.js';
import { Batched } from './batched.js';

export interface SharedOrderDeskDeps {
  orders: SharedOrderStore;
  reservations: StockReservations;
  erp: ErpCommits;
  orderChanges: OrderChanges;
  /** This process's read model: channels and items as the log has them, and the position a reservation must see applied. */
  view: InventoryView & { readonly reservesAfter: number };
  customers: { customersById(ids: readonly string[]): Promise<(Customer | undefined)[]> };
  clock: Clock;
  newOrderId: () => string;
}

export class SharedOrderDesk implements OrderDesk {
  // Concurrent captures share their round trips: key claims, customer reads and stored answers.
  private readonly claims = new Batched<{ key: string; fingerprint: string }, KeyClaim>((c) => this.deps.orders.claimKeys(c, this.leaseMs));
  private readonly customerReads = new Batched<string, Customer | undefined>((ids) => this.deps.customers.customersById(ids));
  private readonly answers = new Batched<{ key: string; statusCode: number; response: unknown }, void>(async (a) => {
    await this.deps.orders.storeAnswers(a);
    return a.map(() => undefined);
  });

  constructor(private readonly deps: SharedOrderDeskDeps) {}

  /** The key's claim and the order's ERP lease last as long as a capture may take. */
  private get leaseMs(): number {
    return this.deps.erp.leaseMs;
  }

  async capture(request: OrderRequest, idempotencyKey: string | undefined, ctx: CaptureContext): Promise<CaptureOutcome> {
    const key = scopedKey(idempotencyKey, ctx.principal);
    const fingerprint = fingerprintOf(request);
    const claim = await this.claims.call({ key, fingerprint });
    if (!claim.claimed) return this.answerHeldKey(claim, key, fingerprint);
    try {
      return await this.captureNew(request, key, ctx);
    } catch (err) {
      // Refused before an order existed: the key may be used again (a claim bound to an order stays).
      await this.deps.orders.dropKeyClaim(key).catch(() => {});
      throw err;
    }
  }

  private async answerHeldKey(claim: Extract<KeyClaim, { claimed: false }>, key: string, fingerprint: string): Promise<CaptureOutcome> {
    const { stored } = claim;
    if (claim.inFlight || !stored) throw new IdempotencyKeyInUseError(clientKey(key));
    if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(clientKey(key), stored.orderId);
    if (stored.response !== undefined) return { statusCode: stored.statusCode as 201 | 202, body: stored.response as CaptureOutcome['body'], replayed: true };
    // Captured, but its process stopped before answering: answer with the order as it stands.
    const order = await this.deps.orders.order(stored.orderId);
    if (!order) throw new IdempotencyKeyInUseError(clientKey(key));
    return { ...answeredWith(order), replayed: true };
  }

  private async captureNew(request: OrderRequest, key: string, ctx: CaptureContext): Promise<CaptureOutcome> {
    const { view, clock } = this.deps;
    const { channel, customer } = checkOrderRequest(
      request,
      view.book.channels.get(request.channel) as Channel | undefined,
      await this.customerReads.call(request.customer),
      (sku) => view.isKnownSku(sku),
    );
    const id = this.deps.newOrderId();
    const nowIso = new Date(clock.now()).toISOString();
    let made: OrderState | undefined;
    const outcome = await this.deps.reservations.reserve({
      orderId: id,
      channel: channel.id,
      lines: request.lines,
      backorder: request.backorder ?? 'reject',
      after: view.reservesAfter,
      order: {
        externalId: request.externalId,
        key,
        make: (allocations) => {
          const order = (made = newOrder(id, request, customer, allocations, nowIso));
          // Due at once for the workers, but leased to this process while it calls the ERP.
          if (order.erp.state === 'pending') order.erp.nextAttemptAt = clock.now();
          const step: Step = {
            step: 'captured',
            source: ctx.principal,
            correlationId: ctx.correlationId,
            ...(customer.creditHold ? { detail: creditHoldDetail(customer.id) } : {}),
          };
          return {
            order,
            timeline: timelineRecords(order, statusOf(order), [step], nowIso),
            ...(order.erp.state === 'pending' ? { erpLeaseMs: this.leaseMs } : {}),
          };
        },
      },
    });
    if (!outcome.ok) {
      if (outcome.duplicateOf !== undefined) throw new DuplicateOrderError(channel.id, request.externalId, outcome.duplicateOf);
      if (outcome.reason !== undefined) throw new UnknownChannelError(channel.id, '/channel');
      throw new InsufficientStockError(channel.id, outcome.shortfalls);
    }
    let order = made!;
    if (order.erp.state === 'pending') order = await this.deps.erp.commitAtCapture(order, channel, ctx, key, customer);
    const answer = answeredWith(order);
    await this.answers.call({ key, statusCode: answer.statusCode, response: answer.body });
    return { ...answer, replayed: false };
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
