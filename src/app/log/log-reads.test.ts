/**
 * The scale-out read routes, the log relay and the dead-entry retry against an in-memory log and
 * shared state: events read past catalogue entries, parked events from the read model, holds
 * entries appended once each and deleted, and a dead entry applied again by the worker's code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogReads } from './log-reads.js';
import { LogRelay } from './log-relay.js';
import { WorkerDeadLogEntries } from './retry-dead-entries.js';
import { noDeadLogEntries } from './dead-log-entries.js';
import { LedgerWorker } from './ledger-worker.js';
import { InventoryReadModel } from './inventory-read-model.js';
import { MemoryLedgerStore } from './ledger-store.test-support.js';
import { MemoryEventLog, entry, fixedClock, movement, orderEvent } from './log.test-support.js';
import { NotFoundError } from '../../domain/errors.js';

async function reads() {
  const log = new MemoryEventLog();
  const view = new InventoryReadModel();
  await log.follow(0, (e) => view.apply(e));
  const store = new MemoryLedgerStore();
  return { log, view, store, reads: new LogReads({ log, view, store }) };
}

test('events are read past catalogue and holds entries and unreadable bodies, up to the limit', async () => {
  const { log, reads: r } = await reads();
  const a = movement('wms', 1, 'A', 'DAL', { onHand: 1 });
  const o = orderEvent('shop', 2, 'O1', { type: 'order.delivered' });
  log.put('catalog', { kind: 'location', def: { id: 'DAL', name: 'D', authority: 'wms' } });
  log.put('inventory', a);
  log.put('holds', { outboxId: 1, holds: [] });
  log.put('inventory', '{broken');
  log.put('order', o);
  log.put('catalog', { kind: 'item', item: { sku: 'A', description: '', uom: 'EA' } });
  log.put('inventory', movement('wms', 3, 'A', 'DAL', { onHand: 1 }));
  assert.deepEqual(await r.readEvents(0, 2), [
    { position: 2, event: a },
    { position: 5, event: o },
  ]);
  assert.deepEqual(
    (await r.readEvents(2, 10)).map((e) => e.position),
    [5, 7],
  );
  assert.deepEqual(
    (await r.readEvents(0, 1)).map((e) => e.position),
    [2],
  );
  assert.deepEqual(await r.readEvents(7, 10), []);
  assert.deepEqual(await r.readEvents(0, 0), []);
  // The next page asks only for the events still wanted.
  const more = await reads();
  more.log.put('catalog', { kind: 'item', item: { sku: 'A', description: '', uom: 'EA' } });
  for (let seq = 1; seq <= 3; seq++) more.log.put('inventory', movement('wms', seq, 'A', 'DAL', { onHand: 1 }));
  assert.deepEqual(
    (await more.reads.readEvents(0, 2)).map((e) => e.position),
    [2, 3],
  );
  // Only catalogue entries to the end: an empty answer, not a wait.
  assert.deepEqual(await r.readEvents(5, 1), [{ position: 7, event: movement('wms', 3, 'A', 'DAL', { onHand: 1 }) }]);
});

test('one event by position: events only, and none for a body that does not parse', async () => {
  const { log, reads: r } = await reads();
  const a = movement('wms', 1, 'A', 'DAL', { onHand: 1 });
  const o = orderEvent('shop', 2, 'O1', { type: 'order.delivered' });
  log.put('inventory', a);
  log.put('catalog', { kind: 'item', item: { sku: 'A', description: '', uom: 'EA' } });
  log.put('inventory', '{broken');
  log.put('holds', { outboxId: 1, holds: [] });
  log.put('order', o);
  assert.deepEqual(await r.eventAt(1), a);
  assert.equal(await r.eventAt(2), undefined);
  assert.equal(await r.eventAt(3), undefined);
  assert.equal(await r.eventAt(4), undefined);
  assert.deepEqual(await r.eventAt(5), o);
  assert.equal(await r.eventAt(99), undefined);
});

test("parked events come from the read model, with the reason and the event's correlation id, up to the limit", async () => {
  const { log, reads: r } = await reads();
  log.put('inventory', movement('wms', 1, 'A', 'HOU', { onHand: 1 }, { correlationId: 'c-1' }));
  log.put('inventory', movement('wms', 2, 'B', 'ELP', { onHand: 1 }));
  log.put('inventory', movement('wms', 3, 'C', 'HOU', { onHand: 1 }));
  const all = r.parkedEvents(undefined, 10);
  assert.deepEqual(
    all.map(({ parkedAt: _p, ...rest }) => rest),
    [
      {
        position: 1,
        sku: 'A',
        location: 'HOU',
        reason: "location 'HOU' is not defined; the event applies when it is (PUT /v1/locations/HOU)",
        correlationId: 'c-1',
      },
      { position: 2, sku: 'B', location: 'ELP', reason: "location 'ELP' is not defined; the event applies when it is (PUT /v1/locations/ELP)" },
      { position: 3, sku: 'C', location: 'HOU', reason: "location 'HOU' is not defined; the event applies when it is (PUT /v1/locations/HOU)" },
    ],
  );
  assert.ok(all.every((p) => !Number.isNaN(Date.parse(p.parkedAt))));
  assert.deepEqual(
    r.parkedEvents('HOU', 1).map((p) => p.position),
    [1],
  );
});

test('overtaken counts and the change feed are read from the shared state', async () => {
  const { store, reads: r } = await reads();
  const worker = new LedgerWorker({ store, clock: fixedClock(), maxAttempts: 1 });
  await worker.applyAll([
    entry(1, { kind: 'location', def: { id: 'DAL', name: 'D', authority: 'wms' } }),
    entry(2, { kind: 'channel', channel: { id: 'web', locations: ['DAL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' } }),
    entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 4 })),
    entry(4, movement('wms', 2, 'B', 'DAL', { onHand: 2 })),
  ]);
  assert.deepEqual(
    (await r.readChanges('web', 0, 10)).map((c) => [c.cursor, c.sku, c.available]),
    [
      [1, 'A', 4],
      [2, 'B', 2],
    ],
  );
  assert.deepEqual(
    (await r.readChanges('web', 1, 10)).map((c) => c.sku),
    ['B'],
  );
  store.s.overtaken[7] = { position: 7, source: 'wms', seq: 1, sku: 'A', location: 'DAL', countedAt: 'x', buckets: [], recordedAt: 'y' };
  assert.deepEqual(
    (await r.overtakenCounts(0, 10)).map((c) => c.position),
    [7],
  );
  assert.deepEqual(await r.overtakenCounts(7, 10), []);
});

test('the relay appends queued holds entries with their outbox ids, once each, and deletes them', async () => {
  const log = new MemoryEventLog();
  const store = new MemoryLedgerStore();
  const relay = new LogRelay({ store, log });
  await store.eventBatch(async (tx) => {
    await tx.queueForLog('holds', 'A', { holds: [{ orderId: 'O1', sku: 'A', location: 'DAL', units: 2 }] });
    await tx.queueForLog('holds', 'settles', { holds: [], settles: [4] });
  });
  assert.equal(await relay.flush(), 2);
  assert.deepEqual(log.appends, [
    [
      { kind: 'holds', key: 'A', dedupeId: 'outbox:1', body: JSON.stringify({ holds: [{ orderId: 'O1', sku: 'A', location: 'DAL', units: 2 }], outboxId: 1 }) },
      { kind: 'holds', key: 'settles', dedupeId: 'outbox:2', body: JSON.stringify({ holds: [], settles: [4], outboxId: 2 }) },
    ],
  ]);
  assert.deepEqual(store.s.outbox, []);
  assert.equal(await relay.flush(), 0);
  assert.equal(log.appends.length, 1, 'nothing left to append');
});

test('the relay drains more than one batch of 500, and a log that fails keeps the entries queued', async () => {
  const log = new MemoryEventLog();
  const store = new MemoryLedgerStore();
  const errors: unknown[] = [];
  const relay = new LogRelay({ store, log, onError: (e) => errors.push(e) });
  await store.eventBatch(async (tx) => {
    for (let k = 0; k < 1001; k++) await tx.queueForLog('holds', `k${k}`, { holds: [] });
  });
  log.failAppend = new Error('log down');
  await assert.rejects(relay.flush(), /log down/);
  assert.equal(store.s.outbox.length, 1001);
  relay.nudge();
  await relay.stop();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['log down'],
  );
  log.failAppend = undefined;
  assert.equal(await relay.flush(), 1001);
  assert.deepEqual(
    log.appends.map((a) => a.length),
    [500, 500, 1],
  );
  assert.equal(log.entries.length, 1001);
});

test('a nudge while a flush runs waits for it; start relays on its interval', async () => {
  const log = new MemoryEventLog();
  const store = new MemoryLedgerStore();
  const relay = new LogRelay({ store, log });
  await store.eventBatch((tx) => tx.queueForLog('holds', 'a', { holds: [] }));
  const first = relay.flush();
  relay.nudge();
  await store.eventBatch((tx) => tx.queueForLog('holds', 'b', { holds: [] }));
  const second = relay.flush();
  assert.deepEqual(await Promise.all([first, second]), [1, 1]);
  await store.eventBatch((tx) => tx.queueForLog('holds', 'c', { holds: [] }));
  relay.start(1);
  while (log.entries.length < 3) await new Promise((r) => setTimeout(r, 2));
  await relay.stop();
  assert.deepEqual(
    log.entries.map((e) => JSON.parse(e.body).outboxId),
    [1, 2, 3],
  );
});

test('a dead entry is applied again by the worker and forgotten; an unknown one is not found', async () => {
  const store = new MemoryLedgerStore();
  const worker = new LedgerWorker({ store, clock: fixedClock(), maxAttempts: 1 });
  const dead = new WorkerDeadLogEntries({ store, worker });
  await worker.applyAll([entry(1, { kind: 'location', def: { id: 'DAL', name: 'D', authority: 'wms' } })]);
  const body = JSON.stringify(movement('wms', 1, 'A', 'DAL', { onHand: 3 }));
  await store.deadLetter({ position: 2, kind: 'inventory', body, error: 'db was down', attempts: 1, at: 'x' });
  await store.deadLetter({ position: 3, kind: 'inventory', body: '{broken', error: 'bad', attempts: 1, at: 'x' });
  assert.deepEqual(
    (await dead.list(10)).map((d) => d.position),
    [2, 3],
  );
  assert.deepEqual(
    (await dead.list(1)).map((d) => d.position),
    [2],
  );
  const retried = await dead.retry(2);
  assert.equal(retried.error, 'db was down');
  assert.equal(store.onHand('wms', 'A', 'DAL'), 3);
  assert.equal(await store.deadEntry(2), undefined);
  await assert.rejects(dead.retry(3), /log entry 3 cannot be applied/);
  assert.ok(await store.deadEntry(3), 'still there when it cannot apply');
  await assert.rejects(dead.retry(2), (err: unknown) => err instanceof NotFoundError && /Dead log entry '2'/.test(err.message));
});

test('the embedded backend has no dead entries', async () => {
  assert.deepEqual(await noDeadLogEntries.list(10), []);
  await assert.rejects(noDeadLogEntries.retry(5), (err: unknown) => err instanceof NotFoundError && /Dead log entry '5'/.test(err.message));
});

test('stopping waits for a relay in flight; a failure with no one to tell is not a crash', async () => {
  const log = new MemoryEventLog();
  const store = new MemoryLedgerStore();
  const relay = new LogRelay({ store, log });
  await store.eventBatch((tx) => tx.queueForLog('holds', 'a', { holds: [] }));
  let open: () => void = () => {};
  log.gate = new Promise<void>((r) => {
    open = r;
  });
  relay.nudge();
  // A flush asked for meanwhile waits for the one in flight instead of taking the same entries.
  await store.eventBatch((tx) => tx.queueForLog('holds', 'b', { holds: [] }));
  const second = relay.flush();
  let stopped = false;
  const stopping = relay.stop().then(() => {
    stopped = true;
  });
  for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false, 'the append in flight is not finished');
  log.gate = undefined;
  open();
  await stopping;
  assert.equal(await second, 1);
  assert.deepEqual(
    log.appends.flat().map((a) => a.dedupeId),
    ['outbox:1', 'outbox:2'],
  );
  log.failAppend = new Error('log down');
  await store.eventBatch((tx) => tx.queueForLog('holds', 'c', { holds: [] }));
  relay.nudge();
  await relay.stop();
  for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
  assert.equal(store.s.outbox.length, 1);
});
