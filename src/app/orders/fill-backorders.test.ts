/**
 * Backorders fill from free stock oldest order first, with the channel's sourcing (its locations in
 * order, after safety stock and every other hold), on the embedded hub over in-memory stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillBackorders, fillBackordersIn } from './fill-backorders.js';
import { channel, count, embeddedHub, location, order, scaleOutHub } from './orders.test-support.js';

const L1 = location('L1');
const L2 = location('L2');
const committed = { state: 'committed' as const, attempts: 1 };

function hub(counts = [count(L1, 'A', 2), count(L2, 'A', 3), count(L1, 'B', 5)]) {
  return embeddedHub({ locations: [L1, L2], channels: [channel('web', ['L1', 'L2']), channel('b2b', ['L2'], { safetyStock: 1 })], counts });
}

async function record(h: ReturnType<typeof hub>, ...orders: ReturnType<typeof order>[]) {
  await h.changes.change({ orders: [] }, (work) => {
    for (const o of orders) work.record(o, []);
  });
}

test('the oldest order owed units is filled first, across the channel locations in order, and says what it got', async () => {
  const h = hub();
  await record(
    h,
    order('O2', [{ sku: 'A', qty: 4 }], { erp: committed, createdAt: '2026-03-01T08:00:02.000Z' }),
    order(
      'O1',
      [
        { sku: 'A', qty: 4 },
        { sku: 'B', qty: 1 },
      ],
      { erp: committed, createdAt: '2026-03-01T08:00:01.000Z' },
    ),
  );
  assert.equal(await fillBackorders(h.changes), 6);
  assert.deepEqual(
    h.openOrders.get('O1')!.lines.map((l) => l.alloc),
    [
      [
        ['L2', 3],
        ['L1', 1],
      ],
      [['L1', 1]],
    ],
  );
  assert.deepEqual(h.openOrders.get('O2')!.lines[0]!.alloc, [['L1', 1]], 'what was left');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.source, t.detail]),
    [
      ['backorder.filled', 'hub', '4 × A reserved at L2 (3), L1 (1)'],
      ['backorder.filled', 'hub', '1 × B reserved at L1 (1)'],
    ],
  );
  assert.deepEqual(
    h.orders.timeline('O2').map((t) => t.detail),
    ['1 × A reserved at L1 (1)'],
  );
  assert.equal(h.orders.orders.get('O1')!.status, 'accepted');
  assert.equal(h.orders.orders.get('O2')!.status, 'backordered');
  assert.equal(await fillBackorders(h.changes), 0, 'nothing free any more');
  assert.deepEqual(h.orders.timeline('O2').length, 1);
});

test('orders of one instant are filled in id order; a line partly reserved gets only what it is owed', async () => {
  const h = hub();
  const at = '2026-03-01T08:00:00.000Z';
  await record(
    h,
    order('Ob', [{ sku: 'A', qty: 5, alloc: [['L1', 1]] }], { erp: committed, createdAt: at }),
    order('Oa', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: at }),
    order('Oc', [{ sku: 'A', qty: 9 }], { erp: committed, createdAt: '2026-03-01T07:00:00.000Z' }),
  );
  // Oc (oldest) takes everything free: 1 at L1, 3 at L2.
  await fillBackorders(h.changes);
  assert.deepEqual(h.openOrders.get('Oc')!.lines[0]!.alloc, [
    ['L2', 3],
    ['L1', 1],
  ]);
  assert.deepEqual(h.openOrders.get('Oa')!.lines[0]!.alloc, []);
  assert.deepEqual(h.openOrders.get('Ob')!.lines[0]!.alloc, [['L1', 1]]);
});

test('ties in capture instant go by id whichever way round they are given', async () => {
  const h = hub([count(L1, 'A', 1)]);
  const at = '2026-03-01T08:00:00.000Z';
  await record(
    h,
    order('Oa', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: at }),
    order('Ob', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: at }),
  );
  await h.changes.change({ orders: [] }, (work) => fillBackordersIn(work, ['Ob', 'Oa']));
  assert.deepEqual(h.openOrders.get('Oa')!.lines[0]!.alloc, [['L1', 1]]);
  const g = hub([count(L1, 'A', 1)]);
  await record(
    g,
    order('Oa', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: at }),
    order('Ob', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: at }),
  );
  await g.changes.change({ orders: [] }, (work) => fillBackordersIn(work, ['Oa', 'Ob']));
  assert.deepEqual(g.openOrders.get('Oa')!.lines[0]!.alloc, [['L1', 1]]);
  // Older first whatever the ids and whichever way round.
  const k = hub([count(L1, 'A', 1)]);
  await record(
    k,
    order('Oa', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: '2026-03-01T08:00:01.000Z' }),
    order('Ob', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: '2026-03-01T08:00:00.000Z' }),
  );
  await k.changes.change({ orders: [] }, (work) => fillBackordersIn(work, ['Oa', 'Ob']));
  assert.deepEqual(k.openOrders.get('Ob')!.lines[0]!.alloc, [['L1', 1]]);
  const m = hub([count(L1, 'A', 1)]);
  await record(
    m,
    order('Oa', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: '2026-03-01T08:00:01.000Z' }),
    order('Ob', [{ sku: 'A', qty: 1 }], { erp: committed, createdAt: '2026-03-01T08:00:00.000Z' }),
  );
  await m.changes.change({ orders: [] }, (work) => fillBackordersIn(work, ['Ob', 'Oa']));
  assert.deepEqual(m.openOrders.get('Ob')!.lines[0]!.alloc, [['L1', 1]]);
});

test('narrowed to items, only those lines fill; unknown orders and orders of an unknown channel are skipped', async () => {
  const h = hub();
  await record(
    h,
    order(
      'O1',
      [
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 1 },
      ],
      { erp: committed },
    ),
    order('O2', [{ sku: 'A', qty: 1 }], { erp: committed, channel: 'gone' }),
  );
  assert.equal(await fillBackorders(h.changes, ['B']), 1);
  assert.deepEqual(
    h.openOrders.get('O1')!.lines.map((l) => l.alloc),
    [[], [['L1', 1]]],
  );
  const units = await h.changes.change({ orders: [] }, (work) => fillBackordersIn(work, ['O9', 'O2', 'O1'], ['A']));
  assert.equal(units, 1);
  assert.deepEqual(h.openOrders.get('O2')!.lines[0]!.alloc, []);
  assert.equal(await fillBackorders(h.changes, ['Z']), 0, 'nobody owed Z');
});

test('a channel with nothing free after safety stock fills nothing and records nothing', async () => {
  const h = hub([count(L2, 'A', 1)]);
  await record(h, order('O1', [{ sku: 'A', qty: 1 }], { erp: committed, channel: 'b2b' }));
  assert.equal(await fillBackorders(h.changes), 0);
  assert.deepEqual(h.orders.timeline('O1'), []);
  assert.deepEqual(h.openOrders.get('O1')!.lines[0]!.alloc, []);
});

test('on the shared state, the orders owed are locked and filled', async () => {
  const h = scaleOutHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 2)] });
  h.store.put(order('O1', [{ sku: 'A', qty: 3 }], { erp: committed }));
  assert.equal(await fillBackorders(h.changes), 2);
  assert.deepEqual(h.store.heldBy('O1'), { 'A@L1': 2 });
  assert.deepEqual(h.store.savedOrder('O1')!.lines[0]!.alloc, [['L1', 2]]);
});
