/**
 * An Amazon-style marketplace's Listings Items API as a Destination: each availability change is
 * one PATCH replacing /attributes/fulfillment_availability for the SKU (the API takes one
 * listing per call, so the engine's priority order decides what goes first under the rate limit).
 */
import http from 'node:http';
import https from 'node:https';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import { parseRetryAfter } from '../../domain/delivery/retry-delay.js';

export interface AmazonListingsOptions {
  id: string;
  baseUrl: string;
  sellerId: string;
  marketplaceId: string;
  token?: string;
  timeoutMs?: number;
}

export class AmazonListings implements Destination {
  readonly maxBatch = 1;
  readonly id: string;
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(private readonly o: AmazonListingsOptions) {
    this.id = o.id;
    this.url = new URL(o.baseUrl);
    this.agent = new (this.url.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 4 });
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    for (const m of messages) {
      if (m.topic !== 'availability.changed') continue; // orders reach the marketplace through its own order connector
      const { sku, available, ids } = m.payload as { sku: string; available: number; ids?: Record<string, string> };
      // The listing is the seller SKU the marketplace knows, when the cross-references give one.
      await this.patch(ids?.seller_sku ?? sku, {
        productType: 'PRODUCT',
        patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: available }] }],
      });
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private patch(sku: string, body: unknown): Promise<void> {
    const payload = JSON.stringify(body);
    const transport = this.url.protocol === 'https:' ? https : http;
    const base = this.url.pathname.replace(/\/$/, '');
    return new Promise((resolve, reject) => {
      const req = transport.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          method: 'PATCH',
          agent: this.agent,
          path: `${base}/listings/2021-08-01/items/${encodeURIComponent(this.o.sellerId)}/${encodeURIComponent(sku)}?marketplaceIds=${encodeURIComponent(this.o.marketplaceId)}`,
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...(this.o.token ? { 'x-amz-access-token': this.o.token } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            if (status >= 200 && status < 300) {
              const refused = refusal(text);
              return refused === undefined ? resolve() : reject(new DeliveryFailedError(this.id, `${sku}: ${refused}`, false, undefined, status));
            }
            const retryAfter = res.headers['retry-after'];
            reject(
              new DeliveryFailedError(
                this.id,
                `${sku}: HTTP ${status}: ${text.slice(0, 300)}`,
                status === 429 || status >= 500,
                parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined),
                status,
              ),
            );
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: Error) => reject(new DeliveryFailedError(this.id, `cannot reach the marketplace: ${err.message}`, true)));
      req.end(payload);
    });
  }
}

/**
 * Why a 2xx submission answer says the listing was not changed, if it does: SP-API answers a
 * patch it does not accept (no such listing, a value it refuses) with 200 and status INVALID,
 * naming its issues. A refusal: sent again it would be refused again.
 */
export function refusal(text: string): string | undefined {
  let answer: { status?: unknown; issues?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof answer !== 'object' || answer === null || answer.status !== 'INVALID') return undefined;
  const issues = (Array.isArray(answer.issues) ? answer.issues : []).map((i: { code?: unknown; message?: unknown }) =>
    [i?.code, i?.message].filter((x) => typeof x === 'string').join(' '),
  );
  return `the marketplace did not accept the submission (INVALID)${issues.length > 0 ? `: ${issues.join('; ').slice(0, 300)}` : ''}`;
}
