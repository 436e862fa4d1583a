/**
 * Delivery operations (dead letters, replays, status, depths, backlogs) over the embedded
 * delivery store in memory; leased deliveries with scripted leases; and the outbound translation
 * into a partner's ids and units, asserted on what the inner destination received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../adapters/sqlite/open-database.js';
import { SqliteCrossReferenceStore } from '../../adapters/sqlite/sqlite-cross-reference-store.js';
import { SqliteDeliveryStore } from '../../adapters/sqlite/sqlite-delivery-store.js';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import { NotFoundError } from '../../domain/errors.js';
import { IllegalTransitionError } from '../../domain/orders/order-errors.js';
import type { DestinationLeases, Lease } from '../../ports/destination-leases.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import { CrossReferences } from '../master-data/cross-references.js';
import { DeliveryEngine, DeliveryOperations } from './delivery-engine.js';
import { DestinationWorker, type WorkerStatus } from './destination-worker.js';
import { LeasedDeliveries, type LeasedWork } from './leased-deliveries.js';
import { PartnerIdsDestination } from './speak-partner-ids.js';

function memoryDb() {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return db;
}

const T0 = Date.parse('2026-12-06T12:00:00.000Z');

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const until = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

class Receiver implements Destination {
  readonly maxBatch = 10;
  readonly got: OutgoingMessage[][] = [];
  closed = false;
  constructor(readonly id: string) {}
  async send(batch: OutgoingMessage[]): Promise<void> {
    this.got.push(batch);
  }
  close(): void {
    this.closed = true;
  }
}

function worker(id: string, store: SqliteDeliveryStore, outbox: { id: number; destination: string; topic: string; createdAt: string }[] = []) {
  const receiver = new Receiver(id);
  const rows = () => outbox.map((r) => ({ ...r, messageKey: `K${r.id}`, idempotencyKey: `ik${r.id}`, lane: 'orders' as const, payload: {} }));
  const w = new DestinationWorker({
    destination: receiver,
    aliases: [id],
    settings: { retry: { baseMs: 1, maxMs: 1, maxAttempts: 1 }, breaker: { failures: 100, halfOpenAfterMs: 5 }, lowStock: 5, idleMs: 60_000 },
    deliveries: store,
    orders: {
      outboxFor: (d, after, limit) =>
        rows()
          .filter((r) => d.includes(r.destination) && r.id > after)
          .slice(0, limit),
      outboxBetween: (d, from, to, limit) =>
        rows()
          .filter((r) => d.includes(r.destination) && r.createdAt >= from && r.createdAt <= to)
          .slice(0, limit),
    },
    inventory: { readChanges: () => [] },
    clock: { now: () => T0 },
    log: () => {},
  });
  return { w, receiver };
}

const letter = (store: SqliteDeliveryStore, destination: string, n: number) =>
  store.addDeadLetter({
    destination,
    lane: 'orders',
    message: { idempotencyKey: `k${n}`, topic: 'shipment.confirmed', key: `O${n}`, payload: {} },
    attempts: 2,
    lastError: 'HTTP 500',
    deadAt: 't',
  });

test('dead letters are listed, read, retried (waking the workers) and discarded; only dead ones may be', async () => {
  const store = new SqliteDeliveryStore(memoryDb());
  let woken = 0;
  const ops = new DeliveryOperations(
    [],
    store,
    () => [],
    () => woken++,
  );
  letter(store, 'shop', 1);
  letter(store, 'edi', 2);
  letter(store, 'shop', 3);
  assert.deepEqual(
    (await ops.deadLetters({ destination: 'shop', limit: 10 })).map((d) => d.id),
    [1, 3],
  );
  assert.equal((await ops.deadLetter(2)).destination, 'edi');
  await assert.rejects(ops.deadLetter(9), (e: unknown) => e instanceof NotFoundError && e.message === "Dead letter '9' does not exist.");
  const retried = await ops.retry(1);
  assert.equal(retried.status, 'queued');
  assert.equal(woken, 1);
  await assert.rejects(
    ops.retry(1),
    (e: unknown) => e instanceof IllegalTransitionError && e.step === 'retry' && e.reason === 'the dead letter is queued, not dead',
  );
  await assert.rejects(
    ops.discard(1, 'x'),
    (e: unknown) => e instanceof IllegalTransitionError && e.step === 'discard' && e.reason === 'the dead letter is queued, not dead',
  );
  const discarded = await ops.discard(3, 'customer cancelled');
  assert.deepEqual([discarded.status, discarded.note], ['discarded', 'customer cancelled']);
  assert.equal(woken, 1);
});

test('retrying every dead letter queues them across pages, of one destination or all, and wakes the workers once', async () => {
  const store = new SqliteDeliveryStore(memoryDb());
  let woken = 0;
  const ops = new DeliveryOperations(
    [],
    store,
    () => [],
    () => woken++,
  );
  for (let i = 0; i < 1001; i++) letter(store, 'shop', i);
  letter(store, 'edi', 9);
  store.setDeadLetterStatus(letter(store, 'shop', 10), 'discarded', 'x');
  assert.equal(await ops.retryAll('shop'), 1001);
  assert.equal(woken, 1);
  assert.equal(store.deadLetter(1002)!.status, 'dead');
  assert.equal(store.deadLetter(1003)!.status, 'discarded');
  assert.equal(await ops.retryAll(), 1);
  assert.equal(store.deadLetter(1002)!.status, 'queued');
  assert.equal(await ops.retryAll(), 0);
  assert.equal(woken, 3);
});

test("replays, depths and backlogs are the destinations' own; an unknown destination is not found", async () => {
  const store = new SqliteDeliveryStore(memoryDb());
  const outbox = [
    { id: 1, destination: 'shop', topic: 'shipment.confirmed', createdAt: '2026-12-06T10:00:00.000Z' },
    { id: 2, destination: 'edi', topic: 'shipment.confirmed', createdAt: '2026-12-06T10:00:00.000Z' },
    { id: 3, destination: 'shop', topic: 'shipment.confirmed', createdAt: '2026-12-06T11:00:00.000Z' },
  ];
  const shop = worker('shop', store, outbox);
  const edi = worker('edi', store, outbox);
  const statuses = [{ destination: 'shop' } as WorkerStatus];
  const ops = new DeliveryOperations([shop.w, edi.w], store, async () => statuses);
  assert.equal(await ops.status(), statuses);
  assert.deepEqual(await ops.depths(), [
    { destination: 'shop', lanes: { orders: 2, bulk: 0 } },
    { destination: 'edi', lanes: { orders: 1, bulk: 0 } },
  ]);
  assert.deepEqual(
    (await ops.backlogs()).map((b) => [b.destination, b.shipments.length]),
    [
      ['shop', 2],
      ['edi', 1],
    ],
  );
  assert.equal(await ops.replay('shop', '2026-12-06T09:00:00.000Z', '2026-12-06T10:30:00.000Z'), 1);
  assert.equal(await ops.replay('shop', '2026-12-06T09:00:00.000Z', '2026-12-06T12:00:00.000Z', 1), 1);
  assert.deepEqual(
    store.deadLetters({ destination: 'shop', status: 'queued', limit: 10 }).map((d) => d.message.key),
    ['K1', 'K1'],
  );
  assert.throws(
    () => ops.replay('nope', 'a', 'b'),
    (e: unknown) => e instanceof NotFoundError && e.message === "Destination 'nope' does not exist.",
  );
});

test('the engine runs every worker in this process, reports their status, nudges them and stops them', async () => {
  const store = new SqliteDeliveryStore(memoryDb());
  const outbox: { id: number; destination: string; topic: string; createdAt: string }[] = [];
  const shop = worker('shop', store, outbox);
  const edi = worker('edi', store, outbox);
  const engine = new DeliveryEngine([shop.w, edi.w], store);
  engine.start();
  await new Promise((r) => setTimeout(r, 10));
  outbox.push({ id: 1, destination: 'shop', topic: 'shipment.confirmed', createdAt: 't' });
  outbox.push({ id: 2, destination: 'edi', topic: 'shipment.confirmed', createdAt: 't' });
  engine.nudge();
  await waitFor('both delivered', () => shop.receiver.got.length === 1 && edi.receiver.got.length === 1);
  assert.deepEqual(
    (await engine.status()).map((s) => [s.destination, s.deliveredMessages]),
    [
      ['shop', 1],
      ['edi', 1],
    ],
  );
  // A retry through the engine wakes the idle worker that delivers it.
  letter(store, 'shop', 7);
  await engine.retry(1);
  await waitFor('the retried letter delivered', () => store.deadLetter(1)!.status === 'delivered');
  await engine.stop();
  assert.equal(shop.receiver.closed && edi.receiver.closed, true);
});

/** Leases the test hands out and takes back. */
class Leases implements DestinationLeases {
  readonly free = new Set<string>();
  readonly held = new Map<string, () => void>();
  released: string[] = [];
  failNext = false;
  closed = false;
  async tryAcquire(destination: string): Promise<Lease | undefined> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database unreachable');
    }
    if (!this.free.has(destination)) return undefined;
    this.free.delete(destination);
    let lose!: () => void;
    const lost = new Promise<void>((r) => {
      lose = r;
    });
    this.held.set(destination, lose);
    return {
      lost,
      release: async () => {
        this.held.delete(destination);
        this.released.push(destination);
      },
    };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

