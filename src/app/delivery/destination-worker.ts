/**
 * Delivers everything one destination should receive, in two lanes so order traffic is never
 * stuck behind bulk traffic: the `orders` lane reads the outbox (warehouse work, shipment
 * confirmations, ...), the `bulk` lane reads its channel's availability change feed, coalesced to
 * the latest figure per item, figures that crossed zero or fell to low stock first.
 *
 * Both lanes share the destination's token bucket (orders first) and circuit breaker. A failed
 * batch is retried with backoff and jitter (never sooner than Retry-After); once a batch has
 * used its attempts, or the receiver refuses it outright, it is retried message by message so a
 * poison message is isolated, dead-lettered with its last error, and the rest moves on. Cursors
 * advance only past what was delivered or dead-lettered: nothing is dropped.
 */
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import { retryDelayMs, type RetryPolicy } from '../../domain/delivery/retry-delay.js';
import { TokenBucket } from '../../domain/delivery/token-bucket.js';
import type { Clock } from '../../ports/clock.js';
import type { DeliveryLedger, FeedReads, Lane, OutboxReads } from '../../ports/delivery-store.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import type { StoredOutboxMessage } from '../../ports/order-store.js';

export interface DestinationSettings {
  retry: RetryPolicy;
  rateLimit?: { perSecond: number; burst: number };
  breaker: { failures: number; halfOpenAfterMs: number };
  /** Figures at or below this count as low stock and go before other availability updates. */
  lowStock: number;
  idleMs: number;
  /** Least time between availability sends: changes in between coalesce (EDI 846 advice is periodic, not per change). */
  bulkIntervalMs?: number;
}

type Awaitable<T> = T | Promise<T>;

export interface WorkerDeps {
  destination: Destination;
  /** Outbox destinations this system answers to (its id, location:<id> for locations it runs). */
  aliases: string[];
  /** The channel whose availability this system receives, if any. */
  channel?: string;
  /** Outbox topics it takes (all addressed to it when absent); others are passed over. */
  receives?: readonly string[];
  settings: DestinationSettings;
  deliveries: DeliveryLedger;
  orders: OutboxReads;
  inventory: FeedReads;
  clock: Clock;
  random?: () => number;
  log: (level: 'info' | 'warn', msg: string, fields?: object) => void;
  observe?: (event: { destination: string; lane: Lane; outcome: 'delivered' | 'failed' | 'dead_letter'; messages: number }) => void;
  /** A channel acknowledged figures: for each, seconds from the first change it carries being recorded to the acknowledgement. */
  observeLag?: (channel: string, destination: string, seconds: readonly number[]) => void;
}

/** What a destination has not received yet, read from the durable cursors (whichever process delivers). */
export interface DestinationBacklog {
  destination: string;
  channel?: string;
  /** Shipment confirmations addressed to it, not yet delivered: still in the outbox, or given up on (dead letters). */
  shipments: { idempotencyKey: string; orderId: string; since: string; state: 'pending' | 'dead' }[];
  /** The oldest change of its channel's figures it has not acknowledged. */
  oldestChange?: { sku: string; at: string };
}

export interface WorkerStatus {
  destination: string;
  circuit: 'closed' | 'open' | 'half_open' | 'held_elsewhere';
  cursors: Record<Lane, number>;
  deliveredMessages: number;
  coalescedChanges: number;
  /** When this process last delivered to it (null: not since it started), for the console's connectors view. */
  lastSuccessAt: string | null;
  /** The share of the destination's rate limit in use now (0 to 1); null without a limit or where another process delivers. */
  rateLimitUse: number | null;
}

