/**
 * What a destination worker sends, dead-letters, saves and reports, against in-memory stores and
 * a recording destination: the outbox lane, the coalesced availability lane, retries and the
 * message-by-message search for a poison message, queued dead letters, replays, backlogs, depths
 * and the circuit breaker. Waits poll for what the destination saw (never a fixed sleep).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import type { Clock } from '../../ports/clock.js';
import type { DeadLetter, DeadLetterStatus, DeliveryLedger, Lane } from '../../ports/delivery-store.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import type { RecordedChange } from '../../ports/inventory-store.js';
import type { StoredOutboxMessage } from '../../ports/order-store.js';
import { DestinationWorker, type DestinationSettings, type WorkerDeps } from './destination-worker.js';

const T0 = Date.parse('2026-12-06T12:00:00.000Z');
const fixed: Clock = { now: () => T0 };
const realClock: Clock = { now: () => Date.now() };

class Ledger implements DeliveryLedger {
  readonly cursors = new Map<string, number>();
  readonly letters: DeadLetter[] = [];
  cursor(destination: string, lane: Lane): number {
    return this.cursors.get(`${destination}/${lane}`) ?? 0;
  }
  saveCursor(destination: string, lane: Lane, cursor: number): void {
    this.cursors.set(`${destination}/${lane}`, cursor);
  }
  addDeadLetter(d: Omit<DeadLetter, 'id' | 'status'>): number {
    const id = this.letters.length + 1;
    this.letters.push({ ...d, id, status: 'dead' });
    return id;
  }
  deadLetters(f: { destination?: string; status?: DeadLetterStatus; afterId?: number; limit: number }): DeadLetter[] {
    return this.letters
      .filter((d) => (!f.destination || d.destination === f.destination) && (!f.status || d.status === f.status) && d.id > (f.afterId ?? 0))
      .slice(0, f.limit)
      .map((d) => ({ ...d }));
  }
  deadLetter(id: number): DeadLetter | undefined {
    const d = this.letters.find((x) => x.id === id);
    return d && { ...d };
  }
  setDeadLetterStatus(id: number, status: DeadLetterStatus, note?: string, attempts?: number, lastError?: string): void {
    const d = this.letters.find((x) => x.id === id)!;
    d.status = status;
    if (note !== undefined) d.note = note;
    if (attempts !== undefined) d.attempts = attempts;
    if (lastError !== undefined) d.lastError = lastError;
  }
}

class Outbox {
  readonly rows: StoredOutboxMessage[] = [];
  add(destination: string, topic: string, key: string, extra: Partial<StoredOutboxMessage> = {}): StoredOutboxMessage {
    const id = this.rows.length + 1;
    const row: StoredOutboxMessage = {
      id,
      destination,
      topic,
      messageKey: key,
      idempotencyKey: `k${id}`,
      lane: 'orders',
      payload: { n: id },
      createdAt: new Date(T0 + id * 60_000).toISOString(),
      ...extra,
    };
    this.rows.push(row);
    return row;
  }
  outboxFor(destinations: readonly string[], afterId: number, limit: number): StoredOutboxMessage[] {
    return this.rows.filter((r) => destinations.includes(r.destination) && r.id > afterId).slice(0, limit);
  }
  outboxBetween(destinations: readonly string[], fromIso: string, toIso: string, limit: number): StoredOutboxMessage[] {
    return this.rows.filter((r) => destinations.includes(r.destination) && r.createdAt >= fromIso && r.createdAt <= toIso).slice(0, limit);
  }
}

class Feed {
  readonly changes: RecordedChange[] = [];
  readonly reads: { after: number; limit: number }[] = [];
  add(sku: string, previous: number, available: number, at = new Date(T0).toISOString(), channel = 'web'): RecordedChange {
    const c = { channel, cursor: this.changes.length + 1, sku, previous, available, position: 100 + this.changes.length, at };
    this.changes.push(c);
    return c;
  }
  readChanges(channel: string, afterCursor: number, limit: number): RecordedChange[] {
    this.reads.push({ after: afterCursor, limit });
    return this.changes.filter((c) => c.channel === channel && c.cursor > afterCursor).slice(0, limit);
  }
}

type Answer = (batch: OutgoingMessage[], call: number) => void | Promise<void>;

/** Records every batch it is sent (accepted or not), with the time it arrived. */
class Receiver implements Destination {
  readonly calls: { batch: OutgoingMessage[]; at: number }[] = [];
  readonly accepted: OutgoingMessage[] = [];
  closed = false;
  cost?: (messages: OutgoingMessage[]) => number;
  constructor(
    readonly id: string,
    readonly maxBatch: number,
    private readonly answer: Answer = () => {},
  ) {}
  async send(batch: OutgoingMessage[]): Promise<void> {
    this.calls.push({ batch, at: Date.now() });
    await this.answer(batch, this.calls.length);
    this.accepted.push(...batch);
  }
  close(): void {
    this.closed = true;
  }
}

const settings = (over: Partial<DestinationSettings> = {}): DestinationSettings => ({
  retry: { baseMs: 1, maxMs: 2, maxAttempts: 3 },
  breaker: { failures: 100, halfOpenAfterMs: 5 },
  lowStock: 5,
  idleMs: 5,
  ...over,
});

interface Rig {
  worker: DestinationWorker;
  ledger: Ledger;
  outbox: Outbox;
  feed: Feed;
  receiver: Receiver;
  logs: { level: string; msg: string; fields?: object }[];
  observed: { destination: string; lane: Lane; outcome: string; messages: number }[];
  lags: { channel: string; destination: string; seconds: readonly number[] }[];
}

