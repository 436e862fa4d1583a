/**
 * Orders on the shared state (scale-out): the orders, their channel references, timelines and
 * idempotency keys, reachable from every api and worker process.
 *
 * Concurrency: an order is created inside the reservation transaction that takes its stock
 * (OrderWrites, after the channel reference is claimed there), and changed afterwards only under
 * its row lock (lockOrder), so two processes never both change one order. Deadlock freedom: a
 * capture batch takes references (sorted) before items (sorted) and never locks an existing
 * order; a change takes its order row first, then references or items. A capture holding items
 * therefore never waits for a reference, and nothing waits for an order row while holding items.
 */
import type { OrderState } from '../domain/orders/order-state.js';
import type { OrderStatus } from '../model/order.js';
import type { KeyClaim } from './idempotency-keys.js';
import type { OrderException, OrderListing, OutboxRecord, StoredOutboxMessage, TimelineRecord, WaitingRecord } from './order-store.js';

export interface ChannelReference {
  channel: string;
  externalId: string;
  orderId: string;
}

/** An order as saved, with what the queries need to know of it (see app/orders/saved-order.ts). */
export interface SavedOrder {
  order: OrderState;
  status: OrderStatus;
  /** Some line is owed units (backordered): the workers try to fill it as stock arrives. */
  owes: boolean;
  erpLeaseMs?: number;
}

/** Writes that join the reservation transaction (see LedgerTransaction.orders). */
export interface OrderWrites {
  /** Claims references for new orders; returns the ones another order holds: "channel␟externalId" → that order. */
  claimReferences(refs: readonly ChannelReference[]): Promise<Map<string, string>>;
  dropReferences(refs: readonly { channel: string; externalId: string }[]): Promise<void>;
  /**
   * Inserts or replaces orders, indexing the tracking numbers they shipped under. `erpLeaseMs`: how long the ERP commit belongs to the process
   * writing it (a capture about to call the ERP); other processes leave the order alone until then.
   */
  saveOrders(orders: readonly SavedOrder[]): Promise<void>;
  appendTimeline(records: readonly TimelineRecord[]): Promise<void>;
  appendOutbox(messages: readonly OutboxRecord[]): Promise<void>;
  /** Records which order an idempotency key made. */
  bindKeys(bindings: readonly { key: string; orderId: string }[]): Promise<void>;
  forgetKey(key: string): Promise<void>;
  /** The orders that exist among `ids`, locked (in id order) until the transaction ends. */
  lockOrders(ids: readonly string[]): Promise<OrderState[]>;
  /** The events waiting for these orders, in log order (call with the orders locked). */
  waitingFor(orderIds: readonly string[]): Promise<WaitingRecord[]>;
  saveWaiting(records: readonly WaitingRecord[]): Promise<void>;
  /** Removes waiting events; returns the positions that were still there (another process may have taken some). */
  removeWaiting(positions: readonly number[]): Promise<number[]>;
  raiseExceptions(exceptions: readonly Omit<OrderException, 'id'>[]): Promise<void>;
  /** Orders with shipped units not yet seen leaving at any of these item x location pairs. */
  unconfirmedAt(pairs: readonly { sku: string; location: string }[]): Promise<string[]>;
  /** Replaces where these orders have shipped units not yet seen leaving. */
  replaceUnconfirmed(orderIds: readonly string[], pairs: readonly { orderId: string; sku: string; location: string }[]): Promise<void>;
}

export type { KeyClaim } from './idempotency-keys.js';

export interface LockingOrderStore {
  /**
   * Claims idempotency keys for `leaseMs`: per key, claimed, or what holds it (a key named twice
   * in one call is claimed by its first claim). A claim that expired without making an order (its
   * process died) is taken over.
   */
  claimKeys(claims: readonly { key: string; fingerprint: string }[], leaseMs: number): Promise<KeyClaim[]>;
  /** Gives up a claim that made no order (the request was refused), so the key can be used again. */
  dropKeyClaim(key: string): Promise<void>;
  storeAnswers(answers: readonly { key: string; statusCode: number; response: unknown }[]): Promise<void>;
  /** Forgets answered keys created before `iso`; returns how many. */
  forgetKeysBefore(iso: string): Promise<number>;

  order(id: string): Promise<OrderState | undefined>;
  orderByReference(channel: string, externalId: string): Promise<OrderState | undefined>;
  /** Orders matching the listing, newest first, each with how many events wait for it (see OrderStore.listOrders). */
  listOrders(listing: OrderListing): Promise<{ order: OrderState; waiting: number }[]>;
  timeline(orderId: string): Promise<TimelineRecord[]>;
  outbox(afterId: number, limit: number, destination?: string): Promise<StoredOutboxMessage[]>;
  outboxFor(destinations: readonly string[], afterId: number, limit: number): Promise<StoredOutboxMessage[]>;
  outboxBetween(destinations: readonly string[], fromIso: string, toIso: string, limit: number): Promise<StoredOutboxMessage[]>;
  /** Open orders by status (for the metrics). */
  openByStatus(): Promise<Map<string, number>>;

  /**
   * Leases up to `limit` orders waiting for the ERP (to be placed, or to be told of an amendment) whose next attempt is due and whose lease
   * (if any) has run out, for `leaseMs`; other processes skip them meanwhile.
   */
  leaseDueForErp(limit: number, leaseMs: number): Promise<OrderState[]>;
  /** Orders owed units (of one of `skus` when given), oldest first. */
  owingOrders(limit: number, skus?: readonly string[]): Promise<string[]>;
  /** Orders of a customer held for credit. */
  heldFor(customer: string): Promise<string[]>;

  /** Order exceptions after `afterId`, oldest first. */
  exceptions(afterId: number, limit: number): Promise<OrderException[]>;
  waitingCount(orderId: string): Promise<number>;
  /** The order that shipped under a tracking number, if any. */
  orderByTracking(trackingNumber: string): Promise<string | undefined>;
  /** Events that have waited since before `iso`, oldest first. */
  waitingSince(iso: string, limit: number): Promise<WaitingRecord[]>;
}