/** An outbox row as the destination gets it, with the correlation id of what caused it. */
const messageOf = (r: StoredOutboxMessage): OutgoingMessage => ({
  idempotencyKey: r.idempotencyKey,
  topic: r.topic,
  key: r.messageKey,
  payload: r.payload,
  ...(r.correlationId ? { correlationId: r.correlationId } : {}),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATE_MARGIN = 0.95;
const BURST_MARGIN = 2;
/** Changes read at once from a channel's feed: everything pending up to this is coalesced together. */
const FEED_WINDOW = 200_000;

export class DestinationWorker {
  private stopped = false;
  private readonly bucket: TokenBucket | undefined;
  private readonly breaker: CircuitBreakerPolicy;
  private ordersWaiting = false;
  private running: Promise<unknown> | undefined;
  private delivered = 0;
  private lastSuccessAt: string | null = null;
  private coalesced = 0;
  private readonly wakers = new Set<() => void>();
  /** The receiver asked us to wait (Retry-After) until then: it applies to both lanes. */
  private notBefore = 0;
  /** Where each lane stands, as last read or saved (for status without a store call). */
  private readonly cursors: Record<Lane, number> = { orders: 0, bulk: 0 };

  constructor(private readonly deps: WorkerDeps) {
    const { settings, clock, destination } = deps;
    // A little under the receiver's stated limit: its bucket and ours tick on different clocks,
    // and at the very edge a call now and then lands a moment early and gets a 429.
    this.bucket = settings.rateLimit
      ? new TokenBucket(settings.rateLimit.perSecond * RATE_MARGIN, Math.max(1, settings.rateLimit.burst - BURST_MARGIN), clock.now())
      : undefined;
    // Only failures a retry could fix trip the breaker: a receiver refusing one bad message is healthy.
    this.breaker = circuitBreaker(
      handleWhen((e) => e instanceof DeliveryFailedError && e.retryable),
      {
        halfOpenAfter: settings.breaker.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(settings.breaker.failures),
      },
    );
    this.breaker.onBreak(() => deps.log('warn', `circuit to ${destination.id} opened`, { destination: destination.id }));
    this.breaker.onReset(() => deps.log('info', `circuit to ${destination.id} closed`, { destination: destination.id }));
  }

  get id(): string {
    return this.deps.destination.id;
  }

  start(): void {
    this.running = Promise.all([this.runOrders(), this.deps.channel ? this.runBulk(this.deps.channel) : Promise.resolve()]);
  }

  /** New work may be there: skip the idle wait. */
  nudge(): void {
    for (const w of this.wakers) w();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.running;
    this.deps.destination.close?.();
  }

  /**
   * Queues again what this destination got between two instants: its outbox messages, and the
   * current figure of every item whose figure changed on its channel. Returns how many were queued.
   */
  async replay(fromIso: string, toIso: string, limit: number): Promise<number> {
    const { orders, inventory, deliveries, aliases, channel, clock } = this.deps;
    const deadAt = new Date(clock.now()).toISOString();
    const queue = async (lane: Lane, message: OutgoingMessage) => {
      const id = await deliveries.addDeadLetter({ destination: this.id, lane, message, attempts: 0, lastError: `replay of ${fromIso} – ${toIso}`, deadAt });
      await deliveries.setDeadLetterStatus(id, 'queued');
    };
    let n = 0;
    for (const r of await orders.outboxBetween(aliases, fromIso, toIso, limit)) {
      await queue('orders', messageOf(r));
      n++;
    }
    if (channel) {
      const latest = new Map<string, { available: number; position: number; cursor: number }>();
      for (let after = 0; ; ) {
        const page = await inventory.readChanges(channel, after, 50_000);
        if (page.length === 0) break;
        for (const c of page) if (c.at >= fromIso && c.at <= toIso) latest.set(c.sku, { available: c.available, position: c.position, cursor: c.cursor });
        after = page[page.length - 1]!.cursor;
      }
      for (const [sku, c] of latest) {
        if (n >= limit) break;
        await queue('bulk', {
          idempotencyKey: `${channel}/${sku}/${c.cursor}/replay`,
          topic: 'availability.changed',
          key: sku,
          payload: { channel, sku, available: c.available, position: c.position },
        });
        n++;
      }
    }
    this.nudge();
    return n;
  }

  /** What this destination still owes, from the durable cursors and dead letters (up to `limit` of each). */
  async backlog(limit = 500): Promise<DestinationBacklog> {
    const { deliveries, orders, inventory, aliases, channel, receives } = this.deps;
    const takes = (topic: string) => topic === 'shipment.confirmed' && (!receives || receives.includes(topic));
    const shipments: DestinationBacklog['shipments'] = [];
    for (const r of await orders.outboxFor(aliases, await deliveries.cursor(this.id, 'orders'), limit)) {
      if (takes(r.topic)) shipments.push({ idempotencyKey: r.idempotencyKey, orderId: r.messageKey, since: r.createdAt, state: 'pending' });
    }
    for (const status of ['dead', 'queued'] as const) {
      for (const d of await deliveries.deadLetters({ destination: this.id, status, limit })) {
        if (takes(d.message.topic) && (status === 'dead' || d.attempts > 0))
          shipments.push({ idempotencyKey: d.message.idempotencyKey, orderId: d.message.key, since: d.deadAt, state: 'dead' });
      }
    }
    const backlog: DestinationBacklog = { destination: this.id, shipments, ...(channel ? { channel } : {}) };
    if (channel) {
      const [first] = await inventory.readChanges(channel, await deliveries.cursor(this.id, 'bulk'), 1);
      if (first) backlog.oldestChange = { sku: first.sku, at: first.at };
    }
    return backlog;
  }

  /** Messages waiting per lane, from the durable cursors: outbox messages it takes, channel figure changes (each counted up to `cap`). */
  async depth(cap = 10_000): Promise<Record<Lane, number>> {
    const { deliveries, orders, inventory, aliases, channel, receives } = this.deps;
    const rows = await orders.outboxFor(aliases, await deliveries.cursor(this.id, 'orders'), cap);
    const bulk = channel ? (await inventory.readChanges(channel, await deliveries.cursor(this.id, 'bulk'), cap)).length : 0;
    return { orders: receives ? rows.filter((r) => receives.includes(r.topic)).length : rows.length, bulk };
  }

  status(): WorkerStatus {
    const state = this.breaker.state;
    return {
      destination: this.id,
      circuit: state === CircuitState.Open || state === CircuitState.Isolated ? 'open' : state === CircuitState.HalfOpen ? 'half_open' : 'closed',
      cursors: { ...this.cursors },
      deliveredMessages: this.delivered,
      coalescedChanges: this.coalesced,
      lastSuccessAt: this.lastSuccessAt,
      rateLimitUse: this.bucket ? Math.round(this.bucket.use(this.deps.clock.now()) * 100) / 100 : null,
    };
  }

  private async idle(): Promise<void> {
    let waker: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, this.deps.settings.idleMs);
      waker = () => {
        clearTimeout(t);
        resolve();
      };
      this.wakers.add(waker);
    });
    this.wakers.delete(waker!);
  }

  /** Sleeps `ms` unless the worker stops first. */
  private async pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopped && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
  }

  private async runOrders(): Promise<void> {
    const { deliveries, orders, aliases, destination } = this.deps;
    let cursor = (this.cursors.orders = await deliveries.cursor(this.id, 'orders'));
    while (!this.stopped) {
      const retried = await this.redeliverQueued();
      const rows = await orders.outboxFor(aliases, cursor, destination.maxBatch);
      if (rows.length === 0) {
        if (!retried) await this.idle();
        continue;
      }
      const wanted = this.deps.receives ? rows.filter((r) => this.deps.receives!.includes(r.topic)) : rows;
      if (wanted.length > 0) {
        this.ordersWaiting = true;
        const messages = wanted.map(messageOf);
        const done = await this.deliver('orders', messages, (m, attempts, reason) => this.deadLetter('orders', m, attempts, reason));
        this.ordersWaiting = false;
        if (!done) return;
      }
      cursor = this.cursors.orders = rows[rows.length - 1]!.id;
      await deliveries.saveCursor(this.id, 'orders', cursor);
    }
  }

  private async runBulk(channel: string): Promise<void> {
    const { deliveries, inventory, destination, settings } = this.deps;
    let cursor = (this.cursors.bulk = await deliveries.cursor(this.id, 'bulk'));
    while (!this.stopped) {
      const changes = await inventory.readChanges(channel, cursor, FEED_WINDOW);
      if (changes.length === 0) {
        await this.idle();
        continue;
      }
      // Coalesce: one update per item with its latest figure; `from` is what the channel last had.
      const latest = new Map<string, { sku: string; from: number; to: number; position: number; cursor: number; firstAt: string }>();
      for (const c of changes) {
        const seen = latest.get(c.sku);
        if (seen) {
          seen.to = c.available;
          seen.position = c.position;
          seen.cursor = c.cursor;
        } else latest.set(c.sku, { sku: c.sku, from: c.previous, to: c.available, position: c.position, cursor: c.cursor, firstAt: c.at });
      }
      this.coalesced += changes.length - latest.size;
      // An oversell is worse than a stale surplus: zero crossings, then low stock, then the rest.
      const rank = (u: { from: number; to: number }) => (u.from > 0 !== u.to > 0 ? 0 : u.to <= settings.lowStock ? 1 : 2);
      const updates = [...latest.values()].filter((u) => u.from !== u.to).sort((a, b) => rank(a) - rank(b));
      for (let i = 0; i < updates.length && !this.stopped; i += destination.maxBatch) {
        const batch = updates.slice(i, i + destination.maxBatch).map((u) => ({
          idempotencyKey: `${channel}/${u.sku}/${u.cursor}`,
          topic: 'availability.changed',
          key: u.sku,
          payload: { channel, sku: u.sku, available: u.to, position: u.position },
        }));
        if (!(await this.deliver('bulk', batch, (m, attempts, reason) => this.deadLetter('bulk', m, attempts, reason)))) return;
        if (this.deps.observeLag) {
          const now = this.deps.clock.now();
          this.deps.observeLag(
            channel,
            this.id,
            updates.slice(i, i + destination.maxBatch).map((u) => Math.max(0, (now - Date.parse(u.firstAt)) / 1000)),
          );
        }
      }
      if (this.stopped) return;
      cursor = this.cursors.bulk = changes[changes.length - 1]!.cursor;
      await deliveries.saveCursor(this.id, 'bulk', cursor);
      if (settings.bulkIntervalMs) await this.pause(settings.bulkIntervalMs);
    }
  }

  /** Dead letters an operator queued for retry, one at a time; true when there were any. */
  private async redeliverQueued(): Promise<boolean> {
    const { deliveries } = this.deps;
    const queued = await deliveries.deadLetters({ destination: this.id, status: 'queued', limit: 20 });
    for (const d of queued) {
      let gaveUp = false;
      const ok = await this.deliver(d.lane, [d.message], async (_m, attempts, reason) => {
        gaveUp = true;
        await deliveries.setDeadLetterStatus(d.id, 'dead', undefined, d.attempts + attempts, reason);
      });
      if (!ok) return true;
      if (!gaveUp) await deliveries.setDeadLetterStatus(d.id, 'delivered', `delivered on retry at ${new Date(this.deps.clock.now()).toISOString()}`);
    }
    return queued.length > 0;
  }

  private async deadLetter(lane: Lane, message: OutgoingMessage, attempts: number, reason: string): Promise<void> {
    await this.deps.deliveries.addDeadLetter({
      destination: this.id,
      lane,
      message,
      attempts,
      lastError: reason,
      deadAt: new Date(this.deps.clock.now()).toISOString(),
    });
    this.deps.log('warn', `dead letter for ${this.id}: ${reason}`, {
      destination: this.id,
      idempotencyKey: message.idempotencyKey,
      attempts,
      ...(message.correlationId ? { correlationId: message.correlationId } : {}),
    });
    this.deps.observe?.({ destination: this.id, lane, outcome: 'dead_letter', messages: 1 });
  }

  /**
   * Sends a batch until it is delivered or given up on (`giveUp` is told per message). Returns
   * false only when the worker stopped before it finished.
   */
  private async deliver(
    lane: Lane,
    batch: OutgoingMessage[],
    giveUp: (m: OutgoingMessage, attempts: number, reason: string) => Awaitable<void>,
  ): Promise<boolean> {
    const { destination, settings, clock } = this.deps;
    let attempts = 0;
    while (!this.stopped) {
      if (!(await this.acquire(lane, destination.cost?.(batch) ?? 1))) return false;
      try {
        await this.breaker.execute(() => destination.send(batch));
        this.delivered += batch.length;
        this.lastSuccessAt = new Date(clock.now()).toISOString();
        this.deps.observe?.({ destination: this.id, lane, outcome: 'delivered', messages: batch.length });
        return true;
      } catch (err) {
        if (err instanceof BrokenCircuitError) {
          await sleep(Math.min(250, settings.breaker.halfOpenAfterMs));
          continue;
        }
        const failure = err instanceof DeliveryFailedError ? err : new DeliveryFailedError(this.id, (err as Error).message, true);
        this.deps.observe?.({ destination: this.id, lane, outcome: 'failed', messages: batch.length });
        if (failure.status === 429) this.bucket?.drain(clock.now());
        if (failure.retryAfterMs !== undefined) this.notBefore = Math.max(this.notBefore, clock.now() + failure.retryAfterMs);
        attempts++;
        if (!failure.retryable || attempts >= settings.retry.maxAttempts) {
          if (batch.length > 1) {
            // Find the message that cannot go: one by one, each with its own attempts.
            for (const m of batch) if (!(await this.deliver(lane, [m], giveUp))) return false;
            return true;
          }
          await giveUp(batch[0]!, attempts, failure.reason);
          return true;
        }
        await sleep(retryDelayMs(attempts, settings.retry, (this.deps.random ?? Math.random)(), failure.retryAfterMs));
      }
    }
    return false;
  }

  /** Waits for a token; the bulk lane also waits while order traffic is queued. False when stopped. */
  private async acquire(lane: Lane, cost: number): Promise<boolean> {
    while (!this.stopped) {
      if (lane === 'bulk' && this.ordersWaiting) {
        await sleep(10);
        continue;
      }
      const held = this.notBefore - this.deps.clock.now();
      if (held > 0) {
        await sleep(held);
        continue;
      }
      // A batch costing more than the whole bucket still goes, once the bucket is full.
      const wait = this.bucket ? this.bucket.take(this.deps.clock.now(), Math.min(cost, this.bucket.burst)) : 0;
      if (wait === 0) return true;
      await sleep(wait);
    }
    return false;
  }
}
