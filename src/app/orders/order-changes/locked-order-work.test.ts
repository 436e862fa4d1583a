/**
 * OrderWork inside one shared-state transaction, against an in-memory shared state: what it locks
 * and loads, what a decision sees after its own records, and what `write` leaves in the shared
 * state (orders, holds diffed against the stored rows, waiting events, exceptions, freed captures).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderState } from '../../../domain/orders/order-state.js';
import type { WaitingRecord } from '../../../ports/order-store.js';
import { savedOrder } from '../saved-order.js';
import { channel, count, location, MemoryLedgerStore, order, SEP, T0 } from '../orders.test-support.js';
import { LockedOrderWork } from './locked-order-work.js';

const L1 = location('L1');
const L2 = location('L2');

const waitingRecord = (position: number, orderId: string): WaitingRecord => ({
  position,
  orderId,
  since: '2026-03-01T09:00:00.000Z',
  reason: 'not released',
  event: { type: 'order.shipped', orderId } as unknown as WaitingRecord['event'],
});

/** A shared state with stock of A at L1 (5) and L2 (4), and the given orders stored with what they hold. */
function shared(orders: OrderState[] = [], countedAt?: string) {
  const store = new MemoryLedgerStore();
  store.locations.push(L1, L2);
  store.channels.push(channel('web', ['L1', 'L2']));
  store.stock(count(L1, 'A', 5, countedAt));
  store.stock(count(L2, 'A', 4));
  store.stock(count(L1, 'B', 9));
  for (const o of orders) {
    store.data.orders.set(o.id, savedOrder(o));
    for (const l of o.lines) for (const [loc, n] of l.alloc) store.data.holds.set(o.id + SEP + l.sku + SEP + loc, n);
  }
  return store;
}

const held = (id: string, alloc: [string, number][], extra: Partial<OrderState> = {}) =>
  order(id, [{ sku: 'A', qty: alloc.reduce((n, [, q]) => n + q, 0), alloc }], { erp: { state: 'committed', attempts: 1 }, ...extra });

test('opening locks the orders that exist, then their items and the ones asked for, and loads them with every hold taken', async () => {
  const store = shared([held('O1', [['L1', 2]]), held('O2', [['L2', 1]])]);
  store.data.holds.set(`O1${SEP}C${SEP}L1`, 1); // a hold on an item the order no longer names
  store.data.waiting.set(4, waitingRecord(4, 'O1'));
  store.data.waiting.set(2, waitingRecord(2, 'O3'));
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1', 'O9', 'O1'], ['B'], T0);
    assert.deepEqual(work.lockedIds(), ['O1']);
    assert.equal(work.order('O9'), undefined);
    assert.equal(work.order('O2'), undefined, 'not in scope');
    assert.equal(work.order('O1')!.id, 'O1');
    assert.deepEqual(store.locked.at(-1)!.sort(), ['A', 'B', 'C']);
    assert.deepEqual(Object.fromEntries(work.holds('O1')), { [`A${SEP}L1`]: 2, [`C${SEP}L1`]: 1 });
    assert.equal(work.holds('O2').size, 0, 'holds of orders out of scope are not loaded per order');
    assert.deepEqual(
      work.waiting('O1').map((w) => w.position),
      [4],
    );
    assert.deepEqual(work.waiting('O3'), [], 'only the locked orders’ waiting events');
    // Every order's holds are taken in the loaded ledger (O2's too: they are the item's).
    assert.equal(work.loaded.ledger.reservedAt('A', 'L1'), 2);
    assert.equal(work.loaded.ledger.reservedAt('A', 'L2'), 1);
    assert.equal(work.nowMs, T0);
    assert.equal(work.nowIso, new Date(T0).toISOString());
    assert.ok(work.book.channels.has('web'));
  });
});

test('no orders in scope: only the items asked for are locked', async () => {
  const store = shared([held('O1', [['L1', 2]])]);
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, [], ['B'], T0);
    assert.deepEqual(work.lockedIds(), []);
    assert.deepEqual(store.locked.at(-1), ['B']);
    assert.deepEqual(work.waiting('O1'), []);
  });
});

