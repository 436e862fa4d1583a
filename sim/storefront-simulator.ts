/**
 * A simulated Shopify-style storefront's Admin API, for tests, benchmarks and the demo: the
 * GraphQL endpoint answers `productVariants` lookups by SKU and the `inventorySetQuantities`
 * mutation (up to 250 quantities a call), the REST endpoints list an order's fulfillment orders
 * and fulfil them with tracking. Calls drain a leaky bucket (40 deep, 2 per second by default) and get 429 with
 * Retry-After when it is full, as the real API does; outages are injected on demand.
 *
 *   POST /admin/api/2024-10/graphql.json
 *   POST /admin/api/2024-10/inventory_levels/set.json   { location_id, inventory_item_id, available } (REST, one item)
 *   GET  /admin/api/2024-10/orders/{id}/fulfillment_orders.json
 *   POST /admin/api/2024-10/fulfillments.json            { fulfillment: { tracking_info, line_items_by_fulfillment_order } }
 *   GET  /_sim/levels           → { sku: available } at the location
 *   PUT  /_sim/faults           { outage?, latencyMs?, errorRate?, tooManyRequests?, leakPerSecond?, bucketSize?, graphqlThrottled? }
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { injectFault, NO_FAULTS, type Faults } from './faults.js';

export interface StorefrontFaults extends Faults {
  leakPerSecond: number;
  bucketSize: number;
  /** The next N GraphQL calls are throttled by query cost: HTTP 200 with a THROTTLED error, as the GraphQL Admin API answers. */
  graphqlThrottled: number;
}

/** A GraphQL call over the cost budget: errors and extensions at the top, no data; the bucket refills at restoreRate points a second. */
const THROTTLED = {
  errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
  extensions: {
    cost: { requestedQueryCost: 752, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 666, restoreRate: 50 } },
  },
};

export class StorefrontSimulator {
  /** sku → inventory item gid. SKUs are created on first lookup unless `catalog` limits them. */
  readonly items = new Map<string, string>();
  /** inventory item gid → available at the one location. */
  readonly levels = new Map<string, number>();
  private readonly itemIds = new Set<string>();
  private readonly skuOf = new Map<string, string>();
  /** Called as each quantity is set (benchmarks time propagation with it). */
  onSet?: (sku: string, quantity: number, atMs: number) => void;
  readonly fulfillments: { orderId: string; trackingNumber?: string; trackingCompany?: string; at: number }[] = [];
  /** One fulfillment order per store order, made when first asked for (the simulator is told of no orders). */
  private readonly fulfillmentOrders = new Map<string, { id: number; order_id: string; status: 'open' | 'closed'; assigned_location_id: number }>();
  readonly calls = { total: 0, throttled: 0, mutations: 0, quantities: 0 };
  faults: StorefrontFaults = { ...NO_FAULTS, leakPerSecond: 2, bucketSize: 40, graphqlThrottled: 0 };
  readonly locationId = 'gid://shopify/Location/905684977';
  private bucket = 0;
  private leakedAt = Date.now();
  private next = 39_072_856;
  private server: Server | undefined;

  /** `catalog`: the SKUs the store sells; unset, every SKU asked about exists. */
  constructor(private readonly catalog?: ReadonlySet<string>) {}