function rig(receiver: Receiver, over: Partial<WorkerDeps> = {}, ledger = new Ledger(), outbox = new Outbox(), feed = new Feed()): Rig {
  const logs: Rig['logs'] = [];
  const observed: Rig['observed'] = [];
  const lags: Rig['lags'] = [];
  const worker = new DestinationWorker({
    destination: receiver,
    aliases: [receiver.id, 'location:L1'],
    settings: settings(),
    deliveries: ledger,
    orders: outbox,
    inventory: feed,
    clock: fixed,
    random: () => 0.5,
    log: (level, msg, fields) => logs.push({ level, msg, ...(fields ? { fields } : {}) }),
    observe: (e) => observed.push(e),
    observeLag: (channel, destination, seconds) => lags.push({ channel, destination, seconds }),
    ...over,
  });
  return { worker, ledger, outbox, feed, receiver, logs, observed, lags };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const keys = (ms: readonly OutgoingMessage[]) => ms.map((m) => m.idempotencyKey);

test('the orders lane sends the outbox rows addressed to any of its names, in batches, and saves its cursor past them', async () => {
  const r = rig(new Receiver('shop', 2));
  r.outbox.add('shop', 'shipment.confirmed', 'O1', { correlationId: 'corr-1' });
  r.outbox.add('erp', 'order.created', 'O2');
  r.outbox.add('location:L1', 'fulfilment.request', 'O3');
  r.outbox.add('shop', 'order.cancelled', 'O4', { correlationId: '' });
  r.worker.start();
  await waitFor('three messages delivered', () => r.receiver.accepted.length === 3);
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 4);
  await r.worker.stop();
  assert.deepEqual(
    r.receiver.calls.map((c) => keys(c.batch)),
    [['k1', 'k3'], ['k4']],
  );
  assert.deepEqual(r.receiver.accepted[0], { idempotencyKey: 'k1', topic: 'shipment.confirmed', key: 'O1', payload: { n: 1 }, correlationId: 'corr-1' });
  assert.deepEqual(r.receiver.accepted[2], { idempotencyKey: 'k4', topic: 'order.cancelled', key: 'O4', payload: { n: 4 } });
  const s = r.worker.status();
  assert.equal(s.destination, 'shop');
  assert.equal(s.circuit, 'closed');
  assert.deepEqual(s.cursors, { orders: 4, bulk: 0 });
  assert.equal(s.deliveredMessages, 3);
  assert.equal(s.lastSuccessAt, new Date(T0).toISOString());
  assert.equal(s.rateLimitUse, null);
  assert.equal(s.coalescedChanges, 0);
  assert.deepEqual(r.observed, [
    { destination: 'shop', lane: 'orders', outcome: 'delivered', messages: 2 },
    { destination: 'shop', lane: 'orders', outcome: 'delivered', messages: 1 },
  ]);
  assert.equal(r.receiver.closed, true, 'stop closes the destination');
  assert.equal(r.worker.id, 'shop');
});

test('a worker that delivered nothing reports no last success', () => {
  const r = rig(new Receiver('shop', 2));
  assert.equal(r.worker.status().lastSuccessAt, null);
  assert.deepEqual(r.worker.status().cursors, { orders: 0, bulk: 0 });
});

test('the orders lane starts from the saved cursor and passes over topics the system does not take (the cursor still moves)', async () => {
  const ledger = new Ledger();
  ledger.saveCursor('shop', 'orders', 1);
  const r = rig(new Receiver('shop', 10), { receives: ['shipment.confirmed'] }, ledger);
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.outbox.add('shop', 'shipment.confirmed', 'O2');
  r.outbox.add('shop', 'order.created', 'O3');
  r.outbox.add('shop', 'shipment.confirmed', 'O4');
  r.worker.start();
  await waitFor('the cursor saved past every row', () => r.ledger.cursor('shop', 'orders') === 4);
  await r.worker.stop();
  assert.deepEqual(keys(r.receiver.accepted), ['k2', 'k4']);
  assert.equal(r.worker.status().cursors.orders, 4);
});

test('rows of topics it does not take alone are passed over without a call', async () => {
  const r = rig(new Receiver('shop', 10), { receives: ['shipment.confirmed'] });
  r.outbox.add('shop', 'order.created', 'O1');
  r.worker.start();
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.deepEqual(r.receiver.calls, []);
  assert.deepEqual(r.observed, []);
});

test('a message the receiver refuses is found by sending the batch one by one, dead-lettered with its error, and the rest delivered', async () => {
  const refuse: Answer = (batch) => {
    if (batch.some((m) => m.key === 'bad')) throw new DeliveryFailedError('shop', 'HTTP 422: no such item', false, undefined, 422);
  };
  const r = rig(new Receiver('shop', 10, refuse));
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.outbox.add('shop', 'shipment.confirmed', 'bad', { correlationId: 'corr-bad' });
  r.outbox.add('shop', 'shipment.confirmed', 'O3');
  r.worker.start();
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 3);
  await r.worker.stop();
  assert.deepEqual(
    r.receiver.calls.map((c) => keys(c.batch)),
    [['k1', 'k2', 'k3'], ['k1'], ['k2'], ['k3']],
    'a refusal is not retried as a batch: the messages go one by one at once',
  );
  assert.deepEqual(keys(r.receiver.accepted), ['k1', 'k3']);
  assert.deepEqual(r.ledger.letters, [
    {
      id: 1,
      destination: 'shop',
      lane: 'orders',
      message: { idempotencyKey: 'k2', topic: 'shipment.confirmed', key: 'bad', payload: { n: 2 }, correlationId: 'corr-bad' },
      attempts: 1,
      lastError: 'HTTP 422: no such item',
      deadAt: new Date(T0).toISOString(),
      status: 'dead',
    },
  ]);
  assert.deepEqual(r.logs, [
    {
      level: 'warn',
      msg: 'dead letter for shop: HTTP 422: no such item',
      fields: { destination: 'shop', idempotencyKey: 'k2', attempts: 1, correlationId: 'corr-bad' },
    },
  ]);
  assert.deepEqual(r.observed, [
    { destination: 'shop', lane: 'orders', outcome: 'failed', messages: 3 },
    { destination: 'shop', lane: 'orders', outcome: 'delivered', messages: 1 },
    { destination: 'shop', lane: 'orders', outcome: 'failed', messages: 1 },
    { destination: 'shop', lane: 'orders', outcome: 'dead_letter', messages: 1 },
    { destination: 'shop', lane: 'orders', outcome: 'delivered', messages: 1 },
  ]);
  assert.equal(r.worker.status().deliveredMessages, 2);
});

