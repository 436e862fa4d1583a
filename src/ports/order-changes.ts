/**
 * One atomic change to orders and the stock they hold, whichever backend keeps them. A use case
 * names the orders it will change (and any further items it will reserve), and decides inside
 * `change` with plain synchronous code: what it records commits together (orders, timelines,
 * outbox messages, holds, the channel figures the holds move, waiting events, exceptions) or not
 * at all. The embedded backend makes it atomic on its event loop and commits with a group commit;
 * the scale-out backend runs it in a PostgreSQL transaction that locks the orders first, then
 * their items in sku order (the lock order every change to an existing order follows).
 */
import type { AvailabilityBook } from '../domain/inventory/availability-book.js';
import type { OutboundMessage } from '../domain/orders/order-machine.js';
import type { OrderState, SnapshotTime } from '../domain/orders/order-state.js';
import type { OrderException, TimelineRecord, WaitingRecord } from './order-store.js';

/** A timeline entry before it is stamped with the order, status and time. */
export interface Step {
  step: string;
  source: string;
  at?: string;
  correlationId?: string | undefined;
  outcome?: TimelineRecord['outcome'];
  detail?: string | undefined;
}

/** An outbox message and the step that sent it (the step names its idempotency key). */
export interface StepMessage {
  step: string;
  message: OutboundMessage;
}

/** What a change sees and does, inside its atomic boundary. */
export interface OrderWork {
  readonly nowMs: number;
  readonly nowIso: string;
  /** Channels and locations, and the stock of the items in scope with every hold already taken. */
  readonly book: AvailabilityBook;
  /** The order as this change sees it (after its own earlier records); undefined when never captured. */
  order(id: string): OrderState | undefined;
  /** The events waiting for the order's precondition, as this change sees them. */
  waiting(orderId: string): readonly WaitingRecord[];
  /** What the order holds now, per "sku\u001flocation" (as last recorded). */
  holds(orderId: string): ReadonlyMap<string, number>;
  /** When each location's authority last counted an item: shipments before that count have left. */
  readonly countedAt: SnapshotTime;
  /** Orders in scope holding shipped units of `sku` at `location` that the location has not shown leaving. */
  shippedUnconfirmed(sku: string, location: string): string[];
  /**
   * Records the order as `next`: what it holds moves at once to what its facts say (so a later
   * decision in the same change sees the stock it took or gave back), and the steps and messages
   * are written with it.
   */
  record(next: OrderState, steps: readonly Step[], messages?: readonly StepMessage[]): void;
  /**
   * Waiting events that leave the list (applied or expired). Should another process have taken
   * one first (events for an order never captured are not locked), its exception is not raised twice.
   */
  removeWaiting(positions: readonly number[]): void;
  saveWaiting(records: readonly WaitingRecord[]): void;
  raise(exceptions: readonly Omit<OrderException, 'id'>[]): void;
  /**
   * The order was never taken (the ERP failed it at capture): its channel order number and the
   * Idempotency-Key that captured it may be used again.
   */
  forgetCapture(order: OrderState, idempotencyKey: string): void;
}

export interface OrderChanges {
  /**
   * Runs `decide` atomically over `orders` and the items they name or hold, plus `items`.
   * Throws StorageFailedError (nothing committed), and whatever `decide` throws (nothing committed).
   */
  change<T>(scope: { orders: readonly string[]; items?: readonly string[] }, decide: (work: OrderWork) => T): Promise<T>;
  /** Orders owed units (backordered), oldest first; `skus` narrows to orders owed one of them. */
  owingOrders(limit: number, skus?: readonly string[]): Promise<string[]>;
  /** Orders of `customer` held for credit. */
  heldFor(customer: string): Promise<string[]>;
  /** Waiting events that have waited since before `iso`, oldest first. */
  waitingSince(iso: string, limit: number): Promise<WaitingRecord[]>;
}