class Work implements LeasedWork {
  state = 'new';
  nudges = 0;
  start(): void {
    this.state = 'running';
  }
  async stop(): Promise<void> {
    this.state = 'stopped';
  }
  nudge(): void {
    this.nudges++;
  }
}

test('a destination is delivered to while its lease is held; a lost lease stops the work and it is asked for again', async () => {
  const leases = new Leases();
  const logs: [string, string][] = [];
  const fields: object[] = [];
  const made: Work[] = [];
  const leased = new LeasedDeliveries<Work>({
    destinations: [
      {
        id: 'shop',
        worker: () => {
          const w = new Work();
          made.push(w);
          return w;
        },
      },
      { id: 'edi', worker: () => new Work() },
    ],
    leases,
    retryMs: 5,
    log: (level, msg, f) => {
      logs.push([level, msg]);
      fields.push(f ?? {});
    },
  });
  leases.free.add('shop');
  leased.start();
  await waitFor('the lease held', () => leased.held().includes('shop'));
  assert.deepEqual(leased.held(), ['shop']);
  assert.equal(made[0]!.state, 'running');
  assert.equal(leased.workers()[0], made[0]);
  leased.nudge();
  assert.equal(made[0]!.nudges, 1);
  leases.held.get('shop')!();
  await waitFor('the work stopped', () => made[0]!.state === 'stopped' && leases.released.includes('shop'));
  assert.deepEqual(leased.held(), []);
  assert.deepEqual(logs, [
    ['info', 'holding shop'],
    ['warn', 'lost the lease of shop; asking again'],
  ]);
  leases.free.add('shop');
  await waitFor('the lease held again', () => made.length === 2 && made[1]!.state === 'running');
  leases.failNext = true;
  leases.free.add('edi');
  await waitFor('edi held', () => leased.held().includes('edi'));
  await leased.stop();
  assert.equal(made[1]!.state, 'stopped');
  assert.deepEqual(leased.held(), []);
  assert.equal(leases.closed, true);
  assert.ok(logs.some(([l, m]) => l === 'warn' && /could not ask for the lease of (shop|edi): database unreachable/.test(m)));
  assert.equal(logs.filter(([, m]) => m.startsWith('lost the lease')).length, 1, 'stopping is not a lost lease');
  assert.ok(
    fields.every((f) => ['shop', 'edi'].includes((f as { destination?: string }).destination!)),
    'every line names its destination',
  );
});

