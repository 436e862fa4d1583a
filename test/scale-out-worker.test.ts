/**
 * The scale-out worker against the real PostgreSQL store: an entry handed out again after its
 * batch committed (the worker died before acknowledging) changes nothing, and an entry that can
 * never apply goes to the dead letters while the rest of its batch applies; a count racing an
 * order that ships meanwhile is run again with that order locked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DATABASE_URL, scaleOut, skipReason } from './support/backends.js';
import { movement, snapshot } from './support/test-hub.js';
import { dropSchema, openPostgres } from '../src/adapters/postgres/pg-database.js';
import { PgLedgerStore } from '../src/adapters/postgres/pg-ledger-store.js';
import { LedgerWorker, MalformedEntryError } from '../src/app/log/ledger-worker.js';
import { WorkerDeadLogEntries } from '../src/app/log/retry-dead-entries.js';
import type { LogEntry, WorkItem } from '../src/ports/event-log.js';
import { savedOrder } from '../src/app/orders/saved-order.js';
import pg from 'pg';
import { until } from './support/until.js';

const skip = await skipReason(scaleOut);
const namespace = `t_worker_${randomBytes(4).toString('hex')}`;
let store: PgLedgerStore;
let worker: LedgerWorker;
let position = 0;

before(async () => {
  if (skip) return;
  store = new PgLedgerStore(await openPostgres(DATABASE_URL, namespace));
  // Migrations are safe to run twice (several processes start at once).
  await (await openPostgres(DATABASE_URL, namespace)).pool.end();
  worker = new LedgerWorker({ store, clock: { now: () => Date.parse('2026-11-22T12:00:00Z') }, maxAttempts: 3 });
  await worker.applyAll([
    catalog({ kind: 'location', def: { id: 'DAL', name: 'Dallas', authority: 'wms-dal' } }),
    catalog({ kind: 'channel', channel: { id: 'web', locations: ['DAL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' } }),
  ]);
});
after(async () => {
  if (skip) return;
  await store.close();
  await dropSchema(DATABASE_URL, namespace);
});

function entry(event: object): LogEntry {
  return { position: ++position, kind: 'inventory', body: JSON.stringify(event) };
}
function catalog(change: object): LogEntry {
  return { position: ++position, kind: 'catalog', body: JSON.stringify(change) };
}

function workItems(entries: LogEntry[], attempt = 1) {
  const outcome = new Map<number, string>();
  const items: WorkItem[] = entries.map((e) => ({
    entry: e,
    attempt,
    done: () => outcome.set(e.position, 'done'),
    retry: () => outcome.set(e.position, 'retry'),
    discard: () => outcome.set(e.position, 'discard'),
    stillWorking: () => {},
  }));
  return { items, outcome };
}

test('an entry handed out again after its batch committed changes nothing', { skip }, async () => {
  const batch = [
    entry(snapshot({ source: 'wms-dal', seq: 1, sku: 'R-1', location: 'DAL', onHand: 10 })),
    entry(movement({ source: 'wms-dal', seq: 2, sku: 'R-1', location: 'DAL', delta: { onHand: 5 } })),
  ];
  const first = workItems(batch);
  await worker.handle(first.items);
  assert.deepEqual([...first.outcome.values()], ['done', 'done']);
  assert.equal(await store.figure('web', 'R-1'), 15);
  const feedBefore = await store.readChanges('web', 0, 1000);
  // The same entries again (redelivery), and the same event under a new log position (a late repeat).
  const again = workItems([...batch, { ...batch[1]!, position: ++position }], 2);
  await worker.handle(again.items);
  assert.deepEqual([...again.outcome.values()], ['done', 'done', 'done']);
  assert.equal(await store.figure('web', 'R-1'), 15);
  assert.deepEqual(await store.readChanges('web', 0, 1000), feedBefore);
});

test('an entry that can never apply goes to the dead letters; the rest of its batch applies', { skip }, async () => {
  const good1 = entry(movement({ source: 'wms-dal', seq: 10, sku: 'P-1', location: 'DAL', delta: { onHand: 7 } }));
  const poison: LogEntry = { position: ++position, kind: 'inventory', body: '{"type": "inventory.movement", "sku": ' };
  const wrong = entry({ type: 'inventory.movement', id: 'x', source: 'wms-dal', seq: 11, sku: 'P-1', location: 'DAL', delta: { onHand: 'lots' } });
  const good2 = entry(movement({ source: 'wms-dal', seq: 12, sku: 'P-1', location: 'DAL', delta: { onHand: 3 } }));
  const { items, outcome } = workItems([good1, poison, wrong, good2]);
  await worker.handle(items);
  assert.deepEqual(
    [good1, poison, wrong, good2].map((e) => outcome.get(e.position)),
    ['done', 'discard', 'discard', 'done'],
  );
  assert.equal(await store.figure('web', 'P-1'), 10);
  const dead = await store.deadEntries(10);
  assert.deepEqual(
    dead.map((d) => d.position),
    [poison.position, wrong.position],
  );
  assert.match(dead[0]!.error, /cannot be applied/);
  assert.equal(dead[0]!.body, poison.body);
});

test('a dead entry is applied again once its cause is fixed; one that still cannot apply stays dead', { skip }, async () => {
  // A worker gave up on this one while the database refused it (simulated: recorded as dead directly).
  const stuck = entry(snapshot({ source: 'wms-dal', seq: 50, sku: 'DL-1', location: 'DAL', onHand: 6 }));
  await store.deadLetter({
    position: stuck.position,
    kind: 'inventory',
    body: stuck.body,
    error: 'connection terminated',
    attempts: 5,
    at: new Date().toISOString(),
  });
  const dead = new WorkerDeadLogEntries({ store, worker });
  assert.ok((await dead.list(100)).some((d) => d.position === stuck.position));
  await dead.retry(stuck.position);
  assert.equal(await store.figure('web', 'DL-1'), 6);
  assert.equal(
    (await dead.list(100)).some((d) => d.position === stuck.position),
    false,
  );
  const [poison] = await dead.list(100);
  await assert.rejects(dead.retry(poison!.position), MalformedEntryError);
  assert.ok((await dead.list(100)).some((d) => d.position === poison!.position));
});

test('events for a location defined later are parked, then applied when it is', { skip }, async () => {
  await worker.applyAll([entry(snapshot({ source: 'tpl-rno', seq: 1, sku: 'Q-1', location: 'RNO', onHand: 9 }))]);
  assert.deepEqual(
    (await store.parkedEvents('RNO', 10)).map((p) => p.sku),
    ['Q-1'],
  );
  await worker.applyAll([
    catalog({ kind: 'location', def: { id: 'RNO', name: 'Reno', authority: 'tpl-rno' } }),
    catalog({ kind: 'channel', channel: { id: 'reno', locations: ['RNO'], safetyStock: 1, onErpUnavailable: 'queue', onCreditHold: 'hold' } }),
  ]);
  assert.deepEqual(await store.parkedEvents('RNO', 10), []);
  assert.equal(await store.figure('reno', 'Q-1'), 8);
});

test('an entry naming an order that goes to the dead letters still settles for the read models', { skip }, async () => {
  // The database refuses the batch once, and the worker is allowed one attempt: the entry is dead.
  let refusals = 1;
  const flaky = new Proxy(store, {
    get(target, name) {
      if (name === 'eventBatch') return (fn: never) => (refusals-- > 0 ? Promise.reject(new Error('connection terminated')) : target.eventBatch(fn));
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const dying = new LedgerWorker({ store: flaky, clock: { now: () => Date.parse('2026-11-22T12:00:00Z') }, maxAttempts: 1 });
  const released: LogEntry = {
    position: ++position,
    kind: 'order',
    body: JSON.stringify({ id: 'rel-dead', type: 'order.released', source: 'erp-main', seq: 1, occurredAt: '2026-11-22T12:00:00Z', orderId: 'ord_gone' }),
  };
  const { items, outcome } = workItems([released]);
  await dying.handle(items);
  assert.equal(outcome.get(released.position), 'discard');
  assert.ok((await store.deadEntries(100)).some((d) => d.position === released.position));
  const queued: object[] = [];
  await store.relayToLog(100, async (entries) => {
    queued.push(...entries.map((e) => e.body));
  });
  assert.deepEqual(queued, [{ holds: [], settles: [released.position] }]);
});

test('a count that meets an order shipping while it waits for its items runs again with that order locked', { skip }, async () => {
  // An order that shipped 2 units from DAL at 11:00, which the warehouse has not shown leaving: held.
  const order = {
    id: 'ord_race',
    channel: 'web',
    externalId: 'RACE-1',
    customer: 'C-1',
    backorder: 'reject' as const,
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T11:00:00.000Z',
    erp: { state: 'committed' as const, orderNumber: 'SO-1', attempts: 1 },
    released: true,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: [{ sku: 'RC-1', qty: 2, alloc: [['DAL', 2]] as [string, number][], departed: {}, returned: 0 }],
    shipments: [{ eventId: 'ship-race', source: 'wms-dal', location: 'DAL', at: '2026-11-22T11:00:00.000Z', lines: [{ sku: 'RC-1', qty: 2 }] }],
  };
  await worker.applyAll([entry(snapshot({ source: 'wms-dal', seq: 900, sku: 'RC-1', location: 'DAL', onHand: 10 }))]);
  await store.eventBatch(async (tx) => {
    await tx.lockItems(['RC-1']);
    await tx.orders.saveOrders([savedOrder(order)]);
    await tx.addHolds([{ orderId: order.id, sku: 'RC-1', location: 'DAL', units: 2 }]);
  });
  assert.equal(await store.figure('web', 'RC-1'), 10, 'the feed has not heard of the hold yet (set up behind its back)');
  // Another transaction holds the item while the count arrives, and records the shipment's
  // unconfirmed units just before it lets go: the count's first look found no such order.
  // Its transactions are counted, to see the batch run again.
  let transactions = 0;
  const counted = new Proxy(store, {
    get(target, name) {
      if (name === 'eventBatch')
        return (fn: never) => {
          transactions++;
          return target.eventBatch(fn);
        };
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const countingWorker = new LedgerWorker({ store: counted, clock: { now: () => Date.parse('2026-11-22T12:00:00Z') }, maxAttempts: 3 });
  const other = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${namespace}` });
  await other.connect();
  try {
    await other.query('BEGIN');
    await other.query(`SELECT sku FROM items WHERE sku = 'RC-1' FOR UPDATE`);
    const counting = countingWorker.applyAll([
      entry({ ...snapshot({ source: 'wms-dal', seq: 901, sku: 'RC-1', location: 'DAL', onHand: 8 }), occurredAt: '2026-11-22T12:00:00Z' }),
    ]);
    // Only once the count's transaction waits for the item lock (it has looked for orders already).
    await until(
      "the count's transaction to wait for the item lock",
      async () =>
        (
          await other.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
            `crossdock ${namespace}`,
          ])
        ).rows[0].n,
      (n) => n === 1,
    );
    await other.query(`INSERT INTO order_unconfirmed (sku, location, order_id) VALUES ('RC-1', 'DAL', 'ord_race')`);
    await other.query('COMMIT');
    await counting;
  } finally {
    await other.end();
  }
  assert.equal(transactions, 2, 'the batch ran again with the order locked');
  const held = await store.eventBatch((tx) => tx.holdsOf([order.id]));
  assert.deepEqual(held, [], 'the count at 12:00 contains the shipment of 11:00: nothing held any more');
  const db = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${namespace}` });
  await db.connect();
  try {
    const steps = await db.query(`SELECT record->>'step' AS step FROM order_timeline WHERE order_id = 'ord_race' ORDER BY id`);
    assert.deepEqual(
      steps.rows.map((r: { step: string }) => r.step),
      ['stock.counted'],
    );
  } finally {
    await db.end();
  }
  assert.equal(await store.figure('web', 'RC-1'), 8);
});
