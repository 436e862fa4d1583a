/**
 * A simulated carrier (an EasyPost-style tracking service) for tests and the demo: trackers are
 * created in code or over HTTP (POST /v2/trackers { tracker: { tracking_code, carrier } }), and
 * for each it sends the hub `tracker.updated` webhooks — in transit, then delivered — signed with
 * HMAC-SHA256 (hex) in X-Hmac-Signature. GET /_sim/parcels shows each parcel's status;
 * PUT /_sim/faults injects latency, errors, 429s and outages on its API.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { injectFault, NO_FAULTS, type Faults } from './faults.js';

export interface CarrierOptions {
  hookUrl: string;
  secret: string;
  inTransitAfterMs: number;
  deliveredAfterMs: number;
  log?: (msg: string) => void;
  onDelivered?: (trackingCode: string) => void;
}

export class CarrierSimulator {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Webhooks sent and the hub's answers, in order. */
  readonly sent: { trackingCode: string; status: string; answer: number }[] = [];
  readonly parcels = new Map<string, { carrier: string; status: string }>();
  faults: Faults = { ...NO_FAULTS };
  private server: Server | undefined;

  constructor(private readonly o: CarrierOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        const url = new URL(req.url ?? '/', 'http://carrier');
        if (url.pathname === '/_sim/parcels') return send(200, Object.fromEntries(this.parcels));
        if (url.pathname === '/_sim/faults' && req.method === 'PUT') {
          this.faults = { ...this.faults, ...JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
          return send(200, this.faults);
        }
        const fault = await injectFault(this.faults);
        if (fault) return send(fault.status, fault.body, fault.headers);
        if (url.pathname === '/v2/trackers' && req.method === 'POST') {
          let t: { tracker?: { tracking_code?: string; carrier?: string } };
          try {
            t = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return send(400, { error: { code: 'BAD_REQUEST', message: 'body is not JSON' } });
          }
          const code = t.tracker?.tracking_code;
          if (!code) return send(422, { error: { code: 'TRACKER.TRACKING_CODE.INVALID', message: 'tracking_code is required' } });
          this.track(code, t.tracker?.carrier ?? 'UPS');
          return send(201, { id: `trk_${code}`, object: 'Tracker', tracking_code: code, status: 'pre_transit' });
        }
        send(404, { error: { code: 'NOT_FOUND', message: 'no such route' } });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  /** Starts tracking a parcel: its webhooks follow on the configured delays. */
  track(trackingCode: string, carrier = 'UPS'): void {
    this.parcels.set(trackingCode, { carrier, status: 'pre_transit' });
    this.later(this.o.inTransitAfterMs, () => this.send(trackingCode, carrier, 'in_transit'));
    this.later(this.o.deliveredAfterMs, () => this.send(trackingCode, carrier, 'delivered'));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.server) {
      this.server.closeAllConnections();
      this.server.close();
    }
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn().catch((err) => this.o.log?.(`carrier: ${String(err)}`));
    }, ms);
    this.timers.add(t);
  }

  private async send(trackingCode: string, carrier: string, status: string): Promise<void> {
    const body = JSON.stringify({
      description: 'tracker.updated',
      result: { object: 'Tracker', tracking_code: trackingCode, carrier, status, updated_at: new Date().toISOString() },
    });
    const res = await fetch(this.o.hookUrl, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-event-type': 'tracker.updated',
        'x-hmac-signature': `hmac-sha256-hex=${createHmac('sha256', this.o.secret).update(body).digest('hex')}`,
      },
    });
    this.sent.push({ trackingCode, status, answer: res.status });
    const parcel = this.parcels.get(trackingCode);
    if (parcel) parcel.status = status;
    await res.text();
    if (res.ok && status === 'delivered') this.o.onDelivered?.(trackingCode);
  }
}
