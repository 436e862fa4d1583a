/**
 * Embedded ingest against the real SQLite inventory store on a scratch directory: what each
 * submission is answered, what the log, parked list, overtaken counts and change feed hold after
 * the commit (and after a restart), group commit of submissions made together, and a failing
 * submission or store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventIngest } from './ingest-events.js';
import { InventoryState } from './inventory-state.js';
import { defineChannel, defineLocation } from './define-catalog.js';
import { scratchInventoryStore, UNSTORABLE, type ScratchStore } from '../../adapters/sqlite/inventory-store.test-support.js';
import { T0, fixedClock, movement, orderEvent, snapshot } from '../log/log.test-support.js';
import { SystemAccess } from '../../domain/access/system-access.js';
import { ShuttingDownError, StorageFailedError, UnstorableSubmissionError } from '../../domain/errors.js';
import type { IngestResult } from '../../model/inventory-event.js';
import { SqliteOrderStore } from '../../adapters/sqlite/sqlite-order-store.js';
import { OpenOrders } from '../orders/open-orders.js';

const AT = new Date(T0).toISOString();

function hub(t: { after(fn: () => void): void }, ledger?: { movementsKept: number }) {
  const scratch: ScratchStore = scratchInventoryStore();
  t.after(() => scratch.dispose());
  const clock = fixedClock();
  const state = new InventoryState({ store: scratch.store, clock, ...(ledger ? { ledger } : {}) });
  const deps = { state, store: scratch.store, clock };
  defineLocation(deps, 'DAL', { name: 'Dallas', authority: 'wms' });
  defineChannel(deps, 'web', { locations: ['DAL'] });
  const committed: { accepted: number; duplicates: number; rejected: number; parked: number; changes: number }[] = [];
  const ingest = new EventIngest({
    ...deps,
    observer: {
      committed: ({ seconds, ...stats }) => {
        assert.ok(seconds >= 0 && seconds < 60, `seconds ${seconds}`);
        committed.push(stats);
      },
    },
  });
  return { scratch, state, clock, ingest, committed, deps };
}

const figure = (state: InventoryState, sku: string, ch = 'web') => state.book.publishedFigure(ch, sku);

test('accepted events are logged, applied and published before the answer, and survive a restart', async (t) => {
  const h = hub(t);
  const events = [movement('wms', 1, 'A', 'DAL', { onHand: 10 }), movement('wms', 2, 'B', 'DAL', { onHand: 4 }), snapshot('wms', 3, 'A', 'DAL', { onHand: 7 })];
  const result = await h.ingest.submit(events);
  assert.deepEqual(result, { accepted: 3, duplicates: 0, rejected: [], parked: [], position: 3 });
  assert.equal(h.state.position, 3);
  assert.equal(figure(h.state, 'A'), 7);
  assert.deepEqual(
    h.scratch.store.readEvents(0, 10).map((e) => [e.position, e.event]),
    events.map((e, i) => [i + 1, e]),
  );
  assert.deepEqual(
    h.scratch.store.readChanges('web', 0, 10).map((c) => [c.cursor, c.sku, c.previous, c.available, c.position, c.at]),
    [
      [1, 'A', 0, 7, 3, AT],
      [2, 'B', 0, 4, 3, AT],
    ],
  );
  assert.deepEqual(h.committed, [{ accepted: 3, duplicates: 0, rejected: 0, parked: 0, changes: 2 }]);
  const again = new InventoryState({ store: h.scratch.reopen(), clock: h.clock });
  assert.equal(again.position, 3);
  assert.equal(again.ledger.position('wms', 'A', 'DAL')?.quantity('onHand'), 7);
  assert.equal(figure(again, 'B'), 4);
});

test('the payload is logged as it arrived, and only the accepted elements count as events', async (t) => {
  const h = hub(t);
  const a = movement('wms', 1, 'A', 'DAL', { onHand: 1 });
  const c = movement('wms', 2, 'C', 'DAL', { onHand: 2 });
  const payload = JSON.stringify([a, { nonsense: true }, c]);
  const result = await h.ingest.submit([a, { nonsense: true }, c], payload);
  assert.equal(result.accepted, 2);
  assert.deepEqual(
    result.rejected.map((r) => r.index),
    [1],
  );
  assert.deepEqual(h.scratch.store.eventAt(1), a);
  assert.deepEqual(h.scratch.store.eventAt(2), c);
  assert.equal(h.scratch.store.eventAt(3), undefined);
  const row = h.scratch.store.db.prepare('SELECT payload, accepted FROM log_batches').get() as { payload: string; accepted: string | null };
  assert.equal(row.payload, payload);
  assert.deepEqual(JSON.parse(row.accepted!), [0, 2]);
  // Every element accepted: no index list is kept.
  await h.ingest.submit([movement('wms', 3, 'A', 'DAL', { onHand: 1 })]);
  const all = h.scratch.store.db.prepare('SELECT accepted FROM log_batches ORDER BY first_position').all() as { accepted: string | null }[];
  assert.equal(all[1]!.accepted, null);
});

test('events the key may not send are rejected naming the source; the rest are accepted', async (t) => {
  const h = hub(t);
  const sender = SystemAccess.of(new Set(['wms']));
  const result = await h.ingest.submit(
    [movement('erp', 1, 'A', 'DAL', { onHand: 1 }), movement('wms', 1, 'A', 'DAL', { onHand: 2 })],
    undefined,
    undefined,
    sender,
  );
  assert.deepEqual(result.rejected, [{ index: 0, errors: [sender.refusal('erp')!] }]);
  assert.equal(result.accepted, 1);
  assert.deepEqual(h.committed.at(-1), { accepted: 1, duplicates: 0, rejected: 1, parked: 0, changes: 1 });
});

test('repeats by seq, by id, and within one batch are duplicates, applied once', async (t) => {
  const h = hub(t);
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 10 })]);
  const result = await h.ingest.submit([
    movement('wms', 1, 'A', 'DAL', { onHand: 10 }, { id: 'new-id' }),
    movement('wms', 5, 'A', 'DAL', { onHand: 10 }, { id: 'wms-1' }),
    movement('wms', 6, 'A', 'DAL', { onHand: 1 }),
    movement('wms', 7, 'A', 'DAL', { onHand: 1 }, { id: 'wms-6' }),
    movement('wms', 6, 'A', 'DAL', { onHand: 1 }, { id: 'other' }),
  ]);
  assert.equal(result.accepted, 1);
  assert.equal(result.duplicates, 4);
  assert.equal(result.position, 2);
  assert.equal(figure(h.state, 'A'), 11);
  assert.equal(h.scratch.store.headPosition(), 2);
  // Nothing new: the answer carries the position the hub is at.
  const none = await h.ingest.submit([movement('wms', 6, 'A', 'DAL', { onHand: 1 })]);
  assert.deepEqual(none, { accepted: 0, duplicates: 1, rejected: [], parked: [], position: 2 });
});

test('submissions made together share one commit, each with consecutive positions in submission order', async (t) => {
  const h = hub(t);
  const commitsBefore = h.scratch.store.commits;
  const answers = await Promise.all([
    h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 1 }), movement('wms', 2, 'A', 'DAL', { onHand: 1 })]),
    h.ingest.submit([movement('wms', 2, 'A', 'DAL', { onHand: 1 })]),
    h.ingest.submit([movement('erp', 1, 'B', 'DAL', { onHand: 1 }), movement('erp', 2, 'B', 'DAL', { onHand: 1 })]),
  ]);
  assert.equal(h.scratch.store.commits - commitsBefore, 1);
  assert.deepEqual(
    answers.map((a) => [a.accepted, a.duplicates, a.position]),
    [
      [2, 0, 2],
      [0, 1, 4],
      [2, 0, 4],
    ],
  );
  assert.deepEqual(
    h.scratch.store.readEvents(0, 10).map((e) => `${e.event.source}:${e.event.seq}`),
    ['wms:1', 'wms:2', 'erp:1', 'erp:2'],
  );
  // erp is not DAL's authority: its stock is a shadow figure and moves no channel figure.
  assert.deepEqual(h.committed.at(-1), { accepted: 4, duplicates: 1, rejected: 0, parked: 0, changes: 1 });
});

test('an event for a location not defined is accepted and parked, with its correlation id or the request’s', async (t) => {
  const h = hub(t);
  const result = await h.ingest.submit(
    [
      movement('wms', 1, 'A', 'DAL', { onHand: 1 }),
      movement('wms', 2, 'A', 'HOU', { onHand: 5 }, { correlationId: 'own' }),
      snapshot('wms', 3, 'B', 'HOU', { onHand: 5 }),
    ],
    undefined,
    'req-9',
  );
  const reason = "location 'HOU' is not defined; the event applies when it is (PUT /v1/locations/HOU)";
  assert.deepEqual(result.parked, [
    { index: 1, position: 2, reason },
    { index: 2, position: 3, reason },
  ]);
  assert.deepEqual(h.scratch.store.parkedEvents(), [
    { position: 2, sku: 'A', location: 'HOU', reason, parkedAt: AT, correlationId: 'own' },
    { position: 3, sku: 'B', location: 'HOU', reason, parkedAt: AT, correlationId: 'req-9' },
  ]);
  assert.ok(h.state.isKnownSku('B'));
  assert.deepEqual(h.committed.at(-1), { accepted: 3, duplicates: 0, rejected: 0, parked: 2, changes: 1 });
  await h.ingest.submit([movement('wms', 4, 'C', 'ELP', { onHand: 5 })]);
  assert.equal('correlationId' in h.scratch.store.parkedEvents('ELP')[0]!, false);
});

test('a count overtaken by later movements is recorded with its position', async (t) => {
  const h = hub(t, { movementsKept: 1 });
  await h.ingest.submit([snapshot('wms', 0, 'A', 'DAL', { onHand: 5 }), ...[1, 2, 4, 5].map((seq) => movement('wms', seq, 'A', 'DAL', { onHand: 1 }))]);
  await h.ingest.submit([snapshot('wms', 3, 'A', 'DAL', { onHand: 10 })]);
  assert.deepEqual(
    h.scratch.store.overtakenCounts(0, 10).map((c) => [c.position, c.source, c.seq, c.sku, c.location, c.recordedAt]),
    [[6, 'wms', 3, 'A', 'DAL', AT]],
  );
});

test('a figure moved at more than one location of a channel is recomputed once, from all of them', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'wms' });
  defineChannel(h.deps, 'web', { locations: ['DAL', 'HOU'] });
  await h.ingest.submit([
    movement('wms', 1, 'A', 'DAL', { onHand: 3 }),
    movement('wms', 2, 'A', 'HOU', { onHand: 4 }),
    movement('wms', 3, 'A', 'DAL', { onHand: 1 }),
    movement('wms', 4, 'A', 'HOU', { onHand: 1 }),
    movement('wms', 5, 'B', 'HOU', { onHand: 2 }),
  ]);
  assert.equal(figure(h.state, 'A'), 9);
  assert.deepEqual(
    h.scratch.store.readChanges('web', 0, 10).map((c) => [c.sku, c.previous, c.available]),
    [
      ['A', 0, 9],
      ['B', 0, 2],
    ],
  );
});

test('order events without open orders are only logged; a return from the authority adds stock', async (t) => {
  const h = hub(t);
  const result = await h.ingest.submit([
    orderEvent('shop', 1, 'O1', { type: 'order.delivered' }),
    orderEvent('wms', 2, 'O1', { type: 'return.received', location: 'DAL', lines: [{ sku: 'A', qty: 2 }] } as never),
    movement('wms', 3, 'A', 'DAL', { onHand: -1 }, { reason: 'pick', orderId: 'O1' }),
    snapshot('wms', 4, 'B', 'DAL', { onHand: 1 }),
  ]);
  assert.equal(result.accepted, 4);
  assert.equal(figure(h.state, 'A'), 1);
  assert.equal(h.scratch.store.headPosition(), 4);
});

test('a submission the store cannot take fails alone; the others made with it are stored', async (t) => {
  const h = hub(t);
  const outcomes = await Promise.all(
    [
      [movement('wms', 1, 'A', 'DAL', { onHand: 1 })],
      [movement('wms', 2, 'B', 'DAL', { onHand: 1 }, { correlationId: UNSTORABLE })],
      [movement('wms', 3, 'C', 'DAL', { onHand: 1 })],
      [movement('wms', 4, 'D', 'DAL', { onHand: 1 })],
    ].map((events) => h.ingest.submit(events).catch((e: unknown) => e)),
  );
  assert.ok(outcomes[1] instanceof UnstorableSubmissionError);
  assert.equal(outcomes[1].operation, 'this event batch');
  assert.equal(((outcomes[1] as Error).cause as Error).message, 'the store cannot take this payload');
  const ok = [outcomes[0], outcomes[2], outcomes[3]] as IngestResult[];
  assert.deepEqual(
    ok.map((r) => r.accepted),
    [1, 1, 1],
  );
  assert.deepEqual(
    h.scratch.store.readEvents(0, 10).map((e) => (e.event as { sku: string }).sku),
    ['C', 'D', 'A'],
    'the half without the bad submission commits first, then the good part of the other half',
  );
  assert.deepEqual(
    ok.map((r) => r.position),
    [3, 1, 2],
  );
  assert.equal(h.state.position, 3);
  assert.equal(figure(h.state, 'B'), 0, 'memory holds nothing of the failed submission');
  assert.equal(figure(h.state, 'C'), 1);
  // The failed one can be sent again once fixed.
  const retried = await h.ingest.submit([movement('wms', 2, 'B', 'DAL', { onHand: 1 })]);
  assert.deepEqual([retried.accepted, retried.position], [1, 4]);
});

test('a lone submission that fails, or a store that fails, is told to retry; memory is rebuilt from the store', async (t) => {
  const h = hub(t);
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 1 })]);
  const lone = await h.ingest.submit([movement('wms', 2, 'A', 'DAL', { onHand: 1 }, { correlationId: UNSTORABLE })]).catch((e: unknown) => e);
  assert.ok(lone instanceof StorageFailedError);
  assert.equal(lone.operation, 'the event batch');
  assert.equal(figure(h.state, 'A'), 1);
  h.scratch.store.broken = new Error('disk full');
  const all = await Promise.all([1, 2, 3].map((k) => h.ingest.submit([movement('wms', 10 + k, 'A', 'DAL', { onHand: 1 })]).catch((e: unknown) => e)));
  for (const e of all) {
    assert.ok(e instanceof StorageFailedError);
    assert.equal(e.operation, 'the event batch');
    assert.equal((e.cause as Error).message, 'disk full');
  }
  assert.equal(figure(h.state, 'A'), 1);
  assert.equal(h.state.ledger.hasSeq('wms', 11), false, 'the failed events can be sent again');
  h.scratch.store.broken = undefined;
  assert.equal((await h.ingest.submit([movement('wms', 11, 'A', 'DAL', { onHand: 1 })])).accepted, 1);
});

test('a failed commit calls the recovery given instead of reloading the state', async (t) => {
  const h = hub(t);
  let recovered = 0;
  const ingest = new EventIngest({
    state: h.state,
    store: h.scratch.store,
    clock: h.clock,
    recover: () => {
      recovered++;
      h.state.reload();
    },
  });
  await assert.rejects(ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 1 }, { correlationId: UNSTORABLE })]), StorageFailedError);
  assert.equal(recovered, 1);
});

test('closing commits what is queued and refuses new work', async (t) => {
  const h = hub(t);
  const queued = h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 1 })]);
  h.ingest.close();
  assert.equal(h.scratch.store.headPosition(), 1, 'committed at close, not on the next turn');
  assert.equal((await queued).accepted, 1);
  await assert.rejects(h.ingest.submit([movement('wms', 2, 'A', 'DAL', { onHand: 1 })]), ShuttingDownError);
  h.ingest.flush();
  assert.equal(h.scratch.store.headPosition(), 1);
});

/** A hub with open orders on the same database, and a released order O1 holding 2 of A at DAL. */
async function withOrders(t: { after(fn: () => void): void }) {
  const h = hub(t);
  const orderStore = new SqliteOrderStore(h.scratch.store.db);
  const orders = new OpenOrders({ state: h.state, orders: orderStore, clock: h.clock });
  const ingest = new EventIngest({ state: h.state, store: h.scratch.store, clock: h.clock, orders });
  await ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 10 })]);
  const o1 = {
    id: 'O1',
    channel: 'web',
    externalId: 'X1',
    customer: 'C1',
    backorder: 'reject',
    createdAt: AT,
    updatedAt: AT,
    erp: { state: 'committed', attempts: 1 },
    released: true,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: [{ sku: 'A', qty: 2, unitPrice: 3, alloc: [['DAL', 2]], departed: {}, returned: 0 }],
    shipments: [],
  } as never;
  h.scratch.store.transaction(() => orders.record(o1, [], [], () => {}));
  return { ...h, ingest, orders, orderStore };
}

