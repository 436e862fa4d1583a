/**
 * A simulated Amazon-style marketplace's Listings Items API for tests, benchmarks and the demo:
 * PATCH /listings/2021-08-01/items/{sellerId}/{sku} with JSON Patch operations on
 * /attributes/fulfillment_availability; GET /_sim/quantities, PUT /_sim/faults { outage?, latencyMs?, errorRate?, tooManyRequests?, ratePerSecond?, burst? }. Requests are limited by a token bucket (5 per second,
 * burst 5 by default), answering 429 when empty, like the real API's usage plans.
 */
import { createServer, type Server } from 'node:http';
import { injectFault, NO_FAULTS } from './faults.js';

export class MarketplaceSimulator {
  /** sku → quantity the marketplace offers. */
  readonly quantities = new Map<string, number>();
  /** SKUs the seller has no listing for: their patches are answered INVALID. */
  readonly unlisted = new Set<string>();
  readonly calls = { total: 0, throttled: 0 };
  /** SKUs in the order their updates were accepted. */
  readonly log: string[] = [];
  faults = { ...NO_FAULTS, ratePerSecond: 5, burst: 5 };
  private tokens = 5;
  private at = Date.now();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        const url = new URL(req.url ?? '/', 'http://mp');
        if (url.pathname === '/_sim/quantities') return send(200, Object.fromEntries(this.quantities));
        if (url.pathname === '/_sim/faults' && req.method === 'PUT') {
          try {
            this.faults = { ...this.faults, ...JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
          } catch {
            return send(400, { error: 'body is not JSON' });
          }
          return send(200, this.faults);
        }
        this.calls.total++;
        const fault = await injectFault(this.faults);
        if (fault) {
          if (fault.status === 429) this.calls.throttled++;
          return send(fault.status, fault.body, fault.headers);
        }
        const now = Date.now();
        this.tokens = Math.min(this.faults.burst, this.tokens + ((now - this.at) / 1000) * this.faults.ratePerSecond);
        this.at = now;
        if (this.tokens < 1) {
          this.calls.throttled++;
          return send(
            429,
            { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' }] },
            { 'x-amzn-ratelimit-limit': String(this.faults.ratePerSecond) },
          );
        }
        this.tokens -= 1;
        const m = /^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/.exec(url.pathname);
        if (!m || req.method !== 'PATCH') return send(404, { errors: [{ code: 'NotFound', message: 'Resource not found' }] });
        const sku = decodeURIComponent(m[2]!);
        let body: { patches?: { op: string; path: string; value?: { fulfillment_channel_code?: string; quantity?: number }[] }[] };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(400, { errors: [{ code: 'InvalidInput', message: 'body is not JSON' }] });
        }
        const patch = body.patches?.find((p) => p.path === '/attributes/fulfillment_availability');
        const quantity = patch?.value?.[0]?.quantity;
        if (patch?.op !== 'replace' || !Number.isInteger(quantity) || quantity! < 0) {
          return send(400, {
            sku,
            status: 'INVALID',
            submissionId: null,
            issues: [{ code: '90220', message: 'fulfillment_availability.quantity is required and must be a non-negative integer', severity: 'ERROR' }],
          });
        }
        // As SP-API does for a submission it does not accept: 200 with status INVALID and the issues.
        if (this.unlisted.has(sku))
          return send(200, {
            sku,
            status: 'INVALID',
            submissionId: `sub-${this.calls.total}`,
            issues: [{ code: '4000003', message: 'The Amazon product type specified is invalid or not supported.', severity: 'ERROR' }],
          });
        this.quantities.set(sku, quantity!);
        this.log.push(sku);
        send(200, { sku, status: 'ACCEPTED', submissionId: `sub-${this.calls.total}`, issues: [] });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
