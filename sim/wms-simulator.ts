/**
 * A simulated warehouse management system for one location, for tests and the demo: an HTTP
 * server that receives the hub's deliveries (fulfilment requests and cancellations as webhook
 * batches, applied once by idempotency key), keeps its own pick tasks, and a little later ships
 * each open task: it tells the hub the stock left (ship movements carrying the order id) and the
 * order shipped (with a tracking number), exactly as a WMS connector would. Faults on demand:
 * PUT /_sim/faults { outage?, latencyMs?, errorRate?, tooManyRequests? }.
 */
import { createServer, type Server } from 'node:http';
import { injectFault, NO_FAULTS, type Faults } from './faults.js';

export interface WmsOptions {
  /** Where to report to; may be set later with attach() (the hub's address is known after it starts). */
  hubUrl?: string;
  apiKey?: string;
  /** The source id it reports as (the location's authority) and the location it runs. */
  source: string;
  location: string;
  shipAfterMs: number;
  /** Hears each tracking number it ships under (the demo hands it to the carrier). */
  onShipped?: (trackingNumber: string) => void;
  log?: (msg: string) => void;
}

interface Task {
  orderId: string;
  lines: { sku: string; qty: number }[];
  status: 'open' | 'shipped' | 'cancelled';
  tracking?: string;
}

export class WmsSimulator {
  readonly tasks = new Map<string, Task>();
  readonly seen = new Set<string>();
  faults: Faults = { ...NO_FAULTS };
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = Date.now() * 1000;

  constructor(private readonly o: WmsOptions) {}

  /** Points the warehouse at the hub it reports to. */
  attach(hubUrl: string, apiKey?: string): void {
    this.o.hubUrl = hubUrl;
    if (apiKey) this.o.apiKey = apiKey;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        const url = new URL(req.url ?? '/', 'http://wms');
        if (url.pathname === '/_sim/tasks') return send(200, Object.fromEntries(this.tasks));
        if (url.pathname === '/_sim/faults' && req.method === 'PUT') {
          this.faults = { ...this.faults, ...JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
          return send(200, this.faults);
        }
        const fault = await injectFault(this.faults);
        if (fault) return send(fault.status, fault.body, fault.headers);
        let messages: { idempotencyKey: string; topic: string; payload: { orderId: string; location?: string; lines?: { sku: string; qty: number }[] } }[];
        try {
          messages = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: typeof messages }).messages ?? [];
        } catch {
          return send(400, { error: 'body is not JSON' });
        }
        for (const m of messages) {
          if (this.seen.has(m.idempotencyKey)) continue;
          this.seen.add(m.idempotencyKey);
          if (m.topic === 'fulfilment.request' && (m.payload.location === undefined || m.payload.location === this.o.location)) {
            this.tasks.set(m.payload.orderId, { orderId: m.payload.orderId, lines: m.payload.lines ?? [], status: 'open' });
            this.later(() => this.ship(m.payload.orderId));
          } else if (m.topic === 'fulfilment.cancel') {
            const t = this.tasks.get(m.payload.orderId);
            if (t && t.status === 'open') t.status = 'cancelled';
          }
        }
        send(200, { accepted: messages.length });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/deliveries`;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private later(fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn().catch((err) => this.o.log?.(`wms ${this.o.location}: ${String(err)}`));
    }, this.o.shipAfterMs);
    this.timers.add(t);
  }

  private async ship(orderId: string): Promise<void> {
    const task = this.tasks.get(orderId);
    if (task?.status !== 'open' || task.lines.length === 0) return;
    const { source, location } = this.o;
    const stamp = () => {
      const seq = ++this.seq;
      return { id: `${source}-${seq}`, source, seq, occurredAt: new Date().toISOString() };
    };
    task.tracking = `1Z${location}${this.seq % 1_000_000_000}`;
    const events = [
      ...task.lines.map((l) => ({ ...stamp(), type: 'inventory.movement', sku: l.sku, location, reason: 'ship', delta: { onHand: -l.qty }, orderId })),
      { ...stamp(), type: 'order.shipped', orderId, location, lines: task.lines, tracking: { carrier: 'UPS', number: task.tracking } },
    ];
    if (!this.o.hubUrl) return;
    const res = await fetch(`${this.o.hubUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.apiKey ?? ''}` },
      body: JSON.stringify(events),
    });
    if (!res.ok) {
      this.o.log?.(`wms ${location}: the hub answered ${res.status}`);
      return;
    }
    task.status = 'shipped';
    this.o.onShipped?.(task.tracking);
  }
}
