/**
 * A simulated ERP for tests, benchmarks and the demo: an HTTP server with its own sales-order
 * store, speaking a REST shape typical of ERP order APIs. It deduplicates by the external
 * reference (the hub's order id), as a real integration would configure it, and injects faults
 * on demand: latency (applied after the order is stored, so a caller that times out leaves an
 * order behind, the hard case), a share of 500 errors, and outages (503).
 *
 * Because it deduplicates, its store cannot show a hub placing one order twice. `placements`
 * counts, per reference, every placing call that reached the ERP's order logic: what an ERP
 * without deduplication would have created. Tests of "one ERP order per hub order" assert on it.
 *
 *   POST /api/sales-orders            { externalReference, customer, customerNumber?, channel, channelOrderId, lines: [{ item, quantity }] }
 *                                     → 201 { orderNumber, externalReference, status } (200 with the same order on a repeat)
 *   GET  /api/sales-orders?externalReference=X → 200 { items: [...] }
 *   PATCH /api/sales-orders?externalReference=X { lines: [{ item, quantity, unitPrice? }] }
 *                                     → 200 the order with its lines replaced (404 for a reference it does not hold)
 *   GET  /_sim/orders                 → every order held
 *   GET  /_sim/calls                  → calls by kind, and placing calls per external reference
 *   PUT  /_sim/faults                 { latencyMs?, errorRate?, outage? }
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ErpConnector } from '../src/ports/erp.js';
import { ErpCallError } from '../src/domain/orders/order-errors.js';

export interface ErpFaults {
  latencyMs: number;
  errorRate: number;
  outage: boolean;
  tooManyRequests?: number;
}

export interface SalesOrder {
  orderNumber: string;
  externalReference: string;
  customer: string;
  customerNumber?: string;
  channel: string;
  channelOrderId: string;
  lines: { item: string; quantity: number; unitPrice?: number }[];
  status: 'open';
  createdAt: string;
  /** Set once an order change replaced its lines. */
  changedAt?: string;
}

export class ErpSimulator {
  readonly orders = new Map<string, SalesOrder>();
  faults: ErpFaults = { latencyMs: 0, errorRate: 0, outage: false };
  /** Requests received, by kind, for tests that count calls. */
  readonly calls = { place: 0, find: 0, change: 0 };
  /** Every order change that reached the order logic, in arrival order (tests count and read them). */
  readonly changes: { externalReference: string; lines: SalesOrder['lines'] }[] = [];
  /** Per external reference, the placing calls that reached the order logic (each would have created an order without deduplication). */
  readonly placements = new Map<string, number>();
  /** Every request as it arrived (method, path, X-Correlation-Id), for tests that follow a request's correlation id. */
  readonly requests: { method: string; path: string; correlationId: string | undefined }[] = [];
  private next = 100_001;
  private server: Server | undefined;

  constructor(private readonly random: () => number = Math.random) {}

  /** The ERP's own logic, callable in-process (the HTTP routes use it too). */
  place(body: Omit<SalesOrder, 'orderNumber' | 'status' | 'createdAt'>): { created: boolean; order: SalesOrder } {
    this.placements.set(body.externalReference, (this.placements.get(body.externalReference) ?? 0) + 1);
    const existing = this.orders.get(body.externalReference);
    if (existing) return { created: false, order: existing };
    const order: SalesOrder = { ...body, orderNumber: `SO-${this.next++}`, status: 'open', createdAt: new Date().toISOString() };
    this.orders.set(order.externalReference, order);
    return { created: true, order };
  }

  /** Replaces an order's lines (an amendment); undefined for a reference the ERP does not hold. */
  change(externalReference: string, lines: SalesOrder['lines']): SalesOrder | undefined {
    const order = this.orders.get(externalReference);
    if (!order) return undefined;
    this.changes.push({ externalReference, lines });
    order.lines = lines.map((l) => ({ ...l }));
    order.changedAt = new Date().toISOString();
    return order;
  }

  /** References placed more than once (empty when every hub order reached the ERP at most once). */
  placedTwice(): string[] {
    return [...this.placements].filter(([, n]) => n > 1).map(([reference]) => reference);
  }

  /** How many hub orders reached the ERP: references placed at least once. */
  get placedOrders(): number {
    return this.placements.size;
  }

