/**
 * Orders as the read routes need them, whichever backend keeps them: the order, how many events
 * wait for it, its timeline, a page of orders, the outbox. The embedded hub answers from its open
 * orders in memory and SQLite; the scale-out backend from PostgreSQL.
 */
import type { OrderState } from '../domain/orders/order-state.js';
import type { OrderListing, StoredOutboxMessage, TimelineRecord } from './order-store.js';

type Awaitable<T> = T | Promise<T>;

export interface OrderReads {
  order(id: string): Awaitable<OrderState | undefined>;
  /** The order captured under a channel's own number, if any. */
  orderByReference(channel: string, externalId: string): Awaitable<OrderState | undefined>;
  /** How many events wait for the order's precondition. */
  waitingCount(id: string): Awaitable<number>;
  timeline(id: string): Awaitable<TimelineRecord[]>;
  /** Orders matching the listing, newest first, each with how many events wait for it. */
  listOrders(listing: OrderListing): Awaitable<{ order: OrderState; waiting: number }[]>;
  outbox(afterId: number, limit: number, destination?: string): Awaitable<StoredOutboxMessage[]>;
  /** Orders the ERP has but whose amendment it has not taken yet, the longest owed first. */
  owingErpChange(limit: number): Awaitable<OrderState[]>;
}
