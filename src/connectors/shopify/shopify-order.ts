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
  line_items?: { sku?: string | null; variant_id?: number | null; quantity?: number; current_quantity?: number; title?: string }[];
  cancelled_at?: string | null;
}

/** A line as the store sent it: its SKU and variant, either of which may be the store's own. */
export interface StoreLine {
  sku?: string;
  variantId?: string;
}

/** The store's lines, as they identify their items (for translation before mapping). */
export function storeLinesOf(raw: string): StoreLine[] {
  try {
    const items = (JSON.parse(raw) as ShopifyOrder).line_items;
    return (Array.isArray(items) ? items : []).map((l) => ({
      ...(typeof l?.sku === 'string' && l.sku.trim() !== '' ? { sku: l.sku.trim() } : {}),
      ...(typeof l?.variant_id === 'number' ? { variantId: String(l.variant_id) } : {}),
    }));
  } catch {
    return [];
  }
}

/**
 * `skuFor` gives the hub's SKU of a line (the cross-references' work), by default its SKU as is;
 * lines of one SKU become one line. `sources[i]` lists the store lines behind request line i.
 */
export function shopifyOrderToRequest(
  raw: string,
  mapping: ShopifyMapping,
  skuFor: (line: StoreLine) => string | undefined = (l) => l.sku,
): Mapped & { sources?: number[][] } {
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
  const sources = new Map<string, number[]>();
  const storeLines = storeLinesOf(raw);
  items.forEach((l, i) => {
    // An order edit leaves quantity as first ordered and gives what is left in current_quantity (0: the line was removed).
    if (typeof l === 'object' && l !== null && l.current_quantity === 0) return;
    const edited = typeof l === 'object' && l !== null && l.current_quantity !== undefined;
    const qty = edited ? l.current_quantity : l?.quantity;
    const sku = typeof l === 'object' && l !== null && storeLines[i] ? skuFor(storeLines[i]) : undefined;
    if (typeof l !== 'object' || l === null) errors.push({ path: `/line_items/${i}`, message: 'must be an object' });
    else if (sku === undefined) errors.push({ path: `/line_items/${i}/sku`, message: `line '${l.title ?? i}' has no SKU the hub knows it by` });
    else if (!Number.isInteger(qty) || qty! <= 0)
      errors.push({ path: `/line_items/${i}/${edited ? 'current_quantity' : 'quantity'}`, message: 'must be a positive integer' });
    // The hub takes one line per item: the store may list the same SKU twice (different properties).
    else {
      lines.set(sku, (lines.get(sku) ?? 0) + qty!);
      sources.set(sku, [...(sources.get(sku) ?? []), i]);
    }
  });
  if (items.length > 0 && lines.size === 0 && errors.length === 0)
    errors.push({ path: '/line_items', message: 'every line was removed by an order edit (current_quantity 0)' });
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
    sources: [...sources.values()],
  };
}

/**
 * The store's customer id: "customer": { "id": ... } of the order itself, as written. Only the
 * order's own field counts: "customer" is also a word of Shopify's values ("cancel_reason":
 * "customer") and may name a field of a nested object.
 */
function customerIdOf(raw: string): string | undefined {
  const customer = topLevelValue(raw, 'customer');
  return customer?.startsWith('{') ? topLevelNumberField(customer, 'id') : undefined;
}

/** A number field of the top-level object as its source text (depth-aware, strings skipped). */
export function topLevelNumberField(raw: string, name: string): string | undefined {
  return /^-?\d+/.exec(topLevelValue(raw, name) ?? '')?.[0];
}

/**
 * The source text of a field of the top-level object, from its value's first character to its end;
 * of its last occurrence, as JSON.parse reads a field named twice.
 */
function topLevelValue(raw: string, name: string): string | undefined {
  let depth = 0;
  let found: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      const j = stringEnd(raw, i);
      const key = raw.slice(i + 1, j);
      i = j;
      if (depth !== 1 || key !== name) continue;
      const colon = /^\s*:\s*/.exec(raw.slice(j + 1, j + 64));
      if (!colon) continue;
      const from = j + 1 + colon[0].length;
      found = raw.slice(from, valueEnd(raw, from));
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return found;
}

/** The index of the quote closing the string opened at `open`. */
function stringEnd(raw: string, open: number): number {
  let j = open + 1;
  while (j < raw.length && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
  return j;
}

/** Where the value starting at `from` ends: past its closing bracket, or at the comma or bracket after it. */
function valueEnd(raw: string, from: number): number {
  let depth = 0;
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') i = stringEnd(raw, i);
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (c === ',' && depth === 0) return i;
  }
  return raw.length;
}

/** Whether the body is an order the store has cancelled (its cancelled_at is set). */
export function isCancelledOrder(raw: string): boolean {
  try {
    const cancelledAt = (JSON.parse(raw) as { cancelled_at?: unknown } | null)?.cancelled_at;
    return typeof cancelledAt === 'string' && cancelledAt !== '';
  } catch {
    return false;
  }
}

/** The topics whose body is the whole Order resource. */
const ORDER_TOPICS = new Set([
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/paid',
  'orders/fulfilled',
  'orders/partially_fulfilled',
  'orders/edited',
]);

/**
 * Shopify signs the body, not the X-Shopify-Topic header, so the topic is checked against what
 * the signed body says:
 * - an order topic needs an Order resource; a body naming the order it belongs to (`order_id`: a
 *   fulfilment, refund or transaction) is another resource and is refused, so a fulfilment sent
 *   as orders/create can never be captured as an order (its line_items look like an order's);
 * - a fulfilment topic needs a Fulfillment (it names its `order_id`), never an Order;
 * - an orders/cancelled body must be cancelled: what tells a cancellation apart is the order's
 *   own `cancelled_at`, set once the store cancelled it, so a captured orders/create cannot be
 *   replayed to cancel. The converse is not refused: Shopify's own orders/create test
 *   notification carries a cancelled sample order, and a cancelled order sent as orders/create
 *   captures nothing new (the store's order id is captured once).
 * A signed body that is no resource at all is not refused here: the mapping parks it naming the
 * field, so nothing the store sent is lost.
 */
export function orderTopicContradiction(topic: string | undefined, raw: string): string | undefined {
  const fulfilmentTopic = topic?.startsWith('fulfillments/') === true;
  if (topic === undefined || (!ORDER_TOPICS.has(topic) && !fulfilmentTopic)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return undefined; // not JSON: parked by the mapping with its reason
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const orderId = topLevelNumberField(raw, 'order_id');
  const tracking = 'tracking_number' in body || 'tracking_numbers' in body || 'shipment_status' in body;
  if (fulfilmentTopic) {
    if (orderId === undefined && 'line_items' in body && 'order_number' in body)
      return `the body is an order (order_number ${String((body as { order_number?: unknown }).order_number)}, no order_id), not a fulfilment`;
    return undefined;
  }
  if (orderId !== undefined)
    return tracking
      ? `the body is a fulfilment of order ${orderId} (it names order_id and its tracking), not an order; fulfilments are sent as fulfillments/create`
      : `the body names the order it belongs to (order_id ${orderId}), so it is not an order but a resource of one`;
  const order = body as { line_items?: unknown };
  if (topLevelNumberField(raw, 'id') === undefined || !Array.isArray(order.line_items)) return undefined;
  if (topic === 'orders/cancelled' && !isCancelledOrder(raw))
    return 'the body is an order the store has not cancelled (cancelled_at is null), so it cannot be an orders/cancelled webhook';
  return undefined;
}
