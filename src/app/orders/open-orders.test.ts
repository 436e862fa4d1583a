/**
 * The live orders of the embedded hub: what each order holds moves the ledger's reservations by the
 * difference, settled orders leave memory, backorders and shipped-but-unseen stock are indexed for
 * the fills and counts that look them up, and everything reloads from the store as it was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { WaitingRecord } from '../../ports/order-store.js';
import { OpenOrders } from './open-orders.js';
import { channel, count, embeddedHub, location, order, SEP, T0 } from './orders.test-support.js';

const L1 = location('L1');
const L2 = location('L2');
const web = channel('web', ['L1', 'L2']);

function hub(counts = [count(L1, 'A', 10), count(L2, 'A', 5), count(L1, 'B', 3)]) {
  return embeddedHub({ locations: [L1, L2], channels: [web], counts });
}

function touches() {
  const seen: string[] = [];
  return { seen, touch: (sku: string, loc: string) => seen.push(`${sku}@${loc}`) };
}

const waitingRecord = (position: number, orderId: string, since: string): WaitingRecord => ({
  position,
  orderId,
  since,
  reason: 'not released',
  event: { type: 'order.shipped', orderId } as unknown as WaitingRecord['event'],
});

test('recording an order reserves what it holds, writes it with its status, timeline and messages, and tracks it', () => {
  const h = hub();
  const t = touches();
  h.clock.ms = T0 + 5000;
  const o = order(
    'O1',
    [
      {
        sku: 'A',
        qty: 4,
        alloc: [
          ['L1', 3],
          ['L2', 1],
        ],
      },
    ],
    { correlationId: 'corr-0' },
  );
  h.openOrders.record(
    o,
    [{ step: 'captured', source: 'api', correlationId: 'corr-1' }],
    [{ step: 'captured', message: { destination: 'erp', topic: 'order.created', payload: { id: 'O1' } } }],
    t.touch,
  );
  assert.equal(h.reserved('A', 'L1'), 3);
  assert.equal(h.reserved('A', 'L2'), 1);
  assert.deepEqual(t.seen.sort(), ['A@L1', 'A@L2']);
  const saved = h.orders.orders.get('O1')!;
  assert.equal(saved.status, 'pending_erp');
  assert.equal(saved.open, true);
  assert.equal(saved.order.updatedAt, new Date(T0 + 5000).toISOString());
  assert.deepEqual(
    h.orders.timeline('O1').map((r) => [r.step, r.status, r.source, r.correlationId, r.recordedAt]),
    [['captured', 'pending_erp', 'api', 'corr-1', new Date(T0 + 5000).toISOString()]],
  );
  assert.deepEqual(
    h.orders.outbox(0, 10).map((m) => [m.destination, m.topic, m.messageKey, m.correlationId]),
    [['erp', 'order.created', 'O1', 'corr-1']],
  );
  assert.equal(h.openOrders.get('O1'), o, 'open orders are served from memory');
  assert.deepEqual(
    [...h.openOrders.all()].map((x) => x.id),
    ['O1'],
  );
  assert.deepEqual(Object.fromEntries(h.openOrders.holdsOf('O1')), { [`A${SEP}L1`]: 3, [`A${SEP}L2`]: 1 });
  assert.equal(h.openOrders.holdsOf('nobody').size, 0);
});

test('a change moves the reservation by the difference only, and touches only what moved', () => {
  const h = hub();
  const first = order('O1', [
    {
      sku: 'A',
      qty: 4,
      alloc: [
        ['L1', 3],
        ['L2', 1],
      ],
    },
  ]);
  h.openOrders.record(first, [], [], () => {});
  const t = touches();
  const next = order('O1', [
    {
      sku: 'A',
      qty: 4,
      alloc: [
        ['L1', 1],
        ['L2', 1],
      ],
    },
  ]);
  h.openOrders.record(next, [], [], t.touch);
  assert.equal(h.reserved('A', 'L1'), 1);
  assert.equal(h.reserved('A', 'L2'), 1);
  assert.deepEqual(t.seen, ['A@L1'], 'L2 held the same: not touched');
});

test('a settled order leaves memory and gives its stock back; the store still answers for it', () => {
  const h = hub();
  h.openOrders.record(order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }]), [], [], () => {});
  const t = touches();
  const cancelled = order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], { cancelled: true, erp: { state: 'committed', attempts: 1 } });
  assert.equal(h.openOrders.hold(cancelled, t.touch), false, 'a cancelled order holding nothing is settled');
  h.openOrders.persist(cancelled, [{ step: 'cancelled', source: 'api' }], []);
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.deepEqual(t.seen, ['A@L1']);
  assert.deepEqual([...h.openOrders.all()], []);
  assert.equal(h.orders.orders.get('O1')!.open, false);
  assert.equal(h.orders.orders.get('O1')!.status, 'cancelled');
  assert.equal(h.openOrders.get('O1')!.cancelled, true, 'read back from the store');
  assert.equal(h.openOrders.get('O2'), undefined);
  assert.equal(h.openOrders.holdsOf('O1').size, 0);
});

test('an order settled but for events waiting on it stays open', () => {
  const h = hub();
  h.openOrders.saveWaiting([waitingRecord(7, 'O1', '2026-03-01T09:00:00.000Z')]);
  const done = order('O1', [{ sku: 'A', qty: 1, alloc: [] }], { cancelled: true, erp: { state: 'committed', attempts: 1 } });
  assert.equal(
    h.openOrders.hold(done, () => {}),
    true,
  );
  h.openOrders.persist(done, [], []);
  assert.equal(h.orders.orders.get('O1')!.open, true);
  assert.deepEqual(
    [...h.openOrders.all()].map((o) => o.id),
    ['O1'],
  );
});

test('orders owed units are found by item, oldest first, and leave the list once filled, failed or settled', () => {
  const h = hub();
  const owing = (id: string, createdAt: string, sku = 'A') => order(id, [{ sku, qty: 2, alloc: [] }], { createdAt, erp: { state: 'committed', attempts: 1 } });
  h.openOrders.record(owing('O3', '2026-03-01T08:00:02.000Z'), [], [], () => {});
  h.openOrders.record(owing('O1', '2026-03-01T08:00:01.000Z'), [], [], () => {});
  h.openOrders.record(owing('O2', '2026-03-01T08:00:01.000Z'), [], [], () => {});
  h.openOrders.record(owing('O4', '2026-03-01T08:00:00.000Z', 'B'), [], [], () => {});
  assert.equal(h.openOrders.owes('A'), true);
  assert.equal(h.openOrders.owes('C'), false);
  assert.deepEqual(h.openOrders.owing(10), ['O4', 'O1', 'O2', 'O3']);
  assert.deepEqual(h.openOrders.owing(10, ['A']), ['O1', 'O2', 'O3']);
  assert.deepEqual(h.openOrders.owing(2, ['A', 'B']), ['O4', 'O1']);
  assert.deepEqual(h.openOrders.owing(10, ['C']), []);
  assert.equal(h.orders.orders.get('O1')!.status, 'backordered');
  // Filled: no longer owed.
  h.openOrders.record(
    order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], { createdAt: '2026-03-01T08:00:01.000Z', erp: { state: 'committed', attempts: 1 } }),
    [],
    [],
    () => {},
  );
  assert.deepEqual(h.openOrders.owing(10, ['A']), ['O2', 'O3']);
  // The ERP failed it: it owes nothing.
  h.openOrders.record({ ...owing('O2', '2026-03-01T08:00:01.000Z'), erp: { state: 'failed', attempts: 1 } }, [], [], () => {});
  h.openOrders.record({ ...owing('O3', '2026-03-01T08:00:02.000Z'), erp: { state: 'failed', attempts: 1 } }, [], [], () => {});
  assert.deepEqual(h.openOrders.owing(10, ['A']), []);
  assert.equal(h.openOrders.owes('A'), false, 'an item nobody is owed leaves the index');
  assert.equal(h.openOrders.owes('B'), true);
});

/** Every order of `items` (for sorts checked whatever order their input comes in). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

test('orders owed and old waiting events come out in order whatever order they went in', () => {
  const at = (s: number) => `2026-03-01T08:00:0${s}.000Z`;
  const owed: [string, number][] = [
    ['Oa', 4],
    ['Ob', 3],
    ['Oc', 2],
    ['Od', 2],
    ['Oe', 1],
  ];
  for (const perm of permutations(owed)) {
    const h = hub();
    for (const [id, s] of perm)
      h.openOrders.record(order(id, [{ sku: 'A', qty: 1 }], { createdAt: at(s), erp: { state: 'committed', attempts: 1 } }), [], [], () => {});
    assert.deepEqual(h.openOrders.owing(10), ['Oe', 'Oc', 'Od', 'Ob', 'Oa'], perm.join());
  }
  const waits: [number, number][] = [
    [5, 1],
    [4, 2],
    [3, 3],
    [9, 3],
    [1, 4],
  ];
  for (const perm of permutations(waits)) {
    const h = hub();
    h.openOrders.saveWaiting(perm.map(([p, s]) => waitingRecord(p, `O${p}`, at(s))));
    assert.deepEqual(
      h.openOrders.waitingSince('2026-03-01T10:00:00.000Z', 10).map((r) => r.position),
      [5, 4, 3, 9, 1],
      perm.join(),
    );
  }
});

test('orders owed units come oldest first whatever their ids, ties in capture instant broken by id', () => {
  const h = hub();
  const owed = (id: string, createdAt: string) => order(id, [{ sku: 'A', qty: 1 }], { createdAt, erp: { state: 'committed', attempts: 1 } });
  const at = (s: number) => `2026-03-01T08:00:0${s}.000Z`;
  for (const [id, s] of [
    ['Oa', 5],
    ['Ob', 4],
    ['Oc', 3],
    ['Od', 2],
    ['Oe', 1],
    ['Of', 4],
  ] as const)
    h.openOrders.record(owed(id, at(s)), [], [], () => {});
  assert.deepEqual(h.openOrders.owing(10), ['Oe', 'Od', 'Oc', 'Ob', 'Of', 'Oa']);
});

test('shipped units the location has not shown leaving stay held and are found by item and location until counted', () => {
  const h = hub();
  const shipped = order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], {
    erp: { state: 'committed', attempts: 1 },
    released: true,
    shipments: [{ eventId: 'e1', source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 2 }] }],
  });
  h.openOrders.record(shipped, [], [], () => {});
  assert.equal(h.reserved('A', 'L1'), 2, 'shipped units are held until seen leaving');
  assert.deepEqual(h.openOrders.shippedUnconfirmed('A', 'L1'), ['O1']);
  assert.deepEqual(h.openOrders.shippedUnconfirmed('A', 'L2'), []);
  assert.deepEqual(h.openOrders.shippedUnconfirmed('B', 'L1'), []);
  // The authority shows them leaving: nothing is held, the order settles and leaves the index.
  const departed = structuredClone(shipped);
  departed.lines[0]!.departed = { L1: 2 };
  h.openOrders.record(departed, [], [], () => {});
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.deepEqual(h.openOrders.shippedUnconfirmed('A', 'L1'), []);
  assert.equal(h.orders.orders.get('O1')!.open, false);
});

test('two orders shipped at one place: one settling leaves the other in the index', () => {
  const h = hub();
  const ship = (id: string) =>
    order(id, [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], {
      erp: { state: 'committed', attempts: 1 },
      shipments: [{ eventId: `e-${id}`, source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 1 }] }],
    });
  h.openOrders.record(ship('O1'), [], [], () => {});
  h.openOrders.record(ship('O2'), [], [], () => {});
  assert.deepEqual(h.openOrders.shippedUnconfirmed('A', 'L1'), ['O1', 'O2']);
  const gone = ship('O1');
  gone.lines[0]!.departed = { L1: 1 };
  h.openOrders.record(gone, [], [], () => {});
  assert.deepEqual(h.openOrders.shippedUnconfirmed('A', 'L1'), ['O2']);
});

test('when the authority counted after a shipment, the shipped units are not held (snapshot time)', () => {
  const h = hub([count(L1, 'A', 10, '2026-03-01T11:00:00.000Z')]);
  assert.equal(h.openOrders.snapshotAt('A', 'L1'), '2026-03-01T11:00:00.000Z');
  assert.equal(h.openOrders.snapshotAt('A', 'L2'), undefined, 'never counted there');
  assert.equal(h.openOrders.snapshotAt('A', 'L9'), undefined, 'no such location');
  const shipped = order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], {
    erp: { state: 'committed', attempts: 1 },
    shipments: [{ eventId: 'e1', source: 'wms', location: 'L1', at: '2026-03-01T10:30:00.000Z', lines: [{ sku: 'A', qty: 2 }] }],
  });
  assert.equal(
    h.openOrders.hold(shipped, () => {}),
    false,
  );
  assert.equal(h.reserved('A', 'L1'), 0);
});

test('waiting events: listed per order, counted, the old ones found oldest first, removed from memory and store', () => {
  const h = hub();
  h.openOrders.saveWaiting([]);
  h.openOrders.saveWaiting([
    waitingRecord(5, 'O1', '2026-03-01T09:00:02.000Z'),
    waitingRecord(3, 'O2', '2026-03-01T09:00:01.000Z'),
    waitingRecord(4, 'O1', '2026-03-01T09:00:01.000Z'),
    waitingRecord(9, 'O3', '2026-03-01T09:00:09.000Z'),
  ]);
  assert.equal(h.openOrders.waitingTotal(), 4);
  assert.equal(h.openOrders.waitingCount('O1'), 2);
  assert.equal(h.openOrders.waitingCount('O9'), 0);
  assert.deepEqual(
    h.openOrders.waitingOf('O1').map((r) => r.position),
    [5, 4],
  );
  assert.deepEqual(h.openOrders.waitingOf('O9'), []);
  assert.deepEqual([...h.orders.waiting.keys()].sort(), [3, 4, 5, 9]);
  assert.deepEqual(
    h.openOrders.waitingSince('2026-03-01T09:00:05.000Z', 10).map((r) => r.position),
    [3, 4, 5],
    'by time, then position',
  );
  assert.deepEqual(
    h.openOrders.waitingSince('2026-03-01T09:00:05.000Z', 2).map((r) => r.position),
    [3, 4],
  );
  assert.deepEqual(h.openOrders.waitingSince('2026-03-01T09:00:01.000Z', 10), [], 'strictly before');
  assert.deepEqual(
    h.openOrders.waitingSince('2026-03-01T09:00:10.000Z', 10).map((r) => r.position),
    [3, 4, 5, 9],
  );
  h.openOrders.removeWaiting([]);
  assert.equal(h.openOrders.waitingTotal(), 4);
  h.openOrders.removeWaiting([4, 3]);
  assert.deepEqual(
    h.openOrders.waitingOf('O1').map((r) => r.position),
    [5],
  );
  assert.equal(h.openOrders.waitingCount('O2'), 0);
  assert.equal(h.openOrders.waitingTotal(), 2);
  assert.deepEqual([...h.orders.waiting.keys()].sort(), [5, 9]);
});

test('the later of two waiting events of one time comes after the earlier position', () => {
  const h = hub();
  h.openOrders.saveWaiting([waitingRecord(8, 'O1', '2026-03-01T09:00:00.000Z'), waitingRecord(2, 'O2', '2026-03-01T09:00:00.000Z')]);
  assert.deepEqual(
    h.openOrders.waitingSince('2026-03-01T10:00:00.000Z', 10).map((r) => r.position),
    [2, 8],
  );
  const later = embeddedHub({ locations: [L1], channels: [web] });
  later.openOrders.saveWaiting([waitingRecord(1, 'O1', '2026-03-01T09:00:02.000Z'), waitingRecord(2, 'O2', '2026-03-01T09:00:01.000Z')]);
  assert.deepEqual(
    later.openOrders.waitingSince('2026-03-01T10:00:00.000Z', 10).map((r) => r.position),
    [2, 1],
  );
  // Many at one instant, and many whose positions run against their times.
  const many = embeddedHub({ locations: [L1], channels: [web] });
  many.openOrders.saveWaiting([9, 5, 7, 1, 3].map((p) => waitingRecord(p, `O${p}`, '2026-03-01T09:00:00.000Z')));
  assert.deepEqual(
    many.openOrders.waitingSince('2026-03-01T10:00:00.000Z', 10).map((r) => r.position),
    [1, 3, 5, 7, 9],
  );
  const against = embeddedHub({ locations: [L1], channels: [web] });
  against.openOrders.saveWaiting([1, 2, 3, 4, 5].map((p) => waitingRecord(p, `O${p}`, `2026-03-01T09:00:0${9 - p}.000Z`)));
  assert.deepEqual(
    against.openOrders.waitingSince('2026-03-01T10:00:00.000Z', 10).map((r) => r.position),
    [5, 4, 3, 2, 1],
  );
});

test('shipped units seen leaving at one place are not listed there while the order still holds elsewhere', () => {
  const h = hub();
  const o = order(
    'O1',
    [
      {
        sku: 'A',
        qty: 3,
        alloc: [
          ['L1', 1],
          ['L2', 2],
        ],
      },
    ],
    {
      erp: { state: 'committed', attempts: 1 },
      shipments: [{ eventId: 'e1', source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 1 }] }],
    },
  );
  o.lines[0]!.departed = { L1: 1 };
  h.openOrders.record(o, [], [], () => {});
  assert.equal(h.orders.orders.get('O1')!.open, true);
  assert.deepEqual(h.openOrders.shippedUnconfirmed('A', 'L1'), []);
});

test('a capture forgotten frees its channel number and key; exceptions are raised to the store', () => {
  const h = hub();
  const o = order('O1', [{ sku: 'A', qty: 1 }]);
  h.orders.claimReference('web', o.externalId, 'O1');
  h.orders.rememberKey('k1', 'fp', 'O1', 'x');
  h.openOrders.forgetCapture(o, 'k1');
  assert.equal(h.orders.claimedBy('web', o.externalId), undefined);
  assert.equal(h.orders.keyFor('k1'), undefined);
  h.openOrders.raise([{ orderId: 'O1', position: 3, kind: 'expired', reason: 'waited too long', event: {}, raisedAt: 'now' }]);
  assert.deepEqual(
    h.orders.exceptions(0, 10).map((e) => [e.orderId, e.kind]),
    [['O1', 'expired']],
  );
});

test('on start and after a failed write, open orders, their holds and waiting events come back from the store', () => {
  const h = hub();
  const held: OrderState = order(
    'O1',
    [
      {
        sku: 'A',
        qty: 12,
        alloc: [
          ['L1', 8],
          ['L2', 2],
        ],
      },
    ],
    { erp: { state: 'committed', attempts: 1 } },
  );
  const shipped = order('O2', [{ sku: 'B', qty: 1, alloc: [['L1', 1]] }], {
    erp: { state: 'committed', attempts: 1 },
    shipments: [{ eventId: 'e', source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'B', qty: 1 }] }],
  });
  h.openOrders.record(held, [], [], () => {});
  h.openOrders.record(shipped, [], [], () => {});
  h.openOrders.saveWaiting([waitingRecord(4, 'O1', '2026-03-01T09:00:00.000Z'), waitingRecord(6, 'O1', '2026-03-01T09:00:01.000Z')]);

  // A fresh process over the same stores: the ledger rebuilt without reservations, then the orders loaded.
  h.state.reload();
  assert.equal(h.reserved('A', 'L1'), 0);
  const again = new OpenOrders({ state: h.state, orders: h.orders, clock: h.clock });
  assert.equal(h.reserved('A', 'L1'), 8);
  assert.equal(h.reserved('A', 'L2'), 2);
  assert.equal(h.reserved('B', 'L1'), 1);
  assert.deepEqual([...again.all()].map((o) => o.id).sort(), ['O1', 'O2']);
  assert.equal(again.owes('A'), true);
  assert.deepEqual(again.shippedUnconfirmed('B', 'L1'), ['O2']);
  assert.deepEqual(
    again.waitingOf('O1').map((r) => r.position),
    [4, 6],
  );
  assert.deepEqual(Object.fromEntries(again.holdsOf('O1')), { [`A${SEP}L1`]: 8, [`A${SEP}L2`]: 2 });
  // What it loaded is its base: a change moves the reservation by the difference, not again in full.
  again.record({ ...held, lines: [{ ...held.lines[0]!, alloc: [['L1', 8]] }] }, [], [], () => {});
  assert.equal(h.reserved('A', 'L1'), 8);
  assert.equal(h.reserved('A', 'L2'), 0);
});

test('reloading drops what memory had that the store does not', () => {
  const h = hub();
  const o = order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]);
  h.openOrders.hold(o, () => {});
  assert.equal(h.openOrders.owes('A'), false);
  h.openOrders.saveWaiting([waitingRecord(1, 'O9', 'x')]);
  h.orders.waiting.clear();
  h.state.reload();
  h.openOrders.reload();
  assert.deepEqual([...h.openOrders.all()], []);
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.equal(h.openOrders.waitingTotal(), 0);
  assert.equal(h.openOrders.holdsOf('O1').size, 0);
});

test('reserving for a channel sources its locations in order and reports a shortfall', () => {
  const h = hub();
  const ok = h.openOrders.reserveFor(web, [{ sku: 'A', qty: 12 }], 'reject');
  assert.deepEqual(ok, {
    ok: true,
    allocations: [
      [
        ['L1', 10],
        ['L2', 2],
      ],
    ],
  });
  const short = h.openOrders.reserveFor(web, [{ sku: 'B', qty: 4 }], 'reject');
  assert.equal(short.ok, false);
});
