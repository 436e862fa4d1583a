/**
 * A simulated receiving system for outbound deliveries (a CRM, a storefront's webhook endpoint):
 * it takes the hub's JSON batches, applies each message once by its idempotency key (counting
 * repeats), and injects faults on demand: an outage (503), 429 with Retry-After, and refusing
 * (422) any batch that holds a poison message.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceiverFaults {
  outage: boolean;
  /** Answer 429 with this Retry-After (seconds) to the next `tooManyRequests` calls. */
  tooManyRequests: number;
  retryAfterSeconds: number;
  /** Messages whose key is listed are refused (422), with their whole batch. */
  poisonKeys: string[];
}

export interface ReceivedMessage {
  idempotencyKey: string;
  topic: string;
  key: string;
  payload: unknown;
}

export class WebhookReceiver {
  /** Applied messages by idempotency key, in the order first received. */
  readonly applied = new Map<string, ReceivedMessage>();
  duplicates = 0;
  /** Each call: when it arrived, when it was answered, how. */
  readonly calls: { arrivedAt: number; at: number; status: number; messages: number; keys: string[] }[] = [];
  /** Every JSON body received as it came, with its headers (alert webhooks post a body of their own, not `messages`). */
  readonly posts: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  faults: ReceiverFaults = { outage: false, tooManyRequests: 0, retryAfterSeconds: 1, poisonKeys: [] };
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const arrivedAt = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          this.calls.push({ arrivedAt, at: Date.now(), status, messages: messages.length, keys: messages.map((m) => m.idempotencyKey) });
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        let messages: ReceivedMessage[] = [];
        let parsed: { messages?: ReceivedMessage[] };
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages?: ReceivedMessage[] };
          messages = parsed.messages ?? [];
        } catch {
          return answer(400, { error: 'body is not JSON' });
        }
        if (this.faults.outage) return answer(503, { error: 'down for maintenance' });
        if (this.faults.tooManyRequests > 0) {
          this.faults.tooManyRequests--;
          return answer(429, { error: 'slow down' }, { 'retry-after': String(this.faults.retryAfterSeconds) });
        }
        const poison = messages.find((m) => this.faults.poisonKeys.includes(m.key));
        if (poison) return answer(422, { error: `cannot apply message for ${poison.key}` });
        this.posts.push({ headers: req.headers, body: parsed });
        for (const m of messages) {
          if (this.applied.has(m.idempotencyKey)) this.duplicates++;
          else this.applied.set(m.idempotencyKey, m);
        }
        answer(200, { applied: messages.length });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