test('a failure a retry can fix is retried until it goes, within the attempts', async () => {
  const flaky: Answer = (_b, call) => {
    if (call <= 2) throw new DeliveryFailedError('shop', 'HTTP 503', true, undefined, 503);
  };
  const r = rig(new Receiver('shop', 10, flaky));
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.equal(r.receiver.calls.length, 3);
  assert.deepEqual(keys(r.receiver.accepted), ['k1']);
  assert.deepEqual(r.ledger.letters, []);
  assert.deepEqual(
    r.observed.map((o) => o.outcome),
    ['failed', 'failed', 'delivered'],
  );
});

test('a message failing every attempt is dead-lettered with the attempts it used; an error of another kind counts as retryable', async () => {
  const down: Answer = () => {
    throw new Error('socket hang up');
  };
  const r = rig(new Receiver('shop', 10, down), { settings: settings({ retry: { baseMs: 1, maxMs: 2, maxAttempts: 2 } }), log: () => {} });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.equal(r.receiver.calls.length, 2);
  assert.equal(r.ledger.letters.length, 1);
  assert.equal(r.ledger.letters[0]!.attempts, 2);
  assert.equal(r.ledger.letters[0]!.lastError, 'socket hang up');
  assert.equal('correlationId' in (r.ledger.letters[0]!.message as object), false);
});

test("the dead letter's log line carries no correlation id when the message had none", async () => {
  const refuse: Answer = () => {
    throw new DeliveryFailedError('shop', 'HTTP 400', false);
  };
  const r = rig(new Receiver('shop', 10, refuse));
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.deepEqual(r.logs, [{ level: 'warn', msg: 'dead letter for shop: HTTP 400', fields: { destination: 'shop', idempotencyKey: 'k1', attempts: 1 } }]);
});

test("after a batch used its attempts, each message goes on its own, no sooner than the receiver's Retry-After", async () => {
  const busy: Answer = (batch) => {
    if (batch.length > 1) throw new DeliveryFailedError('shop', 'HTTP 503', true, 80, 503);
  };
  const r = rig(new Receiver('shop', 10, busy), { clock: realClock, settings: settings({ retry: { baseMs: 1, maxMs: 1, maxAttempts: 1 } }) });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.outbox.add('shop', 'shipment.confirmed', 'O2');
  r.worker.start();
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 2);
  await r.worker.stop();
  assert.deepEqual(
    r.receiver.calls.map((c) => keys(c.batch)),
    [['k1', 'k2'], ['k1'], ['k2']],
  );
  const gap = r.receiver.calls[1]!.at - r.receiver.calls[0]!.at;
  assert.ok(gap >= 79, `the next call waited out Retry-After (80 ms), not ${gap} ms`);
  assert.deepEqual(r.ledger.letters, []);
});

test('dead letters an operator queued are delivered again and marked delivered, or dead again with the attempts added up', async () => {
  const refuseBad: Answer = (batch) => {
    if (batch[0]!.key === 'bad') throw new DeliveryFailedError('shop', 'still refused', false);
  };
  const ledger = new Ledger();
  const message = (key: string): OutgoingMessage => ({ idempotencyKey: `dl-${key}`, topic: 'shipment.confirmed', key, payload: {} });
  ledger.addDeadLetter({ destination: 'shop', lane: 'orders', message: message('good'), attempts: 3, lastError: 'x', deadAt: 'then' });
  ledger.addDeadLetter({ destination: 'shop', lane: 'orders', message: message('bad'), attempts: 2, lastError: 'y', deadAt: 'then' });
  ledger.addDeadLetter({ destination: 'other', lane: 'orders', message: message('theirs'), attempts: 1, lastError: 'z', deadAt: 'then' });
  ledger.addDeadLetter({ destination: 'shop', lane: 'orders', message: message('left'), attempts: 1, lastError: 'w', deadAt: 'then' });
  for (const id of [1, 2, 3]) ledger.setDeadLetterStatus(id, 'queued');
  const r = rig(new Receiver('shop', 10, refuseBad), {}, ledger);
  r.worker.start();
  await waitFor('both queued letters settled', () => ledger.letters.filter((d) => d.destination === 'shop' && d.status === 'queued').length === 0);
  await r.worker.stop();
  assert.deepEqual(keys(r.receiver.accepted), ['dl-good']);
  assert.deepEqual(
    ledger.letters.map((d) => [d.id, d.status, d.attempts, d.lastError, d.note]),
    [
      [1, 'delivered', 3, 'x', `delivered on retry at ${new Date(T0).toISOString()}`],
      [2, 'dead', 3, 'still refused', undefined],
      [3, 'queued', 1, 'z', undefined],
      [4, 'dead', 1, 'w', undefined],
    ],
  );
  assert.equal(ledger.letters.length, 4, 'a queued letter given up on again is not added anew');
});