test('work without a nudge is passed over when the held work is nudged', async () => {
  const leases = new Leases();
  leases.free.add('shop');
  const leased = new LeasedDeliveries<LeasedWork>({
    destinations: [{ id: 'shop', worker: () => ({ start: () => {}, stop: async () => {} }) }],
    leases,
    retryMs: 5,
    log: () => {},
  });
  leased.start();
  await waitFor('the lease held', () => leased.held().length === 1);
  leased.nudge();
  await leased.stop();
});

test('a stop while waiting to ask for a lease again leaves no timer behind to keep the process alive', async () => {
  const leases = new Leases();
  let asked = 0;
  const tryAcquire = leases.tryAcquire.bind(leases);
  leases.tryAcquire = async (d) => {
    asked++;
    return tryAcquire(d);
  };
  const leased = new LeasedDeliveries<LeasedWork>({
    destinations: [{ id: 'shop', worker: () => ({ start: () => {}, stop: async () => {} }) }],
    leases,
    retryMs: 60_000,
    log: () => {},
  });
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  leased.start();
  await waitFor('the lease asked for', () => asked === 1);
  await new Promise((r) => setImmediate(r));
  const waiting = timers();
  try {
    assert.ok(waiting >= 1, 'waiting a minute to ask again');
  } finally {
    await leased.stop();
  }
  assert.equal(timers(), waiting - 1, 'the wait ended with the stop');
});