test('with open orders: stock leaving for an order releases its holds; an event for an unknown order waits', async (t) => {
  const h = await withOrders(t);
  assert.equal(h.state.ledger.reservedAt('A', 'DAL'), 2);
  await h.ingest.submit(
    [movement('wms', 2, 'A', 'DAL', { onHand: -2 }, { reason: 'pick', orderId: 'O1' }), orderEvent('shop', 1, 'O9', { type: 'order.delivered' })],
    undefined,
    'req-7',
  );
  assert.equal(h.state.ledger.reservedAt('A', 'DAL'), 0);
  assert.deepEqual(h.orderStore.order('O1')!.lines[0]!.departed, { DAL: 2 });
  assert.equal(h.state.book.publishedFigure('web', 'A'), 8);
  assert.deepEqual(
    h.orderStore.waitingEvents().map((w) => [w.position, w.orderId, w.correlationId]),
    [[3, 'O9', 'req-7']],
  );
  await h.ingest.submit([orderEvent('shop', 2, 'O8', { type: 'order.delivered', correlationId: 'own' })], undefined, 'req-8');
  assert.deepEqual(h.orderStore.waitingEvents().at(-1)!.correlationId, 'own');
});

test('with open orders: a count after a shipment confirms it and releases the holds', async (t) => {
  const h = await withOrders(t);
  await h.ingest.submit([orderEvent('shop', 1, 'O1', { type: 'order.shipped', location: 'DAL', lines: [{ sku: 'A', qty: 2 }] } as never)]);
  assert.equal(h.state.ledger.reservedAt('A', 'DAL'), 2, 'shipped, not yet seen leaving');
  await h.ingest.submit([snapshot('wms', 2, 'A', 'DAL', { onHand: 8 })]);
  assert.equal(h.state.ledger.reservedAt('A', 'DAL'), 0);
  assert.equal(h.state.book.publishedFigure('web', 'A'), 8);
});