test('the bulk lane sends the latest figure per item, zero crossings first, then low stock, and skips items back where they started', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web' });
  r.feed.add('PLENTY', 50, 40, '2026-12-06T11:59:50.000Z');
  r.feed.add('LOW', 10, 5, '2026-12-06T11:59:00.000Z');
  r.feed.add('GONE', 3, 2);
  r.feed.add('GONE', 2, 0);
  r.feed.add('SAME', 7, 8);
  r.feed.add('SAME', 8, 7);
  r.feed.add('OTHER', 1, 0, undefined, 'b2b');
  r.feed.add('BACK', 0, 4);
  r.worker.start();
  await waitFor('the bulk cursor saved', () => r.ledger.cursor('shop', 'bulk') === 8);
  await r.worker.stop();
  assert.equal(r.receiver.calls.length, 1);
  assert.deepEqual(r.receiver.accepted, [
    { idempotencyKey: 'web/GONE/4', topic: 'availability.changed', key: 'GONE', payload: { channel: 'web', sku: 'GONE', available: 0, position: 103 } },
    { idempotencyKey: 'web/BACK/8', topic: 'availability.changed', key: 'BACK', payload: { channel: 'web', sku: 'BACK', available: 4, position: 107 } },
    { idempotencyKey: 'web/LOW/2', topic: 'availability.changed', key: 'LOW', payload: { channel: 'web', sku: 'LOW', available: 5, position: 101 } },
    { idempotencyKey: 'web/PLENTY/1', topic: 'availability.changed', key: 'PLENTY', payload: { channel: 'web', sku: 'PLENTY', available: 40, position: 100 } },
  ]);
  const s = r.worker.status();
  assert.equal(s.coalescedChanges, 2);
  assert.deepEqual(s.cursors, { orders: 0, bulk: 8 });
  assert.deepEqual(r.lags, [{ channel: 'web', destination: 'shop', seconds: [0, 0, 60, 10] }]);
  assert.deepEqual(r.feed.reads[0], { after: 0, limit: 200_000 });
  assert.deepEqual(r.observed, [{ destination: 'shop', lane: 'bulk', outcome: 'delivered', messages: 4 }]);
});

test('low stock is at or below the setting; a rise above zero that stays above it is an ordinary update', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web' });
  r.feed.add('RISE', 1, 9);
  r.feed.add('EDGE', 9, 5);
  r.feed.add('ABOVE', 9, 6);
  r.worker.start();
  await waitFor('the bulk cursor saved', () => r.ledger.cursor('shop', 'bulk') === 3);
  await r.worker.stop();
  assert.deepEqual(
    r.receiver.accepted.map((m) => m.key),
    ['EDGE', 'RISE', 'ABOVE'],
  );
});

test('the bulk lane sends in batches of the most the destination takes, each acknowledged in lag, from the saved cursor', async () => {
  const ledger = new Ledger();
  ledger.saveCursor('shop', 'bulk', 1);
  const r = rig(new Receiver('shop', 2), { channel: 'web', clock: { now: () => T0 + 2_000 } }, ledger);
  for (const sku of ['A', 'B', 'C', 'D']) r.feed.add(sku, 20, 19);
  r.worker.start();
  await waitFor('the bulk cursor saved', () => r.ledger.cursor('shop', 'bulk') === 4);
  await r.worker.stop();
  assert.deepEqual(
    r.receiver.calls.map((c) => c.batch.map((m) => m.key)),
    [['B', 'C'], ['D']],
  );
  assert.deepEqual(
    r.lags.map((l) => l.seconds),
    [[2, 2], [2]],
  );
});

test('a figure change recorded after the clock reads as no lag rather than a negative one', async () => {
  const r = rig(new Receiver('shop', 2), { channel: 'web' });
  r.feed.add('A', 20, 19, '2026-12-06T12:00:05.000Z');
  r.worker.start();
  await waitFor('the bulk cursor saved', () => r.ledger.cursor('shop', 'bulk') === 1);
  await r.worker.stop();
  assert.deepEqual(r.lags, [{ channel: 'web', destination: 'shop', seconds: [0] }]);
});

test('availability updates come no more often than the bulk interval: the next round waits it out', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web', settings: settings({ bulkIntervalMs: 60 }) });
  r.feed.add('A', 20, 19);
  r.worker.start();
  await waitFor('the first update', () => r.receiver.calls.length === 1);
  r.feed.add('A', 19, 18);
  r.worker.nudge();
  await waitFor('the second update', () => r.receiver.calls.length === 2);
  await r.worker.stop();
  const gap = r.receiver.calls[1]!.at - r.receiver.calls[0]!.at;
  assert.ok(gap >= 55, `the second round waited the interval, not ${gap} ms`);
});

test('stopping during the bulk interval does not wait it out', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web', settings: settings({ bulkIntervalMs: 60_000 }) });
  r.feed.add('A', 20, 19);
  r.worker.start();
  await waitFor('the first update', () => r.ledger.cursor('shop', 'bulk') === 1);
  const stopped = r.worker.stop().then(() => 'stopped');
  const late = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000).unref());
  assert.equal(await Promise.race([stopped, late]), 'stopped');
});

test('a nudge wakes an idle worker at once', async () => {
  const r = rig(new Receiver('shop', 10), { settings: settings({ idleMs: 60_000 }) });
  r.worker.start();
  await new Promise((res) => setTimeout(res, 10));
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.nudge();
  await waitFor('the message delivered', () => r.receiver.accepted.length === 1, 2_000);
  await r.worker.stop();
});

test("the rate limit's use shows the share of the bucket spent (a little under the stated burst); a batch costs what the destination says", async () => {
  const r = rig(new Receiver('shop', 10), { settings: settings({ rateLimit: { perSecond: 10, burst: 6 } }) });
  assert.equal(r.worker.status().rateLimitUse, 0);
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  assert.equal(r.worker.status().rateLimitUse, 0.25, 'one of a bucket of 6 - 2 = 4');
  r.receiver.cost = () => 3;
  r.outbox.add('shop', 'shipment.confirmed', 'O2');
  r.worker.nudge();
  await waitFor('the second message delivered', () => r.ledger.cursor('shop', 'orders') === 2);
  await r.worker.stop();
  assert.equal(r.worker.status().rateLimitUse, 1);
  assert.deepEqual(keys(r.receiver.accepted), ['k1', 'k2']);
});

test('a costly batch goes once the bucket is full, not never', async () => {
  const receiver = new Receiver('shop', 10);
  receiver.cost = () => 50;
  const r = rig(receiver, { settings: settings({ rateLimit: { perSecond: 10, burst: 3 } }) });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.equal(r.worker.status().rateLimitUse, 1);
});