// Outbound translation.

function translating(sellsIn?: string) {
  const db = memoryDb();
  const xrefs = new CrossReferences({ store: new SqliteCrossReferenceStore(db), baseUnit: () => 'EA' });
  const inner = new Receiver('acme');
  return { xrefs, inner, dest: new PartnerIdsDestination(inner, xrefs, sellsIn) };
}

test("items and locations are sent in the partner's ids, falling back to the hub's where it has none", async () => {
  const { xrefs, inner, dest } = translating();
  await xrefs.define([
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'BP-A', id: 'A' },
    { kind: 'item', system: 'acme', scheme: 'VP', external: 'VP-A', id: 'A' },
    { kind: 'location', system: 'acme', scheme: 'id', external: 'WH-07', id: 'DAL' },
    { kind: 'item', system: 'other', scheme: 'BP', external: 'X', id: 'B' },
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'BP-C', id: 'C' },
  ]);
  assert.equal(dest.id, 'acme');
  assert.equal(dest.maxBatch, 10);
  await dest.send([
    { idempotencyKey: '1', topic: 'availability.changed', key: 'A', payload: { channel: 'edi', sku: 'A', available: 7 } },
    {
      idempotencyKey: '2',
      topic: 'fulfilment.request',
      key: 'O1',
      payload: {
        location: 'DAL',
        lines: [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 2 },
        ],
      },
    },
    { idempotencyKey: '3', topic: 'shipment.confirmed', key: 'O2', payload: { location: 'HOU', lines: [{ sku: 'B', qty: 1 }] } },
    { idempotencyKey: '4', topic: 'order.cancelled', key: 'O3', payload: { reason: 'x' } },
    { idempotencyKey: '5', topic: 'availability.changed', key: 'B', payload: { sku: 'B', available: 1 } },
    { idempotencyKey: '6', topic: 'fulfilment.request', key: 'O4', payload: { location: 'ATL', lines: [{ sku: 'A', qty: 1 }] } },
    { idempotencyKey: '7', topic: 'odd', key: 'O5', payload: null },
    { idempotencyKey: '8', topic: 'shipment.confirmed', key: 'O6', payload: { lines: [{ qty: 1 }, { sku: 'C', qty: 1 }] } },
    // At the same location as the fulfilment request: the warehouse code is the 940's, whatever shares the batch.
    { idempotencyKey: '9', topic: 'shipment.confirmed', key: 'O7', payload: { location: 'DAL', lines: [{ sku: 'B', qty: 1 }] } },
  ]);
  assert.deepEqual(
    inner.got[0]!.map((m) => m.payload),
    [
      { channel: 'edi', sku: 'A', available: 7, ids: { BP: 'BP-A', VP: 'VP-A' } },
      {
        location: 'DAL',
        lines: [
          { sku: 'A', qty: 1, ids: { BP: 'BP-A', VP: 'VP-A' } },
          { sku: 'B', qty: 2 },
        ],
        warehouse: 'WH-07',
      },
      { location: 'HOU', lines: [{ sku: 'B', qty: 1 }] },
      { reason: 'x' },
      { sku: 'B', available: 1 },
      { location: 'ATL', lines: [{ sku: 'A', qty: 1, ids: { BP: 'BP-A', VP: 'VP-A' } }] },
      null,
      { lines: [{ qty: 1 }, { sku: 'C', qty: 1, ids: { BP: 'BP-C' } }] },
      { location: 'DAL', lines: [{ sku: 'B', qty: 1 }] },
    ],
  );
  assert.deepEqual(
    inner.got[0]!.map((m) => [m.idempotencyKey, m.topic, m.key]),
    [
      ['1', 'availability.changed', 'A'],
      ['2', 'fulfilment.request', 'O1'],
      ['3', 'shipment.confirmed', 'O2'],
      ['4', 'order.cancelled', 'O3'],
      ['5', 'availability.changed', 'B'],
      ['6', 'fulfilment.request', 'O4'],
      ['7', 'odd', 'O5'],
      ['8', 'shipment.confirmed', 'O6'],
      ['9', 'shipment.confirmed', 'O7'],
    ],
  );
});

