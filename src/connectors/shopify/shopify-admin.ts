/**
 * The Shopify-style storefront's outbound side, as a Destination of the delivery engine:
 * availability changes become GraphQL `inventorySetQuantities` calls (up to 250 quantities
 * each), or REST `inventory_levels/set` calls (one item each) when so configured, after resolving SKUs to inventory items with `productVariants` (cached); shipment
 * confirmations of the store's orders become fulfillments with tracking. 429 carries Retry-After
 * back to the engine; userErrors are refusals (not retried). `cost` tells the engine how many
 * calls of the store's rate budget a batch takes, lookups included.
 */
import http from 'node:http';
import https from 'node:https';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import { parseRetryAfter } from '../../domain/delivery/retry-delay.js';
import { trackingParts } from '../../domain/orders/tracking.js';

export interface ShopifyAdminOptions {
  id: string;
  baseUrl: string;
  token?: string;
  locationId: string;
  apiVersion?: string;
  timeoutMs?: number;
  /** graphql: inventorySetQuantities, 250 a call (default); rest: inventory_levels/set.json, one item a call. */
  inventoryApi?: 'graphql' | 'rest';
}

const SET_QUANTITIES = `mutation inventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { reason } userErrors { field message } } }`;
const VARIANTS_BY_SKU = `query variants($query: String!) {
  productVariants(first: 250, query: $query) { edges { node { sku inventoryItem { id } } } } }`;

export class ShopifyAdmin implements Destination {
  readonly maxBatch: number;
  readonly id: string;
  /** sku → inventory item id, or null when the store does not sell it. */
  private readonly items = new Map<string, string | null>();
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(private readonly o: ShopifyAdminOptions) {
    this.id = o.id;
    this.maxBatch = o.inventoryApi === 'rest' ? 1 : 250;
    this.url = new URL(o.baseUrl);
    this.agent = new (this.url.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 4 });
  }

  cost(messages: OutgoingMessage[]): number {
    let calls = 0,
      lookups = false,
      availability = false;
    for (const m of messages) {
      // Its fulfillment orders listed, then fulfilled.
      if (m.topic === 'shipment.confirmed') calls += 2;
      else if (m.topic === 'availability.changed') {
        availability = true;
        if (!this.items.has((m.payload as { sku: string }).sku)) lookups = true;
      }
    }
    const sets = this.o.inventoryApi === 'rest' ? messages.filter((m) => m.topic === 'availability.changed').length : availability ? 1 : 0;
    return calls + sets + (lookups ? 1 : 0);
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    const levels = new Map<string, number>();
    for (const m of messages)
      if (m.topic === 'availability.changed') {
        const p = m.payload as { sku: string; available: number; ids?: Record<string, string> };
        // The store's own SKU and inventory item, when the cross-references give them, spare a lookup.
        const sku = p.ids?.sku ?? p.sku;
        const item = p.ids?.inventory_item_id;
        if (item) this.items.set(sku, item.startsWith('gid://') ? item : `gid://shopify/InventoryItem/${item}`);
        levels.set(sku, p.available);
      }
    if (levels.size > 0) await this.setQuantities(levels);
    for (const m of messages)
      if (m.topic === 'shipment.confirmed')
        await this.fulfil(m.payload as { externalId: string; tracking?: string | { number?: string; carrier?: string } | null }, m.correlationId);
  }

  close(): void {
    this.agent.destroy();
  }

  private async setQuantities(levels: Map<string, number>): Promise<void> {
    const unknown = [...levels.keys()].filter((sku) => !this.items.has(sku));
    if (unknown.length > 0) {
      const answer = (await this.call('/graphql.json', {
        query: VARIANTS_BY_SKU,
        variables: { query: unknown.map((s) => `sku:'${s.replace(/'/g, "\\'")}'`).join(' OR ') },
      })) as { data?: { productVariants?: { edges: { node: { sku: string; inventoryItem: { id: string } } }[] } }; errors?: unknown; extensions?: unknown };
      // Without an answer nothing is known of these SKUs: not that the store does not sell them.
      if (answer.errors) throw graphqlFailure(this.id, answer.errors, answer.extensions);
      for (const sku of unknown) this.items.set(sku, null);
      for (const e of answer.data?.productVariants?.edges ?? []) this.items.set(e.node.sku, e.node.inventoryItem.id);
    }
    // Items the store does not sell have nowhere to go: that is not a failure.
    const quantities = [...levels].flatMap(([sku, quantity]) => {
      const id = this.items.get(sku);
      return id ? [{ inventoryItemId: id, locationId: this.o.locationId, quantity }] : [];
    });
    if (quantities.length === 0) return;
    if (this.o.inventoryApi === 'rest') {
      // REST takes numeric ids: the gid's last segment.
      const num = (gid: string) => Number(gid.slice(gid.lastIndexOf('/') + 1));
      for (const q of quantities)
        await this.call('/inventory_levels/set.json', { location_id: num(q.locationId), inventory_item_id: num(q.inventoryItemId), available: q.quantity });
      return;
    }
    const answer = (await this.call('/graphql.json', {
      query: SET_QUANTITIES,
      variables: { input: { name: 'available', reason: 'correction', ignoreCompareQuantity: true, quantities } },
    })) as { data?: { inventorySetQuantities?: { userErrors: { field: string[]; message: string }[] } }; errors?: unknown; extensions?: unknown };
    const errors = answer.data?.inventorySetQuantities?.userErrors ?? [];
    if (answer.errors) throw graphqlFailure(this.id, answer.errors, answer.extensions);
    if (errors.length > 0)
      throw new DeliveryFailedError(this.id, `inventorySetQuantities refused: ${errors.map((e) => `${e.field.join('.')}: ${e.message}`).join('; ')}`, false);
  }

  /**
   * Fulfils a store order for the shipment, with its tracking: fulfilments are made for the
   * order's fulfillment orders (the REST call on the order itself is gone since 2022-07). Those
   * still open at the hub's location are fulfilled, else any still open; none open means the
   * order is fulfilled already (a retry after success, or by hand in the store), which is done.
   */
  private async fulfil(s: { externalId: string; tracking?: string | { number?: string; carrier?: string } | null }, correlationId?: string): Promise<void> {
    const listed = (await this.call(`/orders/${encodeURIComponent(s.externalId)}/fulfillment_orders.json`, undefined, correlationId)) as {
      fulfillment_orders?: { id?: unknown; status?: unknown; assigned_location_id?: unknown }[];
    };
    const open = (Array.isArray(listed?.fulfillment_orders) ? listed.fulfillment_orders : []).filter(
      (fo) => (typeof fo?.id === 'number' || typeof fo?.id === 'string') && (fo.status === 'open' || fo.status === 'in_progress'),
    );
    const here = open.filter((fo) => String(fo.assigned_location_id) === this.o.locationId.slice(this.o.locationId.lastIndexOf('/') + 1));
    const chosen = here.length > 0 ? here : open;
    if (chosen.length === 0) return;
    const tracking = trackingParts(s.tracking);
    await this.call(
      '/fulfillments.json',
      {
        fulfillment: {
          notify_customer: true,
          ...(tracking.number ? { tracking_info: { number: tracking.number, ...(tracking.carrier ? { company: tracking.carrier } : {}) } } : {}),
          line_items_by_fulfillment_order: chosen.map((fo) => ({ fulfillment_order_id: fo.id })),
        },
      },
      correlationId,
    );
  }

  /** POSTs `body`, or GETs when there is none. */
  private call(path: string, body: unknown, correlationId?: string): Promise<unknown> {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const transport = this.url.protocol === 'https:' ? https : http;
    const base = this.url.pathname.replace(/\/$/, '');
    return new Promise((resolve, reject) => {
      const req = transport.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          method: body === undefined ? 'GET' : 'POST',
          agent: this.agent,
          path: `${base}/admin/api/${this.o.apiVersion ?? '2024-10'}${path}`,
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...(this.o.token ? { 'x-shopify-access-token': this.o.token } : {}),
            ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve(JSON.parse(text));
              } catch {
                reject(new DeliveryFailedError(this.id, 'the store answered with something that is not JSON', true));
              }
              return;
            }
            const retryAfter = res.headers['retry-after'];
            reject(
              new DeliveryFailedError(
                this.id,
                `HTTP ${status}: ${text.slice(0, 300)}`,
                status === 429 || status >= 500,
                parseRetryAfter(typeof retryAfter === 'string' ? String(Math.ceil(Number(retryAfter))) : undefined),
                status,
              ),
            );
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: Error) =>
        reject(
          new DeliveryFailedError(
            this.id,
            err.name === 'AbortError' || err.name === 'TimeoutError' ? 'no answer in time' : `cannot reach the store: ${err.message}`,
            true,
          ),
        ),
      );
      req.end(payload);
    });
  }
}

