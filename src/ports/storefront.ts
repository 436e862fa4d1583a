/**
 * A storefront that sends orders in by webhook, as the application needs it: is this body really
 * from the store, and what hub order (or which store order) does it describe. Each storefront
 * connector (connectors/<type>/) implements it.
 */
import type { Issue } from '../domain/errors.js';
import type { OrderRequest } from '../model/order.js';

export type MappedOrder = { ok: true; request: OrderRequest; storeOrderId: string } | { ok: false; errors: Issue[] };

export interface Storefront {
  readonly id: string;
  readonly channel: string;
  /** True when `signature` proves the raw body came from the store. */
  verify(raw: string, signature: string | undefined): boolean;
  /** The hub order a created-order body describes, or what is wrong with it. */
  orderFrom(raw: string): MappedOrder;
  /** The store's own id of the order in a body. */
  storeOrderId(raw: string): string | undefined;
}