  /**
   * The simulator as an in-process ErpConnector (no HTTP), with the same faults: for benchmarks
   * that measure the hub rather than an HTTP client. A call slower than the timeout fails as
   * timed out while the order stays placed, as over HTTP.
   */
  connector(): ErpConnector {
    const fault = (operation: string) => {
      if (this.faults.outage) throw new ErpCallError(operation, 'HTTP 503: ERP is down for maintenance', false, true);
      if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate)
        throw new ErpCallError(operation, 'HTTP 500: internal ERP error (injected)', false, true);
    };
    const answer = async <T>(operation: string, value: T, timeoutMs: number): Promise<T> => {
      if (this.faults.latencyMs > timeoutMs) {
        await sleep(timeoutMs);
        throw new ErpCallError(operation, `no answer within ${timeoutMs} ms`, true, true);
      }
      await sleep(this.faults.latencyMs);
      return value;
    };
    return {
      placeOrder: async (o, timeoutMs) => {
        fault('order placement');
        this.calls.place++;
        const { order } = this.place({
          externalReference: o.reference,
          customer: o.customer,
          channel: o.channel,
          channelOrderId: o.externalId,
          ...(o.erpCustomerNumber ? { customerNumber: o.erpCustomerNumber } : {}),
          lines: o.lines.map((l) => ({ item: l.sku, quantity: l.qty })),
        });
        return answer('order placement', { orderNumber: order.orderNumber }, timeoutMs);
      },
      findOrder: async (reference, timeoutMs) => {
        fault('order lookup');
        this.calls.find++;
        const order = this.orders.get(reference);
        return answer('order lookup', order ? { orderNumber: order.orderNumber } : undefined, timeoutMs);
      },
      changeOrder: async (reference, lines, timeoutMs) => {
        fault('order change');
        this.calls.change++;
        const changed = this.change(
          reference,
          lines.map((l) => ({ item: l.sku, quantity: l.qty, ...(l.unitPrice !== undefined ? { unitPrice: l.unitPrice } : {}) })),
        );
        if (!changed) throw new ErpCallError('order change', `HTTP 404: no sales order with external reference ${reference}`, false, false);
        await answer('order change', undefined, timeoutMs);
      },
    };
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const sent = req.headers['x-correlation-id'];
      this.requests.push({ method: req.method ?? '', path: req.url ?? '', correlationId: typeof sent === 'string' ? sent : undefined });
      this.handle(req, res).catch((err) => send(res, 500, { error: String(err) }));
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address();
    return `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://erp');
    const body = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' ? await readJson(req) : undefined;
    if (url.pathname === '/_sim/faults' && req.method === 'PUT') {
      this.faults = { ...this.faults, ...(body as Partial<ErpFaults>) };
      return send(res, 200, this.faults);
    }
    if (url.pathname === '/_sim/orders' && req.method === 'GET') return send(res, 200, { items: [...this.orders.values()] });
    if (url.pathname === '/_sim/calls' && req.method === 'GET') return send(res, 200, { ...this.calls, placeCalls: Object.fromEntries(this.placements) });

    if (this.faults.outage) return send(res, 503, { error: 'ERP is down for maintenance' });
    if ((this.faults.tooManyRequests ?? 0) > 0) {
      this.faults.tooManyRequests!--;
      return send(res, 429, { error: 'too many requests (injected)' });
    }
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) return send(res, 500, { error: 'internal ERP error (injected)' });

    if (url.pathname === '/api/sales-orders' && req.method === 'POST') {
      this.calls.place++;
      const problem = invalidOrder(body);
      if (problem) return send(res, 422, { error: problem });
      const { created, order } = this.place(body as SalesOrder);
      await sleep(this.faults.latencyMs);
      return send(res, created ? 201 : 200, order);
    }
    if (url.pathname === '/api/sales-orders' && req.method === 'GET') {
      this.calls.find++;
      const ref = url.searchParams.get('externalReference');
      const found = ref === null ? [] : [this.orders.get(ref)].filter((o) => o !== undefined);
      await sleep(this.faults.latencyMs);
      return send(res, 200, { items: found });
    }
    if (url.pathname === '/api/sales-orders' && req.method === 'PATCH') {
      this.calls.change++;
      const ref = url.searchParams.get('externalReference');
      const problem = invalidLines((body as { lines?: unknown } | undefined)?.lines);
      if (ref === null || ref === '') return send(res, 422, { error: 'externalReference is required' });
      if (problem) return send(res, 422, { error: problem });
      const changed = this.change(ref, (body as { lines: SalesOrder['lines'] }).lines);
      if (!changed) return send(res, 404, { error: `no sales order with external reference ${ref}` });
      await sleep(this.faults.latencyMs);
      return send(res, 200, changed);
    }
    return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  }
}

function invalidOrder(body: unknown): string | undefined {
  const o = body as Partial<SalesOrder> | undefined;
  if (!o || typeof o.externalReference !== 'string' || o.externalReference === '') return 'externalReference is required';
  return invalidLines(o.lines);
}

function invalidLines(lines: unknown): string | undefined {
  if (!Array.isArray(lines) || lines.length === 0) return 'lines must be a non-empty array';
  if (
    lines.some((l: Partial<SalesOrder['lines'][number]> | undefined) => typeof l?.item !== 'string' || !Number.isInteger(l.quantity) || (l.quantity ?? 0) <= 0)
  )
    return 'each line needs item and a positive integer quantity';
  if (lines.some((l: Partial<SalesOrder['lines'][number]>) => l.unitPrice !== undefined && (typeof l.unitPrice !== 'number' || l.unitPrice < 0)))
    return 'a line unitPrice must be a number of at least 0';
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
