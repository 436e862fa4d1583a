/**
 * Listing orders page by page, whatever the backend: the filters as the API takes them, and the
 * cursor that continues a listing. A cursor names the last order a page showed (its capture
 * instant and id), not an offset, so orders captured while someone pages through shift nothing.
 */
import { InvalidInputError } from '../../domain/errors.js';
import type { OrderView } from '../../model/order.js';
import { isDateTime } from '../../model/formats.js';
import type { OrderListing, OrderPlace } from '../../ports/order-store.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

export interface OrderPage {
  orders: OrderView[];
  next: string | null;
}

/**
 * Reads one page more than asked, so the page knows whether another follows (no cursor that
 * leads to an empty page).
 */
export async function pageOfOrders(listing: OrderListing, read: (listing: OrderListing) => Promise<OrderView[]>): Promise<OrderPage> {
  const found = await read({ ...listing, limit: listing.limit + 1 });
  const orders = found.slice(0, listing.limit);
  const last = orders[orders.length - 1];
  return { orders, next: found.length > listing.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}

export function encodeCursor(place: OrderPlace): string {
  return Buffer.from(JSON.stringify([place.createdAt, place.id])).toString('base64url');
}

/** Throws InvalidInputError naming `/cursor` for anything a page did not hand out. */
export function decodeCursor(cursor: string): OrderPlace {
  let place: unknown;
  try {
    place = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    place = undefined;
  }
  if (
    Array.isArray(place) &&
    place.length === 2 &&
    typeof place[0] === 'string' &&
    typeof place[1] === 'string' &&
    place[1].length > 0 &&
    isDateTime(place[0]) &&
    !Number.isNaN(Date.parse(place[0]))
  ) {
    return { createdAt: place[0], id: place[1] };
  }
  throw new InvalidInputError([{ path: '/cursor', message: 'is not a cursor this listing handed out; pass the "next" of the previous page unchanged' }]);
}