test('a channel that sells in cases is offered whole cases, by the partner packing first; an item without the unit is not offered', async () => {
  const { xrefs, inner, dest } = translating('CA');
  await xrefs.defineUnits('A', { CA: 12 });
  await xrefs.defineUnits('B', { CA: 12 }, { acme: { CA: 6 } });
  await xrefs.defineUnits('C', { PK: 4 });
  const avail = (sku: string, available: number): OutgoingMessage => ({
    idempotencyKey: sku,
    topic: 'availability.changed',
    key: sku,
    payload: { sku, available },
  });
  await dest.send([avail('A', 25), avail('B', 25), avail('C', 25), avail('D', 25), avail('A', -3)]);
  assert.deepEqual(
    inner.got[0]!.map((m) => m.payload),
    [
      { sku: 'A', available: 2, unit: 'CA' },
      { sku: 'B', available: 4, unit: 'CA' },
      { sku: 'C', available: 0, unit: 'CA' },
      { sku: 'D', available: 0, unit: 'CA' },
      { sku: 'A', available: 0, unit: 'CA' },
    ],
  );
  const { inner: eachInner, dest: each } = translating('EA');
  await each.send([avail('Z', 5)]);
  assert.deepEqual(eachInner.got[0]![0]!.payload, { sku: 'Z', available: 5, unit: 'EA' });
  // A figure that is not a number is passed on as it came.
  await dest.send([{ idempotencyKey: 'x', topic: 'availability.changed', key: 'A', payload: { sku: 'A' } }]);
  assert.deepEqual(inner.got[1]![0]!.payload, { sku: 'A' });
});

test('when the cross-references cannot be read the batch waits (a retryable failure), not sent in the hub ids', async () => {
  const inner = new Receiver('acme');
  const failing = {
    resolve: async () => [],
    externalIds: async () => {
      throw new Error('database gone');
    },
    packing: async () => new Map(),
  };
  const dest = new PartnerIdsDestination(inner, failing);
  await assert.rejects(
    dest.send([{ idempotencyKey: '1', topic: 'availability.changed', key: 'A', payload: { sku: 'A', available: 1 } }]),
    (e: unknown) =>
      e instanceof DeliveryFailedError && e.retryable && e.reason === 'the cross-references could not be read: database gone' && e.destination === 'acme',
  );
  assert.deepEqual(inner.got, []);
});

test('the translated destination costs and closes as the inner one', () => {
  const inner = new Receiver('acme');
  const { xrefs } = translating();
  const dest = new PartnerIdsDestination(inner, xrefs);
  assert.equal(dest.cost([]), 1);
  (inner as unknown as { cost: (m: OutgoingMessage[]) => number }).cost = (m) => m.length * 3;
  assert.equal(dest.cost([{} as OutgoingMessage, {} as OutgoingMessage]), 6);
  dest.close();
  assert.equal(inner.closed, true);
  const bare = new PartnerIdsDestination({ id: 'b', maxBatch: 1, send: async () => {} }, xrefs);
  bare.close();
});