test('a 429 empties the rate bucket: what we thought we had is not there', async () => {
  let useAtRetry = -1;
  const r: Rig = rig(
    new Receiver('shop', 10, (_b, call) => {
      if (call === 1) throw new DeliveryFailedError('shop', 'HTTP 429', true, undefined, 429);
      useAtRetry = r.worker.status().rateLimitUse!;
    }),
    { clock: realClock, settings: settings({ rateLimit: { perSecond: 100, burst: 102 } }) },
  );
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.ok(useAtRetry > 0.5, `the bucket was drained before the retry (use ${useAtRetry})`);
});

test('a failure other than 429 leaves the rate bucket as it was', async () => {
  let useAtRetry = -1;
  const r: Rig = rig(
    new Receiver('shop', 10, (_b, call) => {
      if (call === 1) throw new DeliveryFailedError('shop', 'HTTP 503', true, undefined, 503);
      useAtRetry = r.worker.status().rateLimitUse!;
    }),
    { settings: settings({ rateLimit: { perSecond: 1000, burst: 102 } }) },
  );
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.equal(useAtRetry, 0.02);
});

test('retryable failures in a row open the circuit (logged); once the receiver answers again it closes', async () => {
  let healthy = false;
  const r = rig(
    new Receiver('shop', 10, () => {
      if (!healthy) throw new DeliveryFailedError('shop', 'HTTP 503', true);
    }),
    { settings: settings({ breaker: { failures: 2, halfOpenAfterMs: 200 }, retry: { baseMs: 1, maxMs: 1, maxAttempts: 1000 } }) },
  );
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the circuit opened', () => r.worker.status().circuit === 'open');
  assert.deepEqual(r.logs[0], { level: 'warn', msg: 'circuit to shop opened', fields: { destination: 'shop' } });
  assert.equal(r.receiver.calls.length, 2, 'an open circuit makes no calls');
  healthy = true;
  await waitFor('the message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.equal(r.worker.status().circuit, 'closed');
  assert.deepEqual(r.logs.at(-1), { level: 'info', msg: 'circuit to shop closed', fields: { destination: 'shop' } });
  assert.deepEqual(r.ledger.letters, []);
});

test('refusals (not retryable) do not open the circuit', async () => {
  const r = rig(
    new Receiver('shop', 1, () => {
      throw new DeliveryFailedError('shop', 'HTTP 400', false);
    }),
    { settings: settings({ breaker: { failures: 1, halfOpenAfterMs: 60_000 } }), log: () => {} },
  );
  for (let i = 0; i < 3; i++) r.outbox.add('shop', 'shipment.confirmed', `O${i}`);
  r.worker.start();
  await waitFor('the cursor saved', () => r.ledger.cursor('shop', 'orders') === 3);
  await r.worker.stop();
  assert.equal(r.ledger.letters.length, 3);
  assert.equal(r.worker.status().circuit, 'closed');
});

test('the circuit shows half open during the trial call after its wait', async () => {
  let seen = '';
  const r: Rig = rig(
    new Receiver('shop', 1, async (_b, call) => {
      if (call === 1) throw new DeliveryFailedError('shop', 'HTTP 503', true);
      // The breaker marks itself half open once the trial call is under way.
      await new Promise((res) => setImmediate(res));
      seen = r.worker.status().circuit;
    }),
    { settings: settings({ breaker: { failures: 1, halfOpenAfterMs: 30 }, retry: { baseMs: 1, maxMs: 1, maxAttempts: 5 } }) },
  );
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.equal(seen, 'half_open');
  assert.equal(r.receiver.calls.length, 2);
});

test('replay queues the outbox messages of the window and the last figure of each item changed in it, up to the limit', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web' });
  const o1 = r.outbox.add('shop', 'shipment.confirmed', 'O1', { correlationId: 'c1' }); // T0+1 min
  r.outbox.add('erp', 'order.created', 'O2'); // another system
  r.outbox.add('shop', 'shipment.confirmed', 'O3'); // T0+3 min, after the window
  const from = new Date(T0).toISOString();
  const to = new Date(T0 + 2 * 60_000).toISOString();
  r.feed.add('A', 5, 4, new Date(T0 - 1).toISOString());
  r.feed.add('A', 4, 3, from);
  r.feed.add('B', 9, 8, to);
  r.feed.add('A', 3, 2, new Date(T0 + 60_000).toISOString());
  r.feed.add('C', 1, 0, new Date(T0 + 2 * 60_000 + 1).toISOString());
  const n = await r.worker.replay(from, to, 100);
  assert.equal(n, 3);
  assert.deepEqual(r.ledger.letters, [
    {
      id: 1,
      destination: 'shop',
      lane: 'orders',
      message: { idempotencyKey: o1.idempotencyKey, topic: 'shipment.confirmed', key: 'O1', payload: { n: 1 }, correlationId: 'c1' },
      attempts: 0,
      lastError: `replay of ${from} – ${to}`,
      deadAt: from,
      status: 'queued',
    },
    {
      id: 2,
      destination: 'shop',
      lane: 'bulk',
      message: {
        idempotencyKey: 'web/A/4/replay',
        topic: 'availability.changed',
        key: 'A',
        payload: { channel: 'web', sku: 'A', available: 2, position: 103 },
      },
      attempts: 0,
      lastError: `replay of ${from} – ${to}`,
      deadAt: from,
      status: 'queued',
    },
    {
      id: 3,
      destination: 'shop',
      lane: 'bulk',
      message: {
        idempotencyKey: 'web/B/3/replay',
        topic: 'availability.changed',
        key: 'B',
        payload: { channel: 'web', sku: 'B', available: 8, position: 102 },
      },
      attempts: 0,
      lastError: `replay of ${from} – ${to}`,
      deadAt: from,
      status: 'queued',
    },
  ]);
  assert.deepEqual(r.feed.reads, [
    { after: 0, limit: 50_000 },
    { after: 5, limit: 50_000 },
  ]);
});

test("replay's limit counts the outbox messages and the figures together", async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web' });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.feed.add('A', 5, 4, new Date(T0).toISOString());
  r.feed.add('B', 5, 4, new Date(T0).toISOString());
  assert.equal(await r.worker.replay(new Date(T0).toISOString(), new Date(T0 + 3_600_000).toISOString(), 2), 2);
  assert.deepEqual(
    r.ledger.letters.map((d) => d.message.key),
    ['O1', 'A'],
  );
});