/** Codes of GraphQL errors that pass: the cost budget spent, or the store failing for a moment. */
const PASSING = new Set(['THROTTLED', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/**
 * A GraphQL answer with top-level errors. Over the cost budget the Admin API answers 200 with a
 * THROTTLED error rather than a 429: it is retried as a 429 is, after as long as the points
 * missing take to refill (from the throttle status); other errors are refusals.
 */
export function graphqlFailure(destination: string, errors: unknown, extensions: unknown): DeliveryFailedError {
  const codes = (Array.isArray(errors) ? errors : []).map((e) => (e as { extensions?: { code?: unknown } } | null)?.extensions?.code);
  const reason = `GraphQL errors: ${JSON.stringify(errors).slice(0, 300)}`;
  if (codes.length === 0 || !codes.every((c) => typeof c === 'string' && PASSING.has(c))) return new DeliveryFailedError(destination, reason, false);
  if (!codes.includes('THROTTLED')) return new DeliveryFailedError(destination, reason, true);
  const cost = (extensions as { cost?: { requestedQueryCost?: unknown; throttleStatus?: { currentlyAvailable?: unknown; restoreRate?: unknown } } } | null)
    ?.cost;
  const [wanted, available, rate] = [cost?.requestedQueryCost, cost?.throttleStatus?.currentlyAvailable, cost?.throttleStatus?.restoreRate];
  const waitMs =
    typeof wanted === 'number' && typeof available === 'number' && typeof rate === 'number' && rate > 0
      ? Math.min(60_000, Math.max(1000, Math.ceil(((wanted - available) / rate) * 1000)))
      : 1000;
  // As a 429: the engine empties its own bucket too, having found the store's emptier than it thought.
  return new DeliveryFailedError(destination, reason, true, waitMs, 429);
}