test('with open orders: stock arriving for an item an order is owed fills the backorder before the figure is published', async (t) => {
  const h = await withOrders(t);
  const o2 = {
    id: 'O2',
    channel: 'web',
    externalId: 'X2',
    customer: 'C1',
    backorder: 'allow',
    createdAt: AT,
    updatedAt: AT,
    erp: { state: 'committed', attempts: 1 },
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: [{ sku: 'B', qty: 3, unitPrice: 3, alloc: [], departed: {}, returned: 0 }],
    shipments: [],
  } as never;
  h.scratch.store.transaction(() => h.orders.record(o2, [], [], () => {}));
  assert.ok(h.orders.owes('B'));
  await h.ingest.submit([movement('wms', 2, 'B', 'DAL', { onHand: 5 })]);
  assert.equal(h.state.ledger.reservedAt('B', 'DAL'), 3);
  assert.equal(h.state.book.publishedFigure('web', 'B'), 2);
  assert.deepEqual(h.orderStore.order('O2')!.lines[0]!.alloc, [['DAL', 3]]);
  assert.ok(!h.orders.owes('B'));
});

test('ids are told apart by source, whatever the spelling; a repeat by seq does not use up its new id', async (t) => {
  const h = hub(t);
  const result = await h.ingest.submit([
    movement('ab', 1, 'A', 'DAL', { onHand: 1 }, { id: 'c' }),
    movement('a', 1, 'A', 'DAL', { onHand: 1 }, { id: 'bc' }),
    movement('wms', 1, 'A', 'DAL', { onHand: 1 }, { id: 'x' }),
    movement('erp', 1, 'A', 'DAL', { onHand: 1 }, { id: 'x' }),
  ]);
  assert.equal(result.accepted, 4);
  // wms seq 1 again under a new id: a duplicate, and the id stays free for the next event.
  assert.equal((await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 1 }, { id: 'y' })])).duplicates, 1);
  assert.equal((await h.ingest.submit([movement('wms', 2, 'A', 'DAL', { onHand: 1 }, { id: 'y' })])).accepted, 1);
});