test('a worker without a channel replays its outbox messages only and reads no feed', async () => {
  const r = rig(new Receiver('shop', 10));
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.feed.add('A', 5, 4, new Date(T0 + 60_000).toISOString());
  assert.equal(await r.worker.replay(new Date(T0).toISOString(), new Date(T0 + 3_600_000).toISOString(), 10), 1);
  assert.deepEqual(r.feed.reads, []);
});

test('a replay is picked up by the idle worker at once and delivered, the letter marked delivered', async () => {
  const r = rig(new Receiver('shop', 10), { settings: settings({ idleMs: 60_000 }) });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('the message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.replay(new Date(T0).toISOString(), new Date(T0 + 3_600_000).toISOString(), 10);
  await waitFor('the replayed letter delivered', () => r.ledger.letters[0]?.status === 'delivered');
  await r.worker.stop();
  assert.deepEqual(keys(r.receiver.accepted), ['k1', 'k1']);
});

test('the backlog lists shipment confirmations not yet sent or given up on, and the oldest change not acknowledged', async () => {
  const ledger = new Ledger();
  const r = rig(new Receiver('shop', 10), { channel: 'web' }, ledger);
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  const pending = r.outbox.add('shop', 'shipment.confirmed', 'O2');
  r.outbox.add('shop', 'order.cancelled', 'O3');
  r.outbox.add('location:L1', 'shipment.confirmed', 'O4');
  ledger.saveCursor('shop', 'orders', 1);
  const letter = (key: string, topic = 'shipment.confirmed', attempts = 1, destination = 'shop') =>
    ledger.addDeadLetter({
      destination,
      lane: 'orders',
      message: { idempotencyKey: `dl-${key}`, topic, key, payload: {} },
      attempts,
      lastError: 'e',
      deadAt: `at-${key}`,
    });
  letter('D1');
  letter('D2', 'order.cancelled');
  ledger.setDeadLetterStatus(letter('Q1', 'shipment.confirmed', 2), 'queued');
  ledger.setDeadLetterStatus(letter('R1', 'shipment.confirmed', 0), 'queued');
  letter('X1', 'shipment.confirmed', 1, 'other');
  ledger.setDeadLetterStatus(letter('G1'), 'delivered');
  r.feed.add('A', 5, 4, '2026-12-06T10:00:00.000Z');
  r.feed.add('B', 5, 4, '2026-12-06T11:00:00.000Z');
  ledger.saveCursor('shop', 'bulk', 1);
  assert.deepEqual(await r.worker.backlog(), {
    destination: 'shop',
    channel: 'web',
    shipments: [
      { idempotencyKey: pending.idempotencyKey, orderId: 'O2', since: pending.createdAt, state: 'pending' },
      { idempotencyKey: 'k4', orderId: 'O4', since: r.outbox.rows[3]!.createdAt, state: 'pending' },
      { idempotencyKey: 'dl-D1', orderId: 'D1', since: 'at-D1', state: 'dead' },
      { idempotencyKey: 'dl-Q1', orderId: 'Q1', since: 'at-Q1', state: 'dead' },
    ],
    oldestChange: { sku: 'B', at: '2026-12-06T11:00:00.000Z' },
  });
});

test('the backlog of a system that does not take shipment confirmations is empty; one without a channel has no channel', async () => {
  const r = rig(new Receiver('shop', 10), { receives: ['order.cancelled'] });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.ledger.addDeadLetter({
    destination: 'shop',
    lane: 'orders',
    message: { idempotencyKey: 'd', topic: 'shipment.confirmed', key: 'O9', payload: {} },
    attempts: 1,
    lastError: 'e',
    deadAt: 'x',
  });
  assert.deepEqual(await r.worker.backlog(), { destination: 'shop', shipments: [] });
});

test('the backlog has no oldest change when the channel is caught up, and reads at most `limit` of each', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web' });
  for (let i = 0; i < 3; i++) r.outbox.add('shop', 'shipment.confirmed', `O${i}`);
  for (let i = 0; i < 3; i++)
    r.ledger.addDeadLetter({
      destination: 'shop',
      lane: 'orders',
      message: { idempotencyKey: `d${i}`, topic: 'shipment.confirmed', key: `D${i}`, payload: {} },
      attempts: 1,
      lastError: 'e',
      deadAt: 'x',
    });
  const b = await r.worker.backlog(2);
  assert.deepEqual(
    b.shipments.map((s) => s.orderId),
    ['O0', 'O1', 'D0', 'D1'],
  );
  assert.equal('oldestChange' in b, false);
});

test('the depth counts the outbox messages it takes after its cursor and the figure changes after its bulk cursor, each up to the cap', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web', receives: ['shipment.confirmed'] });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.outbox.add('shop', 'order.created', 'O2');
  r.outbox.add('location:L1', 'shipment.confirmed', 'O3');
  r.outbox.add('shop', 'shipment.confirmed', 'O4');
  r.ledger.saveCursor('shop', 'orders', 1);
  for (const sku of ['A', 'B', 'C', 'D']) r.feed.add(sku, 5, 4);
  r.ledger.saveCursor('shop', 'bulk', 1);
  assert.deepEqual(await r.worker.depth(), { orders: 2, bulk: 3 });
  assert.deepEqual(await r.worker.depth(2), { orders: 1, bulk: 2 });
  const all = rig(new Receiver('shop', 10), {}, r.ledger, r.outbox, r.feed);
  assert.deepEqual(await all.worker.depth(), { orders: 3, bulk: 0 });
});

// Survivors of the first mutation run: each test below failed against the mutant it names.