test('a record moves the holds at once (a later decision sees it) and write diffs them against the stored rows', async () => {
  const store = shared([held('O1', [['L1', 2]])]);
  const written = await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1'], [], T0 + 1000);
    const next = held('O1', [
      ['L1', 1],
      ['L2', 3],
    ]);
    work.record(
      next,
      [{ step: 'changed', source: 'api', correlationId: 'c-1' }],
      [{ step: 'changed', message: { destination: 'erp', topic: 'order.changed', payload: { id: 'O1' } } }],
    );
    assert.equal(work.loaded.ledger.reservedAt('A', 'L1'), 1);
    assert.equal(work.loaded.ledger.reservedAt('A', 'L2'), 3);
    assert.deepEqual(Object.fromEntries(work.holds('O1')), { [`A${SEP}L1`]: 1, [`A${SEP}L2`]: 3 });
    assert.equal(work.order('O1'), next);
    // A second record of the same order adds its steps and messages to the first's.
    work.record(
      held(
        'O1',
        [
          ['L1', 1],
          ['L2', 3],
        ],
        { released: true },
      ),
      [{ step: 'released', source: 'erp' }],
    );
    return work.write(tx);
  });
  assert.deepEqual(written, [
    { orderId: 'O1', sku: 'A', location: 'L1', units: -1 },
    { orderId: 'O1', sku: 'A', location: 'L2', units: 3 },
  ]);
  assert.deepEqual(store.heldBy('O1'), { 'A@L1': 1, 'A@L2': 3 });
  const saved = store.data.orders.get('O1')!;
  assert.equal(saved.order.released, true);
  assert.equal(saved.status, 'released');
  assert.equal(saved.order.updatedAt, new Date(T0 + 1000).toISOString());
  assert.deepEqual(
    store.data.timeline.map((t) => [t.step, t.status, t.recordedAt]),
    [
      ['changed', 'released', new Date(T0 + 1000).toISOString()],
      ['released', 'released', new Date(T0 + 1000).toISOString()],
    ],
  );
  assert.deepEqual(
    store.data.outbox.map((m) => [m.topic, m.messageKey, m.correlationId]),
    [['order.changed', 'O1', 'c-1']],
  );
});

test('the touched items are the ones whose holds moved', async () => {
  const store = shared([held('O1', [['L1', 2]])]);
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1'], [], T0);
    work.record(held('O1', [['L1', 2]], { released: true }), []);
    assert.equal(work.touched.size, 0);
    work.record(
      held('O1', [
        ['L1', 2],
        ['L2', 1],
      ]),
      [],
    );
    assert.deepEqual(
      work.touched.refresh(work.book, T0).map((c) => [c.channel, c.sku]),
      [['web', 'A']],
    );
  });
});

test('nothing recorded: nothing written, no holds returned', async () => {
  const store = shared([held('O1', [['L1', 2]])]);
  const before = structuredClone(store.data.orders.get('O1'));
  const written = await store.eventBatch(async (tx) => (await LockedOrderWork.open(tx, ['O1'], [], T0)).write(tx));
  assert.deepEqual(written, []);
  assert.deepEqual(store.data.orders.get('O1'), before);
  assert.deepEqual(store.data.timeline, []);
});

test('shipped units still held are found by item and location among the orders in scope', async () => {
  const ship = (id: string, loc: string, sku = 'A') => ({
    eventId: `e-${id}`,
    source: 'wms',
    location: loc,
    at: '2026-03-01T09:30:00.000Z',
    lines: [{ sku, qty: 1 }],
  });
  const o1 = held('O1', [['L1', 2]], { shipments: [ship('O1', 'L1')] });
  const o2 = held('O2', [['L2', 1]], { shipments: [ship('O2', 'L1')] }); // shipped at L1, holds nothing there
  const o3 = held('O3', [['L1', 1]], { shipments: [ship('O3', 'L1', 'B')] }); // shipped B, not A
  // O4 holds nothing at all; O5 shipped elsewhere first, and a mixed shipment at L1.
  const o4 = held('O4', [], { shipments: [ship('O4', 'L1')] });
  const o5 = held('O5', [['L1', 1]], {
    shipments: [
      ship('O5', 'L2'),
      {
        eventId: 'e-mixed',
        source: 'wms',
        location: 'L1',
        at: '2026-03-01T09:30:00.000Z',
        lines: [
          { sku: 'B', qty: 1 },
          { sku: 'A', qty: 1 },
        ],
      },
    ],
  });
  const store = shared([o1, o2, o3, o4, o5]);
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1', 'O2', 'O3', 'O4', 'O5'], [], T0);
    assert.deepEqual(work.shippedUnconfirmed('A', 'L1'), ['O1', 'O5']);
    assert.deepEqual(work.shippedUnconfirmed('A', 'L2'), []);
  });
});