test('an item moved at several locations in one commit has the figure of every channel there published', async (t) => {
  const h = hub(t);
  for (const id of ['HOU', 'AUS']) defineLocation(h.deps, id, { name: id, authority: 'wms' });
  defineChannel(h.deps, 'east', { locations: ['HOU'] });
  defineChannel(h.deps, 'hill', { locations: ['AUS'] });
  await h.ingest.submit([
    movement('wms', 1, 'A', 'DAL', { onHand: 1 }),
    movement('wms', 2, 'A', 'HOU', { onHand: 2 }),
    movement('wms', 3, 'A', 'AUS', { onHand: 3 }),
    movement('wms', 4, 'A', 'DAL', { onHand: 1 }),
    movement('wms', 5, 'A', 'HOU', { onHand: 1 }),
  ]);
  assert.deepEqual(
    ['web', 'east', 'hill'].map((c) => figure(h.state, 'A', c)),
    [2, 3, 3],
  );
});

test('an item moved at exactly two locations in one commit has both figures published', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'wms' });
  defineChannel(h.deps, 'east', { locations: ['HOU'] });
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 1 }), movement('wms', 2, 'A', 'HOU', { onHand: 2 })]);
  assert.deepEqual([figure(h.state, 'A'), figure(h.state, 'A', 'east')], [1, 2]);
});