test('a figure the receiver refuses is dead-lettered in the bulk lane, the others delivered', async () => {
  const r = rig(
    new Receiver('shop', 10, (batch) => {
      if (batch.some((m) => m.key === 'BAD')) throw new DeliveryFailedError('shop', 'HTTP 422', false);
    }),
    { channel: 'web' },
  );
  r.feed.add('A', 20, 19);
  r.feed.add('BAD', 20, 19);
  r.worker.start();
  await waitFor('the bulk cursor saved', () => r.ledger.cursor('shop', 'bulk') === 2);
  await r.worker.stop();
  assert.deepEqual(
    r.ledger.letters.map((d) => [d.lane, d.message.key, d.lastError]),
    [['bulk', 'BAD', 'HTTP 422']],
  );
  assert.deepEqual(
    r.receiver.accepted.map((m) => m.key),
    ['A'],
  );
});

test('a worker without observers, lag listener, rate limit or close still delivers, retries, dead-letters and stops', async () => {
  const bare: Destination & { got: string[] } = {
    id: 'bare',
    maxBatch: 1,
    got: [],
    async send(batch) {
      const m = batch[0]!;
      if (m.key === 'O1' && !bare.got.includes('retried')) {
        bare.got.push('retried');
        throw new DeliveryFailedError('bare', 'HTTP 429', true, undefined, 429);
      }
      if (m.key === 'O2') throw new DeliveryFailedError('bare', 'HTTP 400', false);
      bare.got.push(m.key);
    },
  };
  const ledger = new Ledger();
  const outbox = new Outbox();
  const feed = new Feed();
  outbox.add('bare', 'shipment.confirmed', 'O1');
  outbox.add('bare', 'shipment.confirmed', 'O2');
  feed.add('A', 20, 19);
  const worker = new DestinationWorker({
    destination: bare,
    aliases: ['bare'],
    channel: 'web',
    settings: settings(),
    deliveries: ledger,
    orders: outbox,
    inventory: feed,
    clock: fixed,
    log: () => {},
  });
  worker.start();
  await waitFor('both lanes done', () => ledger.cursor('bare', 'orders') === 2 && ledger.cursor('bare', 'bulk') === 1);
  await worker.stop();
  assert.deepEqual(bare.got.sort(), ['A', 'O1', 'retried']);
  assert.deepEqual(
    ledger.letters.map((d) => d.message.key),
    ['O2'],
  );
});

test('figures filling whole batches send no empty batch after them', async () => {
  const r = rig(new Receiver('shop', 2), { channel: 'web' });
  r.feed.add('A', 20, 19);
  r.feed.add('B', 20, 19);
  r.worker.start();
  await waitFor('the bulk cursor saved', () => r.ledger.cursor('shop', 'bulk') === 2);
  await r.worker.stop();
  assert.deepEqual(
    r.receiver.calls.map((c) => c.batch.length),
    [2],
  );
});

test('an item changed only before the replay window is not replayed', async () => {
  const r = rig(new Receiver('shop', 10), { channel: 'web' });
  r.feed.add('OLD', 5, 4, new Date(T0 - 1).toISOString());
  r.feed.add('NEW', 5, 4, new Date(T0).toISOString());
  assert.equal(await r.worker.replay(new Date(T0).toISOString(), new Date(T0 + 60_000).toISOString(), 10), 1);
  assert.deepEqual(
    r.ledger.letters.map((d) => d.message.key),
    ['NEW'],
  );
});

test('a shipment confirmation given up on before any attempt is still owed', async () => {
  const r = rig(new Receiver('shop', 10));
  r.ledger.addDeadLetter({
    destination: 'shop',
    lane: 'orders',
    message: { idempotencyKey: 'd', topic: 'shipment.confirmed', key: 'O9', payload: {} },
    attempts: 0,
    lastError: 'e',
    deadAt: 'x',
  });
  assert.deepEqual((await r.worker.backlog()).shipments, [{ idempotencyKey: 'd', orderId: 'O9', since: 'x', state: 'dead' }]);
});

test('after redelivering queued letters the worker looks for more work at once instead of idling', async () => {
  const ledger = new Ledger();
  const outbox = new Outbox();
  ledger.addDeadLetter({
    destination: 'shop',
    lane: 'orders',
    message: { idempotencyKey: 'd', topic: 'shipment.confirmed', key: 'D1', payload: {} },
    attempts: 1,
    lastError: 'e',
    deadAt: 'x',
  });
  ledger.setDeadLetterStatus(1, 'queued');
  const receiver = new Receiver('shop', 10, (batch) => {
    // Another letter is queued while this one is being sent, with no nudge.
    if (batch[0]!.key === 'D1') {
      const id = ledger.addDeadLetter({ ...ledger.letters[0]!, message: { ...ledger.letters[0]!.message, key: 'D2' } });
      ledger.setDeadLetterStatus(id, 'queued');
    }
  });
  const r = rig(receiver, { settings: settings({ idleMs: 60_000 }) }, ledger, outbox);
  r.worker.start();
  await waitFor('the second letter delivered without a nudge', () => ledger.letters[1]?.status === 'delivered');
  await r.worker.stop();
  assert.deepEqual(
    receiver.accepted.map((m) => m.key),
    ['D1', 'D2'],
  );
});

test('a worker stopped while a batch is being retried does not move its cursor past it', async () => {
  const r = rig(
    new Receiver('shop', 10, () => {
      throw new DeliveryFailedError('shop', 'HTTP 503', true);
    }),
    { settings: settings({ retry: { baseMs: 1, maxMs: 1, maxAttempts: 1_000_000 } }) },
  );
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.worker.start();
  await waitFor('a few attempts', () => r.receiver.calls.length >= 3);
  await r.worker.stop();
  assert.equal(r.ledger.cursor('shop', 'orders'), 0);
  assert.deepEqual(r.ledger.letters, []);
});