  availableOf(sku: string): number | undefined {
    const id = this.items.get(sku);
    return id === undefined ? undefined : this.levels.get(id);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => send(res, 500, { errors: String(err) }));
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The leaky bucket: true when the call fits. */
  private admit(): boolean {
    const now = Date.now();
    this.bucket = Math.max(0, this.bucket - ((now - this.leakedAt) / 1000) * this.faults.leakPerSecond);
    this.leakedAt = now;
    if (this.bucket + 1 > this.faults.bucketSize) return false;
    this.bucket += 1;
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shop');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (url.pathname === '/_sim/levels') return send(res, 200, Object.fromEntries([...this.items].map(([sku, id]) => [sku, this.levels.get(id) ?? 0])));
    if (url.pathname === '/_sim/faults' && req.method === 'PUT') {
      this.faults = { ...this.faults, ...JSON.parse(text || '{}') };
      return send(res, 200, this.faults);
    }
    this.calls.total++;
    const fault = await injectFault(this.faults);
    if (fault) {
      if (fault.status === 429) this.calls.throttled++;
      return send(res, fault.status, fault.body, fault.headers);
    }
    if (!this.admit()) {
      this.calls.throttled++;
      return send(
        res,
        429,
        { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' },
        { 'retry-after': '2.0' },
      );
    }
    const orders = /^\/admin\/api\/[\w-]+\/orders\/([^/]+)\/fulfillment_orders\.json$/.exec(url.pathname);
    if (orders && req.method === 'GET') return send(res, 200, { fulfillment_orders: [this.fulfillmentOrderOf(decodeURIComponent(orders[1]!))] });
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, 400, { errors: 'body is not JSON' });
    }
    if (/^\/admin\/api\/[\w-]+\/graphql\.json$/.test(url.pathname)) {
      if (this.faults.graphqlThrottled > 0) {
        this.faults.graphqlThrottled--;
        this.calls.throttled++;
        return send(res, 200, THROTTLED);
      }
      return send(res, 200, this.graphql(body));
    }
    if (/^\/admin\/api\/[\w-]+\/inventory_levels\/set\.json$/.test(url.pathname) && req.method === 'POST') {
      const { inventory_item_id: item, location_id: location, available } = body ?? {};
      const id = `gid://shopify/InventoryItem/${item}`;
      if (!this.itemIds.has(id)) return send(res, 422, { errors: { inventory_item_id: ['Inventory item does not exist'] } });
      if (!Number.isInteger(available)) return send(res, 422, { errors: { available: ['must be an integer'] } });
      this.levels.set(id, available);
      this.calls.quantities++;
      this.onSet?.(this.skuOf.get(id)!, available, Date.now());
      return send(res, 200, { inventory_level: { inventory_item_id: item, location_id: location, available, updated_at: new Date().toISOString() } });
    }
    // Fulfilments are made for fulfillment orders; POST /orders/{id}/fulfillments.json is gone since 2022-07 (404 here too).
    if (/^\/admin\/api\/[\w-]+\/fulfillments\.json$/.test(url.pathname) && req.method === 'POST') {
      const ful = body?.fulfillment ?? {};
      const wanted: unknown[] = Array.isArray(ful.line_items_by_fulfillment_order) ? ful.line_items_by_fulfillment_order : [];
      const fos = wanted.map((w) =>
        [...this.fulfillmentOrders.values()].find((fo) => fo.id === (w as { fulfillment_order_id?: unknown })?.fulfillment_order_id),
      );
      if (fos.length === 0 || fos.some((fo) => fo === undefined))
        return send(res, 422, { errors: ['line_items_by_fulfillment_order must name fulfillment orders of the shop'] });
      if (fos.some((fo) => fo!.status === 'closed')) return send(res, 422, { errors: ['Fulfillment order is not in a fulfillable state'] });
      for (const fo of fos) fo!.status = 'closed';
      this.fulfillments.push({
        orderId: fos[0]!.order_id,
        trackingNumber: ful.tracking_info?.number,
        trackingCompany: ful.tracking_info?.company,
        at: Date.now(),
      });
      return send(res, 201, {
        fulfillment: { id: this.fulfillments.length, order_id: fos[0]!.order_id, status: 'success', tracking_number: ful.tracking_info?.number ?? null },
      });
    }
    return send(res, 404, { errors: 'Not Found' });
  }

  private fulfillmentOrderOf(orderId: string) {
    let fo = this.fulfillmentOrders.get(orderId);
    if (!fo) {
      fo = {
        id: 6_117_286_052_022 + this.fulfillmentOrders.size,
        order_id: orderId,
        status: 'open',
        assigned_location_id: Number(this.locationId.slice(this.locationId.lastIndexOf('/') + 1)),
      };
      this.fulfillmentOrders.set(orderId, fo);
    }
    return { ...fo, line_items: [{ id: fo.id + 1, fulfillment_order_id: fo.id, quantity: 1, fulfillable_quantity: fo.status === 'open' ? 1 : 0 }] };
  }

  private graphql(body: { query?: string; variables?: any }): unknown {
    const q = body.query ?? '';
    const cost = { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } };
    if (q.includes('productVariants')) {
      const skus = [...String(body.variables?.query ?? '').matchAll(/sku:'?([^'\s)]+)'?/g)].map((m) => m[1]!);
      const edges = skus
        .filter((sku) => !this.catalog || this.catalog.has(sku))
        .map((sku) => {
          let id = this.items.get(sku);
          if (!id) {
            id = `gid://shopify/InventoryItem/${this.next++}`;
            this.items.set(sku, id);
            this.itemIds.add(id);
            this.skuOf.set(id, sku);
          }
          return { node: { sku, inventoryItem: { id } } };
        });
      return { data: { productVariants: { edges } }, extensions: { cost } };
    }
    if (q.includes('inventorySetQuantities')) {
      this.calls.mutations++;
      const input = body.variables?.input ?? {};
      const quantities = (input.quantities ?? []) as { inventoryItemId: string; locationId: string; quantity: number }[];
      const userErrors: { field: string[]; message: string }[] = [];
      if (quantities.length > 250) userErrors.push({ field: ['input', 'quantities'], message: 'Too many quantities: at most 250 per call' });
      quantities.forEach((x, i) => {
        if (!this.itemIds.has(x.inventoryItemId))
          userErrors.push({ field: ['input', 'quantities', String(i), 'inventoryItemId'], message: 'The specified inventory item could not be found.' });
        if (!Number.isInteger(x.quantity) || x.quantity < 0)
          userErrors.push({ field: ['input', 'quantities', String(i), 'quantity'], message: 'Quantity must be a non-negative integer.' });
      });
      if (userErrors.length === 0) {
        const now = Date.now();
        for (const x of quantities) {
          this.levels.set(x.inventoryItemId, x.quantity);
          this.calls.quantities++;
          this.onSet?.(this.skuOf.get(x.inventoryItemId)!, x.quantity, now);
        }
      }
      return {
        data: { inventorySetQuantities: { inventoryAdjustmentGroup: userErrors.length ? null : { reason: input.reason ?? 'correction' }, userErrors } },
        extensions: { cost },
      };
    }
    return { errors: [{ message: 'unsupported query in the simulator' }] };
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
