/**
 * Order changes on the embedded hub's event loop, wired as main.ts wires them over in-memory
 * stores: a change decides on the live orders and ledger, its records commit with the figures they
 * move, a refusal throws without failing the others in the same commit, and a failed commit
 * rebuilds memory from the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageFailedError } from '../../../domain/errors.js';
import { cloneOrder } from '../../../domain/orders/order-state.js';
import type { WaitingRecord } from '../../../ports/order-store.js';
import { channel, count, embeddedHub, location, order, SEP, T0 } from '../orders.test-support.js';
import { liveOrderWork } from './event-loop-order-changes.js';

const L1 = location('L1');
const web = channel('web', ['L1']);

function hub() {
  const h = embeddedHub({ locations: [L1], channels: [web], counts: [count(L1, 'A', 10)] });
  return h;
}

const waitingRecord = (position: number, orderId: string, since: string): WaitingRecord => ({
  position,
  orderId,
  since,
  reason: 'r',
  event: { type: 'order.shipped', orderId } as unknown as WaitingRecord['event'],
});

test('a change sees the live orders and stock, and its records commit with the figures they move', async () => {
  const h = hub();
  h.clock.ms = T0 + 2000;
  const result = await h.changes.change({ orders: ['O1'] }, (work) => {
    assert.equal(work.order('O1'), undefined);
    assert.equal(work.nowMs, T0 + 2000);
    assert.equal(work.nowIso, new Date(T0 + 2000).toISOString());
    assert.ok(work.book.channels.has('web'));
    work.record(order('O1', [{ sku: 'A', qty: 3, alloc: [['L1', 3]] }]), [{ step: 'captured', source: 'api' }]);
    assert.equal(work.order('O1')!.id, 'O1', 'a decision sees its own records');
    assert.deepEqual(Object.fromEntries(work.holds('O1')), { [`A${SEP}L1`]: 3 });
    return 'decided';
  });
  assert.equal(result, 'decided');
  assert.equal(h.orders.orders.get('O1')!.status, 'pending_erp');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => t.step),
    ['captured'],
  );
  assert.deepEqual(
    h.inventory.feed.map((c) => [c.channel, c.sku, c.previous, c.available, c.at]),
    [['web', 'A', 0, 7, new Date(T0 + 2000).toISOString()]],
  );
});

test('a refusal is thrown and leaves the other changes of the same commit whole', async () => {
  const h = hub();
  const [refused, kept] = await Promise.allSettled([
    h.changes.change({ orders: ['O1'] }, () => {
      throw new Error('no such thing');
    }),
    h.changes.change({ orders: ['O2'] }, (work) => work.record(order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), [])),
  ]);
  assert.equal(refused.status, 'rejected');
  assert.match(String((refused as PromiseRejectedResult).reason), /no such thing/);
  assert.equal(kept.status, 'fulfilled');
  assert.ok(h.orders.orders.has('O2'));
});

test('a commit that fails is reported as a storage failure and memory is rebuilt from the store', async () => {
  const h = hub();
  await h.changes.change({ orders: ['O1'] }, (work) => work.record(order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }]), []));
  h.inventory.failing = 1;
  await assert.rejects(
    h.changes.change({ orders: ['O1'] }, (work) => {
      const next = cloneOrder(work.order('O1')!);
      next.lines[0]!.alloc = [['L1', 5]];
      work.record(next, []);
    }),
    (err: unknown) => err instanceof StorageFailedError && /the order change/.test(err.message),
  );
  assert.equal(h.reserved('A', 'L1'), 2, 'the holds are what the store has');
  assert.deepEqual(h.openOrders.get('O1')!.lines[0]!.alloc, [['L1', 2]]);
  assert.equal(h.inventory.feed.at(-1)!.available, 8);
});

test('the live work reads and writes through the open orders', () => {
  const h = hub();
  const touched: string[] = [];
  const work = liveOrderWork(h, (sku, loc) => touched.push(`${sku}@${loc}`), T0 + 7);
  assert.equal(work.nowIso, new Date(T0 + 7).toISOString());
  assert.equal(work.book, h.state.book);
  work.record(
    order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], {
      erp: { state: 'committed', attempts: 1 },
      shipments: [{ eventId: 'e', source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 1 }] }],
    }),
    [{ step: 's', source: 'x' }],
    [{ step: 's', message: { destination: 'erp', topic: 't', payload: {} } }],
  );
  assert.deepEqual(touched, ['A@L1']);
  assert.equal(h.orders.outbox(0, 9).length, 1);
  work.record(order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), []);
  assert.equal(h.orders.outbox(0, 9).length, 1, 'no messages by default');
  assert.deepEqual(work.shippedUnconfirmed('A', 'L1'), ['O1']);
  assert.equal(work.countedAt('A', 'L1'), '2026-03-01T09:00:00.000Z');
  work.saveWaiting([waitingRecord(3, 'O1', 'x')]);
  assert.deepEqual(
    work.waiting('O1').map((w) => w.position),
    [3],
  );
  work.removeWaiting([3]);
  assert.deepEqual(work.waiting('O1'), []);
  work.raise([{ orderId: 'O1', position: 3, kind: 'expired', reason: 'r', event: {}, raisedAt: 'x' }]);
  assert.equal(h.orders.exceptions(0, 9).length, 1);
  h.orders.claimReference('web', 'X-O1', 'O1');
  h.orders.rememberKey('k', 'f', 'O1', 'x');
  work.forgetCapture(work.order('O1')!, 'k');
  assert.equal(h.orders.claimedBy('web', 'X-O1'), undefined);
  assert.equal(h.orders.keyFor('k'), undefined);
});

test('owing orders, credit holds and old waiting events are answered from the open orders', async () => {
  const h = hub();
  await h.changes.change({ orders: [] }, (work) => {
    work.record(order('O1', [{ sku: 'A', qty: 2 }], { erp: { state: 'committed', attempts: 1 }, createdAt: '2026-03-01T08:00:02.000Z' }), []);
    work.record(order('O2', [{ sku: 'B', qty: 2 }], { erp: { state: 'committed', attempts: 1 }, createdAt: '2026-03-01T08:00:01.000Z' }), []);
    work.record(order('O3', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } }), []);
    work.record(order('O4', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { customer: 'C2', erp: { state: 'held', attempts: 0 } }), []);
    work.record(order('O5', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'pending', attempts: 0 } }), []);
    work.saveWaiting([waitingRecord(1, 'O1', '2026-03-01T09:00:00.000Z'), waitingRecord(2, 'O2', '2026-03-01T09:30:00.000Z')]);
  });
  assert.deepEqual(await h.changes.owingOrders(10), ['O2', 'O1']);
  assert.deepEqual(await h.changes.owingOrders(10, ['A']), ['O1']);
  assert.deepEqual(await h.changes.owingOrders(1), ['O2']);
  assert.deepEqual(await h.changes.heldFor('C1'), ['O3']);
  assert.deepEqual(await h.changes.heldFor('C2'), ['O4']);
  assert.deepEqual(
    (await h.changes.waitingSince('2026-03-01T09:10:00.000Z', 10)).map((w) => w.position),
    [1],
  );
  assert.deepEqual(
    (await h.changes.waitingSince('2026-03-01T10:00:00.000Z', 1)).map((w) => w.position),
    [1],
  );
});
