/**
 * The query of GET /v1/orders: its schema for the OpenAPI document, and the reading that turns
 * it into a listing or the one-order lookup by the channel's number. Reading collects every
 * problem at once and names each query field, so a script sees all it must fix in one 422.
 */
import { Type } from '@sinclair/typebox';
import { InvalidInputError, type Issue } from '../../../domain/errors.js';
import { ORDER_STATUSES, type OrderStatus } from '../../../model/order.js';
import { isDateTime } from '../../../model/formats.js';
import { DEFAULT_PAGE, MAX_PAGE, decodeCursor } from '../../../app/orders/order-listing.js';
import type { OrderListing } from '../../../ports/order-store.js';

export const OrderListQuery = Type.Object({
  channel: Type.Optional(Type.String({ minLength: 1, description: 'Only orders from this channel.' })),
  externalId: Type.Optional(Type.String({ minLength: 1, description: 'With channel: the one order the channel knows by this number (its own order number).' })),
  customer: Type.Optional(Type.String({ minLength: 1, description: 'Only orders of this customer.' })),
  status: Type.Optional(
    Type.Union(
      ORDER_STATUSES.map((s) => Type.Literal(s)),
      { description: 'Only orders in this status now.' },
    ),
  ),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Only orders captured at or after this instant (RFC 3339).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE, description: 'Orders per page.' })),
  cursor: Type.Optional(Type.String({ description: 'The "next" of the previous page, unchanged; leave out for the first page.' })),
});

export type OrderQuery = { kind: 'reference'; channel: string; externalId: string } | { kind: 'listing'; listing: OrderListing };

/** The query string of a request URL as sent: each field's text, or its texts when repeated. */
export function queryAsSent(url: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(url.slice(url.indexOf('?') + 1 || url.length))) {
    const seen = fields[name];
    fields[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return fields;
}

/** Throws InvalidInputError listing every field that is wrong. */
export function readOrderQuery(query: Record<string, unknown>): OrderQuery {
  const issues: Issue[] = [];
  const text = (field: string): string | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      issues.push({ path: `/${field}`, message: 'must be given once' });
      return undefined;
    }
    const s = value;
    if (s.length === 0) {
      issues.push({ path: `/${field}`, message: 'must not be empty' });
      return undefined;
    }
    return s;
  };
  const channel = text('channel');
  const externalId = text('externalId');
  const customer = text('customer');
  const status = readStatus(text('status'), issues);
  const since = readSince(text('since'), issues);
  const limit = readLimit(text('limit'), issues);
  const cursor = text('cursor');
  let before: OrderListing['before'];
  if (cursor !== undefined) {
    try {
      before = decodeCursor(cursor);
    } catch (err) {
      issues.push(...(err as InvalidInputError).issues);
    }
  }
  if (externalId !== undefined && channel === undefined && query.channel === undefined)
    issues.push({ path: '/channel', message: "is required with externalId (a channel's own order number)" });
  if (issues.length > 0)
    throw new InvalidInputError(issues, `The order query is not valid: ${issues.map((i) => `${i.path.slice(1)} ${i.message}`).join('; ')}.`);
  if (externalId !== undefined) return { kind: 'reference', channel: channel!, externalId };
  return {
    kind: 'listing',
    listing: {
      limit: limit ?? DEFAULT_PAGE,
      ...(channel !== undefined ? { channel } : {}),
      ...(customer !== undefined ? { customer } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(before ? { before } : {}),
    },
  };
}

function readStatus(value: string | undefined, issues: Issue[]): OrderStatus | undefined {
  if (value === undefined) return undefined;
  if ((ORDER_STATUSES as readonly string[]).includes(value)) return value as OrderStatus;
  issues.push({ path: '/status', message: `must be one of ${ORDER_STATUSES.join(', ')}` });
  return undefined;
}

function readSince(value: string | undefined, issues: Issue[]): string | undefined {
  if (value === undefined) return undefined;
  if (isDateTime(value) && !Number.isNaN(Date.parse(value)) && dayExists(value)) return value;
  issues.push({ path: '/since', message: 'must be an RFC 3339 date-time such as 2026-11-22T10:00:00Z' });
  return undefined;
}

/** The calendar has this day (Date.parse takes 2026-02-31 as March 3rd). */
function dayExists(iso: string): boolean {
  const [year, month, day] = [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function readLimit(value: string | undefined, issues: Issue[]): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (n >= 1 && n <= MAX_PAGE) return n;
  issues.push({ path: '/limit', message: `must be a whole number from 1 to ${MAX_PAGE}` });
  return undefined;
}