test('write records where shipped units are still held, and replaces what was there for the changed orders', async () => {
  const o1 = held('O1', [['L1', 2]], {
    shipments: [{ eventId: 'e', source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 2 }] }],
  });
  const store = shared([o1]);
  store.data.unconfirmed = [
    { orderId: 'O1', sku: 'A', location: 'L9' },
    { orderId: 'O7', sku: 'A', location: 'L1' },
  ];
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1'], [], T0);
    work.record(structuredClone(o1), []);
    await work.write(tx);
  });
  assert.deepEqual(store.data.unconfirmed, [
    { orderId: 'O7', sku: 'A', location: 'L1' },
    { orderId: 'O1', sku: 'A', location: 'L1' },
  ]);
  // Counted after the shipment: the units have left and nothing is unconfirmed.
  const counted = shared([o1], '2026-03-01T10:00:00.000Z');
  await counted.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1'], [], T0);
    assert.equal(work.countedAt('A', 'L1'), '2026-03-01T10:00:00.000Z');
    assert.equal(work.countedAt('B', 'L2'), undefined, 'never counted there');
    assert.equal(work.countedAt('A', 'L9'), undefined, 'no such location');
    work.record(structuredClone(o1), []);
    await work.write(tx);
  });
  assert.deepEqual(counted.data.unconfirmed, []);
  assert.deepEqual(counted.heldBy('O1'), {});
});

test('waiting events: removed and saved as seen; one saved and removed within the work is never written', async () => {
  const store = shared([held('O1', [['L1', 1]])]);
  store.data.waiting.set(4, waitingRecord(4, 'O1'));
  store.data.waiting.set(5, waitingRecord(5, 'O1'));
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1'], [], T0);
    work.removeWaiting([4]);
    assert.deepEqual(
      work.waiting('O1').map((w) => w.position),
      [5],
    );
    work.saveWaiting([waitingRecord(8, 'O1'), waitingRecord(9, 'O2')]);
    assert.deepEqual(
      work.waiting('O1').map((w) => w.position),
      [5, 8],
    );
    assert.deepEqual(
      work.waiting('O2').map((w) => w.position),
      [9],
    );
    work.removeWaiting([9]);
    assert.deepEqual(work.waiting('O2'), []);
    assert.deepEqual(await work.write(tx), [], 'no order changed');
  });
  assert.deepEqual([...store.data.waiting.keys()].sort(), [5, 8]);
});

test('exceptions: raised once; one for an event another process took first is not raised again', async () => {
  const store = shared([]);
  store.data.waiting.set(4, waitingRecord(4, 'O1'));
  const exception = (position: number | null) => ({ orderId: 'O1', position, kind: 'expired' as const, reason: 'too long', event: {}, raisedAt: 'x' });
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1'], [], T0);
    work.removeWaiting([4, 6]); // 6 was taken by another process already
    work.raise([exception(4), exception(6), exception(null), exception(7)]);
    await work.write(tx);
  });
  assert.deepEqual(
    store.data.raised.map((e) => e.position),
    [4, null, 7],
  );
  assert.equal(store.data.waiting.size, 0);
});

test('a capture forgotten frees its channel number and its key', async () => {
  const o = held('O1', [['L1', 1]], { erp: { state: 'failed', attempts: 1 } });
  const store = shared([o]);
  store.data.refs.set(`web${SEP}${o.externalId}`, 'O1');
  store.data.refs.set(`web${SEP}other`, 'O2');
  store.data.keys.set('k1', 'O1');
  store.data.keys.set('k2', 'O2');
  await store.eventBatch(async (tx) => {
    const work = await LockedOrderWork.open(tx, ['O1'], [], T0);
    work.forgetCapture(o, 'k1');
    await work.write(tx);
  });
  assert.deepEqual([...store.data.refs.keys()], [`web${SEP}other`]);
  assert.deepEqual([...store.data.keys.keys()], ['k2']);
});
