/**
 * Order changes on the shared state (scale-out), over an in-memory shared state whose transactions
 * roll back whole: changes that arrive together share one transaction, a refusal leaves the
 * others whole, holds that moved reach the read model once committed, and the figures they move
 * are recorded at the process's log position.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneOrder } from '../../../domain/orders/order-state.js';
import { UnstorableSubmissionError } from '../../../domain/errors.js';
import type { WaitingRecord } from '../../../ports/order-store.js';
import { savedOrder } from '../saved-order.js';
import { channel, count, location, order, scaleOutHub, T0 } from '../orders.test-support.js';

const L1 = location('L1');
const committed = { state: 'committed' as const, attempts: 1 };

function hub() {
  const h = scaleOutHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 10), count(L1, 'B', 4)] });
  h.store.data.figures.set('web\u001fA', 10);
  return h;
}

const waitingRecord = (position: number, orderId: string, since: string): WaitingRecord => ({
  position,
  orderId,
  since,
  reason: 'r',
  event: { type: 'order.shipped', orderId } as unknown as WaitingRecord['event'],
});

test('a change decides on the locked orders and its records commit with the holds, the figures and the log entry', async () => {
  const h = hub();
  h.clock.ms = T0 + 3000;
  const value = await h.changes.change({ orders: ['O1'], items: ['A'] }, (work) => {
    assert.equal(work.order('O1'), undefined);
    work.record(order('O1', [{ sku: 'A', qty: 3, alloc: [['L1', 3]] }]), [{ step: 'captured', source: 'api' }]);
    return 'done';
  });
  assert.equal(value, 'done');
  assert.equal(h.store.data.orders.get('O1')!.status, 'pending_erp');
  assert.deepEqual(h.store.heldBy('O1'), { 'A@L1': 3 });
  assert.deepEqual(h.store.data.feed, [
    { channel: 'web', position: 7, at: new Date(T0 + 3000).toISOString(), changes: [{ sku: 'A', available: 7, previous: 10 }] },
  ]);
  const holds = [{ orderId: 'O1', sku: 'A', location: 'L1', units: 3 }];
  assert.deepEqual(h.store.data.queued, [{ id: 1, kind: 'holds', key: 'A', body: { holds } }]);
  assert.deepEqual(h.heard, [{ outboxId: 1, holds }]);
  // The next change sees the order as stored, locked.
  await h.changes.change({ orders: ['O1'] }, (work) => {
    assert.equal(work.order('O1')!.id, 'O1');
    assert.deepEqual(h.store.locked.at(-1), ['A']);
  });
});

test('a change that moves no holds queues nothing and tells nobody', async () => {
  const h = hub();
  h.store.data.orders.set('O1', savedOrder(order('O1', [{ sku: 'A', qty: 1 }], { erp: { state: 'held', attempts: 0 } })));
  await h.changes.change({ orders: ['O1'] }, (work) => {
    const next = cloneOrder(work.order('O1')!);
    next.erp = { state: 'pending', attempts: 0 };
    work.record(next, [{ step: 'released', source: 'hub' }]);
  });
  assert.equal(h.store.data.orders.get('O1')!.order.erp.state, 'pending');
  assert.deepEqual(h.store.data.queued, []);
  assert.deepEqual(h.heard, []);
});

test('changes arriving together share a transaction; a refusal is thrown alone and the others commit', async () => {
  const h = hub();
  const before = h.store.transactions;
  const results = await Promise.allSettled([
    h.changes.change({ orders: ['O1'], items: ['A'] }, (work) => work.record(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), [])),
    h.changes.change({ orders: ['O2'] }, () => {
      throw new Error('refused: no such order');
    }),
    h.changes.change({ orders: ['O3'], items: ['B'] }, (work) => {
      work.record(order('O3', [{ sku: 'B', qty: 2, alloc: [['L1', 2]] }]), []);
      return work.book.channels.size;
    }),
  ]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(results[1].status, 'rejected');
  assert.match(String((results[1] as PromiseRejectedResult).reason), /refused/);
  assert.deepEqual(results[2], { status: 'fulfilled', value: 1 });
  assert.equal(h.store.transactions - before, 1, 'one transaction');
  assert.deepEqual(h.store.locked.at(-1)!.sort(), ['A', 'B']);
  assert.deepEqual(h.store.heldBy('O1'), { 'A@L1': 1 });
  assert.deepEqual(h.store.heldBy('O3'), { 'B@L1': 2 });
});

test('a transaction that fails commits nothing and tells nobody', async () => {
  const h = hub();
  h.store.failing = 1;
  await assert.rejects(
    h.changes.change({ orders: ['O1'], items: ['A'] }, (work) => work.record(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), [])),
    /connection reset/,
  );
  assert.equal(h.store.data.orders.size, 0);
  assert.deepEqual(h.store.heldBy('O1'), {});
  assert.deepEqual(h.heard, []);
});

test('owing orders, credit holds and old waiting events are the shared state’s answers', async () => {
  const h = hub();
  const put = (o: ReturnType<typeof order>) => h.store.data.orders.set(o.id, savedOrder(o));
  put(order('O1', [{ sku: 'A', qty: 2 }], { erp: committed, createdAt: '2026-03-01T08:00:02.000Z' }));
  put(order('O2', [{ sku: 'B', qty: 2 }], { erp: committed, createdAt: '2026-03-01T08:00:01.000Z' }));
  put(order('O3', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } }));
  h.store.data.waiting.set(1, waitingRecord(1, 'O1', '2026-03-01T09:00:00.000Z'));
  h.store.data.waiting.set(2, waitingRecord(2, 'O2', '2026-03-01T09:30:00.000Z'));
  assert.deepEqual(await h.changes.owingOrders(10), ['O2', 'O1']);
  assert.deepEqual(await h.changes.owingOrders(10, ['A']), ['O1']);
  assert.deepEqual(await h.changes.heldFor('C1'), ['O3']);
  assert.deepEqual(
    (await h.changes.waitingSince('2026-03-01T09:10:00.000Z', 10)).map((w) => w.position),
    [1],
  );
});

test('a change the shared state cannot store fails alone, named unstorable; the others of its transaction commit', async () => {
  const h = hub();
  const [good, bad] = await Promise.allSettled([
    h.changes.change({ orders: ['O1'], items: ['A'] }, (work) => work.record(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), [])),
    h.changes.change({ orders: ['O2'], items: ['A'] }, (work) => work.record(order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 0.5]] }]), [])),
  ]);
  assert.equal(good.status, 'fulfilled');
  assert.equal(bad.status, 'rejected');
  const err = (bad as PromiseRejectedResult).reason;
  assert.ok(err instanceof UnstorableSubmissionError);
  assert.equal(err.operation, 'this order change');
  assert.deepEqual(h.store.heldBy('O1'), { 'A@L1': 1 });
  assert.equal(h.store.data.orders.has('O2'), false);
});
