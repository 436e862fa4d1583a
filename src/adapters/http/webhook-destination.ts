/**
 * Generic outbound webhook: POSTs a batch of messages as JSON to a URL, each message with its
 * idempotency key (and the batch with one in the Idempotency-Key header). 2xx accepts the batch;
 * 429 and 5xx are retryable (Retry-After honoured); any other answer is a permanent refusal, which
 * the engine narrows down to the message that causes it.
 */
import http from 'node:http';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import { parseRetryAfter } from '../../domain/delivery/retry-delay.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';

export interface WebhookOptions {
  id: string;
  url: string;
  headers?: Record<string, string>;
  maxBatch?: number;
  timeoutMs?: number;
}

/** The batch's correlation id when its messages share one (each message also carries its own in the body). */
function batchCorrelation(messages: readonly OutgoingMessage[]): string | undefined {
  const first = messages[0]?.correlationId;
  return first && messages.every((m) => m.correlationId === first) ? first : undefined;
}

export class WebhookDestination implements Destination {
  readonly id: string;
  readonly maxBatch: number;
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: WebhookOptions) {
    this.id = options.id;
    this.maxBatch = options.maxBatch ?? 100;
    this.url = new URL(options.url);
    this.agent = new (this.url.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 8 });
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    const body = JSON.stringify({ messages });
    const batchKey =
      messages.length === 1
        ? messages[0]!.idempotencyKey
        : createHash('sha256')
            .update(messages.map((m) => m.idempotencyKey).join('\n'))
            .digest('base64url');
    let status: number, retryAfter: string | undefined, text: string;
    try {
      ({ status, retryAfter, text } = await this.post(body, batchKey, batchCorrelation(messages)));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason =
        e.name === 'AbortError' || e.name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs ?? 10_000} ms`
          : `cannot reach ${this.url.origin}: ${e.code ?? e.message}`;
      throw new DeliveryFailedError(this.id, reason, true);
    }
    if (status >= 200 && status < 300) return;
    const reason = `HTTP ${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
    throw new DeliveryFailedError(this.id, reason, status === 429 || status === 408 || status >= 500, parseRetryAfter(retryAfter), status);
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: string, key: string, correlationId: string | undefined): Promise<{ status: number; retryAfter: string | undefined; text: string }> {
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'idempotency-key': key,
            ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
            ...this.options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
