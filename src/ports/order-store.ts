/**
 * Durable order state: the orders (as facts), their timelines, the outbox of messages for other
 * systems, idempotency keys, channel references, events waiting for a precondition, and order
 * exceptions. Synchronous and sharing the inventory store's transactions: an order change, the
 * reservation's effect on channel figures and the outbox rows commit together.
 */
import type { OrderState } from '../domain/orders/order-state.js';
import type { OrderEvent } from '../model/order-event.js';
import type { OrderStatus } from '../model/order.js';

export interface TimelineRecord {
  orderId: string;
  at: string;
  status: string;
  source: string;
  correlationId?: string;
  step: string;
  outcome: 'applied' | 'waiting' | 'rejected' | 'expired';
  detail?: string;
  recordedAt: string;
}

export interface OutboxRecord {
  destination: string;
  topic: string;
  /** Messages with one key are delivered in order (the order id). */
  messageKey: string;
  /** Unique per message, for the receiver to apply it once. */
  idempotencyKey: string;
  lane: 'orders' | 'bulk';
  payload: unknown;
  createdAt: string;
  /** The correlation id of the request or event that caused it; sent on as X-Correlation-Id. */
  correlationId?: string;
}

export interface StoredOutboxMessage extends OutboxRecord {
  id: number;
}

export interface StoredKey {
  fingerprint: string;
  orderId: string;
  statusCode?: number;
  response?: unknown;
  createdAt: string;
}

export interface WaitingRecord {
  position: number;
  orderId: string;
  event: OrderEvent;
  correlationId?: string;
  since: string;
  reason: string;
}

/** Where an order sits in a listing: newest first by the instant it was captured, then by id (ties). */
export interface OrderPlace {
  createdAt: string;
  id: string;
}

/** Which orders a listing wants; `before` continues a listing after the last order a page showed. */
export interface OrderListing {
  channel?: string;
  customer?: string;
  status?: OrderStatus;
  /** ISO-8601: orders captured at or after it. */
  since?: string;
  before?: OrderPlace;
  limit: number;
}

export interface OrderException {
  id: number;
  orderId: string;
  position: number | null;
  kind: 'rejected' | 'expired';
  reason: string;
  event: unknown;
  raisedAt: string;
}

export interface OrderStore {
  saveOrder(order: OrderState, status: OrderStatus, open: boolean): void;
  order(id: string): OrderState | undefined;
  /** The order that shipped under a tracking number, if any. */
  orderByTracking(trackingNumber: string): string | undefined;
  /** Orders that still hold stock, owe units or wait for the ERP. */
  openOrders(): OrderState[];
  /** Orders matching the listing, newest first (keyset on creation instant and id, so pages stay stable while orders arrive). */
  listOrders(listing: OrderListing): OrderState[];

  /** Claims channel + externalId for an order; returns the order that already holds it, if any. */
  claimReference(channel: string, externalId: string, orderId: string): string | undefined;
  releaseReference(channel: string, externalId: string): void;
  /** The order holding channel + externalId, if any. */
  claimedBy(channel: string, externalId: string): string | undefined;

  appendTimeline(entries: TimelineRecord[]): void;
  timeline(orderId: string): TimelineRecord[];

  appendOutbox(messages: OutboxRecord[]): void;
  outbox(afterId: number, limit: number, destination?: string): StoredOutboxMessage[];
  /** Messages for any of `destinations` after `afterId`, in outbox order (one system may answer to several names). */
  outboxFor(destinations: readonly string[], afterId: number, limit: number): StoredOutboxMessage[];
  /** Messages for any of `destinations` written between two instants (ISO-8601, inclusive), in outbox order. */
  outboxBetween(destinations: readonly string[], fromIso: string, toIso: string, limit: number): StoredOutboxMessage[];

  rememberKey(key: string, fingerprint: string, orderId: string, createdAt: string): void;
  storeAnswer(key: string, statusCode: number, response: unknown): void;
  keyFor(key: string): StoredKey | undefined;
  forgetKey(key: string): void;
  /** Forgets keys created before `iso`; returns how many. */
  forgetKeysBefore(iso: string): number;

  saveWaiting(records: WaitingRecord[]): void;
  removeWaiting(positions: number[]): void;
  waitingEvents(): WaitingRecord[];

  raiseException(e: Omit<OrderException, 'id'>): void;
  exceptions(afterId: number, limit: number): OrderException[];
}
