/**
 * Placing a new order: its stock reserved and the order stored with its channel number, its
 * Idempotency-Key and its first timeline entry, atomically, or nothing at all. The embedded hub
 * decides on its event loop and stores with a group commit; the scale-out backend claims the
 * channel number, then locks the items, in one PostgreSQL transaction shared by concurrent captures.
 */
import type { Shortfall } from '../domain/orders/source-order.js';
import type { OrderState } from '../domain/orders/order-state.js';
import type { Channel } from '../model/catalog.js';
import type { Step } from './order-changes.js';

export interface OrderDraft {
  /** The new order's id. */
  id: string;
  channel: Channel;
  externalId: string;
  lines: readonly { sku: string; qty: number }[];
  backorder: 'reject' | 'allow';
  /** The Idempotency-Key (as stored) and the request's fingerprint, bound to the order. */
  key: string;
  fingerprint: string;
  /** The order, given what was reserved for each line. */
  make(allocations: [string, number][][]): OrderState;
  /** Its first timeline entry. */
  captured: Step;
  /** The capture makes the first ERP attempt itself: the order is held for it from the start. */
  toErp: boolean;
}

export type Placement = { ok: true; order: OrderState } | { ok: false; shortfalls: Shortfall[]; duplicateOf?: string; unknownChannel?: boolean };

export interface OrderPlacement {
  /** Throws StorageFailedError (nothing placed). */
  place(draft: OrderDraft): Promise<Placement>;
}
