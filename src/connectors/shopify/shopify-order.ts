/**
 * Maps a Shopify order (the orders/create and orders/cancelled webhook body, the REST Order
 * resource) to the hub's order capture request. Shopify ids exceed JavaScript's safe integers,
 * so the order id is read from the raw text, never from the parsed number.
 */
import type { Issue } from '../../domain/errors.js';
import type { OrderRequest } from '../../model/order.js';

export interface ShopifyMapping {
  channel: string;
  /** A fixed hub customer for every order, or a prefix before the store's customer id. */
  customer?: string;
  customerPrefix?: string;
  backorder: 'reject' | 'allow';
}

export type Mapped = { ok: true; request: OrderRequest; orderId: string } | { ok: false; errors: Issue[] };

interface ShopifyOrder {
  name?: string;
  customer?: { id?: number } | null;
  line_items?: { sku?: string | null; quantity?: number; title?: string }[];
  cancelled_at?: string | null;
}

export function shopifyOrderToRequest(raw: string, mapping: ShopifyMapping): Mapped {
  let order: ShopifyOrder;
  try {
    order = JSON.parse(raw) as ShopifyOrder;
  } catch (err) {
    return { ok: false, errors: [{ path: '/', message: `the body is not JSON: ${(err as Error).message}` }] };
  }
  if (typeof order !== 'object' || order === null || Array.isArray(order))
    return { ok: false, errors: [{ path: '/', message: 'must be a JSON object (a Shopify order)' }] };
  const errors: Issue[] = [];
  const orderId = topLevelNumberField(raw, 'id');
  if (orderId === undefined) errors.push({ path: '/id', message: 'the order has no id' });
  let customer = mapping.customer;
  if (customer === undefined) {
    const id = customerIdOf(raw);
    if (id === undefined || mapping.customerPrefix === undefined)
      errors.push({ path: '/customer/id', message: 'the order has no customer, and the system names no fixed customer' });
    else customer = mapping.customerPrefix + id;
  }
  const items = Array.isArray(order.line_items) ? order.line_items : [];
  if (items.length === 0) errors.push({ path: '/line_items', message: 'the order has no line items' });
  const lines = new Map<string, number>();
  items.forEach((l, i) => {
    if (typeof l !== 'object' || l === null) errors.push({ path: `/line_items/${i}`, message: 'must be an object' });
    else if (typeof l.sku !== 'string' || l.sku.trim() === '') errors.push({ path: `/line_items/${i}/sku`, message: `line '${l.title ?? i}' has no SKU` });
    else if (!Number.isInteger(l.quantity) || l.quantity! <= 0) errors.push({ path: `/line_items/${i}/quantity`, message: 'must be a positive integer' });
    // The hub takes one line per item: the store may list the same SKU twice (different properties).
    else lines.set(l.sku.trim(), (lines.get(l.sku.trim()) ?? 0) + l.quantity!);
  });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    orderId: orderId!,
    request: {
      channel: mapping.channel,
      externalId: orderId!,
      customer: customer!,
      lines: [...lines].map(([sku, qty]) => ({ sku, qty })),
      backorder: mapping.backorder,
    },
  };
}

/** The store's customer id inside "customer": { "id": ... }, as written. */
function customerIdOf(raw: string): string | undefined {
  const at = raw.indexOf('"customer"');
  if (at < 0) return undefined;
  const m = /^"customer"\s*:\s*\{[^{}]*?"id"\s*:\s*(\d+)/.exec(raw.slice(at));
  return m?.[1];
}

/** A number field of the top-level object as its source text (depth-aware, strings skipped). */
export function topLevelNumberField(raw: string, name: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
      const key = raw.slice(i + 1, j);
      i = j;
      if (depth !== 1 || key !== name) continue;
      const m = /^\s*:\s*(-?\d+)/.exec(raw.slice(j + 1, j + 64));
      if (m) return m[1];
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return undefined;
}