/** A send that waits until the test opens it: the test stops the worker while a batch is out. */
function held(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

test('a worker stopped while one batch of a bulk round is out sends no more of the round and keeps its cursor before it', async () => {
  const out = held();
  const r = rig(new Receiver('shop', 1, (_b, call) => (call === 1 ? out.wait : undefined)), { channel: 'web' });
  r.feed.add('A', 20, 19);
  r.feed.add('B', 20, 19);
  r.worker.start();
  await waitFor('the first batch out', () => r.receiver.calls.length === 1);
  const stopped = r.worker.stop();
  out.open();
  await stopped;
  assert.deepEqual(keys(r.receiver.accepted), ['web/A/1']);
  assert.equal(r.ledger.cursor('shop', 'bulk'), 0, 'B was never sent, so the round is owed again');
  const again = rig(new Receiver('shop', 1), { channel: 'web' }, r.ledger, r.outbox, r.feed);
  again.worker.start();
  await waitFor('the round sent again', () => again.ledger.cursor('shop', 'bulk') === 2);
  await again.worker.stop();
  assert.deepEqual(keys(again.receiver.accepted), ['web/A/1', 'web/B/2']);
});

test('a queued letter whose delivery a stop cut short stays queued, and the letters after it are not tried', async () => {
  const out = held();
  const ledger = new Ledger();
  for (const key of ['D1', 'D2']) {
    const id = ledger.addDeadLetter({
      destination: 'shop',
      lane: 'orders',
      message: { idempotencyKey: `dl-${key}`, topic: 'shipment.confirmed', key, payload: {} },
      attempts: 1,
      lastError: 'e',
      deadAt: 'x',
    });
    ledger.setDeadLetterStatus(id, 'queued');
  }
  const receiver = new Receiver('shop', 10, async () => {
    await out.wait;
    throw new DeliveryFailedError('shop', 'HTTP 503', true);
  });
  // A long idle wait: a lane that went idle after the stop would hold the stop for a minute.
  const r = rig(receiver, { settings: settings({ idleMs: 60_000 }) }, ledger);
  r.worker.start();
  await waitFor('the first letter out', () => receiver.calls.length === 1);
  const stopped = r.worker.stop().then(() => 'stopped');
  out.open();
  const late = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000).unref());
  assert.equal(await Promise.race([stopped, late]), 'stopped');
  assert.equal(receiver.calls.length, 1);
  assert.deepEqual(
    ledger.letters.map((d) => [d.message.key, d.status, d.attempts, d.note]),
    [
      ['D1', 'queued', 1, undefined],
      ['D2', 'queued', 1, undefined],
    ],
  );
});

test('a worker stopped while it sends a refused batch one by one leaves the rest of the batch owed', async () => {
  const out = held();
  const receiver = new Receiver('shop', 10, async (batch, call) => {
    if (batch.length > 1) throw new DeliveryFailedError('shop', 'HTTP 422', false);
    if (call === 2) await out.wait;
  });
  const r = rig(receiver);
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.outbox.add('shop', 'shipment.confirmed', 'O2');
  r.worker.start();
  await waitFor('the first message out on its own', () => receiver.calls.length === 2);
  const stopped = r.worker.stop();
  out.open();
  await stopped;
  assert.deepEqual(
    receiver.calls.map((c) => keys(c.batch)),
    [['k1', 'k2'], ['k1']],
  );
  assert.equal(r.ledger.cursor('shop', 'orders'), 0, 'O2 is still owed');
  assert.deepEqual(r.ledger.letters, []);
});

test('a worker stopped while a batch waits for rate tokens neither sends it nor moves past it', async () => {
  // The clock never moves, so the bucket (one token) never refills: the second message waits until the stop.
  const r = rig(new Receiver('shop', 1), { settings: settings({ rateLimit: { perSecond: 1_000, burst: 3 } }) });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.outbox.add('shop', 'shipment.confirmed', 'O2');
  r.worker.start();
  await waitFor('the first message delivered', () => r.ledger.cursor('shop', 'orders') === 1);
  await r.worker.stop();
  assert.deepEqual(keys(r.receiver.accepted), ['k1']);
  assert.equal(r.ledger.cursor('shop', 'orders'), 1);
});

test('availability waits while order traffic is being delivered: orders go first', async () => {
  const order: string[] = [];
  const r = rig(
    new Receiver('shop', 10, (batch, call) => {
      order.push(batch[0]!.topic);
      if (call <= 3 && batch[0]!.topic === 'shipment.confirmed') throw new DeliveryFailedError('shop', 'HTTP 503', true);
    }),
    { channel: 'web', settings: settings({ retry: { baseMs: 30, maxMs: 30, maxAttempts: 10 } }) },
  );
  // The feed answers a moment later, so the orders lane has its batch in hand first.
  const read = r.feed.readChanges.bind(r.feed);
  r.feed.readChanges = ((channel: string, after: number, limit: number) =>
    new Promise((res) => setTimeout(() => res(read(channel, after, limit)), 10))) as unknown as Feed['readChanges'];
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.feed.add('A', 20, 19);
  r.worker.start();
  await waitFor('both lanes delivered', () => r.ledger.cursor('shop', 'orders') === 1 && r.ledger.cursor('shop', 'bulk') === 1);
  await r.worker.stop();
  assert.deepEqual(order, ['shipment.confirmed', 'shipment.confirmed', 'shipment.confirmed', 'shipment.confirmed', 'availability.changed']);
});

test('the rate bucket refills at a little under the stated rate, and a batch waits for its tokens', async () => {
  const clock = { t: T0 };
  const r = rig(new Receiver('shop', 1), { clock: { now: () => clock.t }, settings: settings({ rateLimit: { perSecond: 10, burst: 3 } }) });
  r.outbox.add('shop', 'shipment.confirmed', 'O1');
  r.outbox.add('shop', 'shipment.confirmed', 'O2');
  r.worker.start();
  await waitFor('the first message delivered', () => r.receiver.accepted.length === 1);
  // The one token is spent and the clock stands still: the second message cannot go yet.
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(r.receiver.accepted.length, 1);
  assert.equal(r.worker.status().rateLimitUse, 1);
  clock.t = T0 + 100;
  assert.equal(r.worker.status().rateLimitUse, 0.05, '0.95 of a token per 100 ms');
  clock.t = T0 + 200;
  await waitFor('the second message delivered', () => r.receiver.accepted.length === 2);
  await r.worker.stop();
});
