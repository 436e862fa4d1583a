/**
 * Waiting events that waited past the cutoff expire: off the list, raised as exceptions, on the
 * order's timeline as expired; newer ones stay. Many pages are expired in one sweep.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderChanges } from '../../ports/order-changes.js';
import type { WaitingRecord } from '../../ports/order-store.js';
import { expireWaitingEvents } from './expire-waiting-events.js';
import { channel, count, embeddedHub, location, order, scaleOutHub, T0 } from './orders.test-support.js';

const L1 = location('L1');

const waitingRecord = (position: number, orderId: string, since: string): WaitingRecord => ({
  position,
  orderId,
  since,
  correlationId: `c-${position}`,
  reason: 'the order has not been released to the warehouse yet',
  event: {
    id: `e-${position}`,
    source: 'wms',
    seq: position,
    occurredAt: '2026-03-01T07:00:00.000Z',
    orderId,
    type: 'order.shipped',
    location: 'L1',
    lines: [{ sku: 'A', qty: 1 }],
  },
});

async function hub(records: WaitingRecord[]) {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 5)] });
  await h.changes.change({ orders: [] }, (work) => {
    work.record(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), []);
    work.saveWaiting(records);
  });
  return h;
}

test('events waiting since before the cutoff expire: exceptions, expired timeline steps; later ones stay', async () => {
  const h = await hub([
    waitingRecord(1, 'O1', '2026-03-01T08:00:00.000Z'),
    waitingRecord(2, 'O1', '2026-03-01T09:00:00.000Z'),
    waitingRecord(3, 'O9', '2026-03-01T08:30:00.000Z'),
  ]);
  h.clock.ms = T0 + 1000;
  assert.equal(await expireWaitingEvents(h.changes, '2026-03-01T09:00:00.000Z'), 2);
  assert.deepEqual([...h.orders.waiting.keys()], [2]);
  assert.deepEqual(
    h.orders.exceptions(0, 10).map((e) => [e.orderId, e.position, e.kind, e.raisedAt]),
    [
      ['O1', 1, 'expired', new Date(T0 + 1000).toISOString()],
      ['O9', 3, 'expired', new Date(T0 + 1000).toISOString()],
    ],
  );
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.outcome, t.correlationId, t.at]),
    [['order.shipped', 'expired', 'c-1', '2026-03-01T07:00:00.000Z']],
  );
  assert.deepEqual(h.orders.timeline('O9'), [], 'no order to write on');
  assert.equal(await expireWaitingEvents(h.changes, '2026-03-01T09:00:00.000Z'), 0);
});

test('more than a page (of orders) expires in one sweep', async () => {
  const records = Array.from({ length: 230 }, (_, i) => waitingRecord(i + 1, `U${i}`, '2026-03-01T08:00:00.000Z'));
  const h = await hub(records);
  assert.equal(await expireWaitingEvents(h.changes, '2026-03-01T09:00:00.000Z'), 230);
  assert.equal(h.orders.waiting.size, 0);
  assert.equal(h.orders.exceptions(0, 1000).length, 230);
});

test('an event applied or expired by another change meanwhile is left alone', async () => {
  const h = await hub([waitingRecord(1, 'O1', '2026-03-01T08:00:00.000Z')]);
  const changes = Object.create(h.changes) as typeof h.changes;
  let first = true;
  changes.waitingSince = async (iso, limit) => {
    const old = await h.changes.waitingSince(iso, limit);
    if (first) {
      first = false;
      // Someone else takes it between the question and the change.
      await h.changes.change({ orders: ['O1'] }, (work) => work.removeWaiting([1]));
    }
    return old;
  };
  const before = h.orders.orders.get('O1')!.order.updatedAt;
  h.clock.ms = T0 + 99_000;
  assert.equal(await expireWaitingEvents(changes, '2026-03-01T09:00:00.000Z'), 0);
  assert.deepEqual(h.orders.exceptions(0, 10), []);
  assert.deepEqual(h.orders.timeline('O1'), []);
  assert.equal(h.orders.orders.get('O1')!.order.updatedAt, before, 'the order is not written again');
});

test('on the shared state, the orders of the old events are locked and their events expire', async () => {
  const h = scaleOutHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 2)] });
  h.store.put(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]));
  h.store.data.waiting.set(1, waitingRecord(1, 'O1', '2026-03-01T08:00:00.000Z'));
  assert.equal(await expireWaitingEvents(h.changes, '2026-03-01T09:00:00.000Z'), 1);
  assert.equal(h.store.data.waiting.size, 0);
  assert.deepEqual(
    h.store.data.raised.map((e) => [e.orderId, e.kind]),
    [['O1', 'expired']],
  );
  assert.deepEqual(
    h.store.data.timeline.map((t) => [t.step, t.outcome]),
    [['order.shipped', 'expired']],
  );
});

test('a sweep ends after 100 full pages even while full pages keep coming (each page then expires in the next sweep)', async () => {
  const since = '2026-01-01T00:00:00.000Z';
  let pages = 0;
  // Another process keeps adding old events: the first 150 reads each find a full page.
  const busy = {
    waitingSince: async (_iso: string, limit: number): Promise<WaitingRecord[]> =>
      pages >= 150 ? [] : Array.from({ length: limit }, (_, i) => ({ position: pages * limit + i + 1, orderId: `O${i}`, since }) as WaitingRecord),
    change: async <T>(scope: { orders: readonly string[] }): Promise<T> => {
      pages++;
      return scope.orders.length as T;
    },
  } as unknown as OrderChanges;
  assert.equal(await expireWaitingEvents(busy, '2026-02-01T00:00:00.000Z'), 10_000);
  assert.equal(pages, 100);
});
