/**
 * Stock reservation on the shared state (scale-out), against an in-memory shared state whose
 * transactions roll back whole: requests of one batch see each other's holds, an order is recorded
 * with its holds only when its channel number is free and it is sourced, and releasing gives back
 * exactly what was held. What the shared state holds afterwards is the oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnstorableSubmissionError } from '../../domain/errors.js';
import type { HoldsEntry } from '../log/log-entries.js';
import { StockReservations, type OrderDraft, type ReservationRequest } from './stock-reservations.js';
import { channel, count, location, MemoryLedgerStore, order, SEP, TestClock, T0 } from './orders.test-support.js';

const L1 = location('L1');
const L2 = location('L2');

function setup(extra: { applied?: (p: number) => Promise<void> } = {}) {
  const store = new MemoryLedgerStore();
  store.locations.push(L1, L2);
  store.channels.push(channel('web', ['L1', 'L2']), channel('b2b', ['L2'], { safetyStock: 1 }), channel('near', ['L1']));
  store.stock(count(L1, 'A', 5));
  store.stock(count(L2, 'A', 4));
  store.stock(count(L2, 'B', 2));
  // The figures as published before any hold.
  for (const [ch, n] of [
    ['web', 9],
    ['b2b', 3],
    ['near', 5],
  ] as const)
    store.data.figures.set(`${ch}${SEP}A`, n);
  const clock = new TestClock();
  const heard: { outboxId: number; holds: HoldsEntry['holds'] }[] = [];
  let committed = 0;
  const reservations = new StockReservations({
    store,
    clock,
    position: () => 42,
    committed: () => committed++,
    heldLocally: (outboxId, holds) => heard.push({ outboxId, holds }),
    ...extra,
  });
  return { store, clock, reservations, heard, committed: () => committed };
}

const req = (orderId: string, lines: { sku: string; qty: number }[], more: Partial<ReservationRequest> = {}): ReservationRequest => ({
  orderId,
  channel: 'web',
  lines,
  backorder: 'reject',
  ...more,
});

/** A draft that makes a plain order from what was reserved. */
function draft(orderId: string, externalId: string, lines: { sku: string; qty: number }[], erpLeaseMs?: number): OrderDraft {
  return {
    externalId,
    key: `key-${orderId}`,
    make: (allocations) => ({
      order: order(
        orderId,
        lines.map((l, i) => ({ ...l, alloc: allocations[i]! })),
        { externalId },
      ),
      timeline: [{ orderId, at: 'a', status: 'pending_erp', source: 'api', step: 'captured', outcome: 'applied', recordedAt: 'a' }],
      ...(erpLeaseMs !== undefined ? { erpLeaseMs } : {}),
    }),
  };
}

test('a reservation takes the channel locations in order, records the holds and the figures, and tells the read model', async () => {
  const s = setup();
  const outcome = await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 7 }]));
  assert.deepEqual(outcome, {
    ok: true,
    allocations: [
      [
        ['L1', 5],
        ['L2', 2],
      ],
    ],
  });
  assert.deepEqual(s.store.heldBy('O1'), { 'A@L1': 5, 'A@L2': 2 });
  assert.deepEqual(s.store.data.queued, [
    {
      id: 1,
      kind: 'holds',
      key: 'A',
      body: {
        holds: [
          { orderId: 'O1', sku: 'A', location: 'L1', units: 5 },
          { orderId: 'O1', sku: 'A', location: 'L2', units: 2 },
        ],
      },
    },
  ]);
  assert.deepEqual(s.heard, [{ outboxId: 1, holds: s.store.data.queued[0]!.body.holds }]);
  assert.equal(s.committed(), 1);
  // The figures the holds moved, at the position and instant of the reservation.
  const web = s.store.data.feed.find((a) => a.channel === 'web')!;
  assert.deepEqual(web, { channel: 'web', position: 42, at: new Date(T0).toISOString(), changes: [{ sku: 'A', available: 2, previous: 9 }] });
  const b2b = s.store.data.feed.find((a) => a.channel === 'b2b')!;
  assert.deepEqual(b2b.changes, [{ sku: 'A', available: 1, previous: 3 }], 'L2 has 2 left, less one of safety stock');
  assert.deepEqual(s.store.data.feed.find((a) => a.channel === 'near')!.changes, [{ sku: 'A', available: 0, previous: 5 }], 'L1 is empty');
  assert.equal(s.reservations.batches, 1);
  assert.deepEqual(s.store.locked[0], ['A']);
});

test('requests of one batch see what the earlier ones took; a shortfall takes nothing', async () => {
  const s = setup();
  const [a, b, c] = await Promise.all([
    s.reservations.reserve(req('O1', [{ sku: 'A', qty: 6 }])),
    s.reservations.reserve(req('O2', [{ sku: 'A', qty: 4 }])),
    s.reservations.reserve(req('O3', [{ sku: 'A', qty: 1 }])),
  ]);
  assert.equal(s.reservations.batches, 1, 'one transaction for all three');
  assert.deepEqual(a, {
    ok: true,
    allocations: [
      [
        ['L1', 5],
        ['L2', 1],
      ],
    ],
  });
  assert.equal(b.ok, false);
  assert.deepEqual(c, { ok: true, allocations: [[['L2', 1]]] });
  assert.deepEqual(s.store.heldBy('O2'), {});
  assert.deepEqual(s.store.heldBy('O3'), { 'A@L2': 1 });
  assert.deepEqual(s.store.locked[0], ['A']);
});

test('with backorders allowed, what is short is owed and nothing is refused', async () => {
  const s = setup();
  const outcome = await s.reservations.reserve(req('O1', [{ sku: 'B', qty: 5 }], { backorder: 'allow' }));
  assert.deepEqual(outcome, { ok: true, allocations: [[['L2', 2]]] });
  assert.deepEqual(s.store.heldBy('O1'), { 'B@L2': 2 });
});

test('nothing reserved: no log entry, nobody told', async () => {
  const s = setup();
  const outcome = await s.reservations.reserve(req('O1', [{ sku: 'C', qty: 1 }], { backorder: 'allow' }));
  assert.deepEqual(outcome, { ok: true, allocations: [[]] });
  assert.deepEqual(s.store.data.queued, []);
  assert.deepEqual(s.heard, []);
  assert.equal(s.committed(), 0);
});

test('an unknown channel is refused with its name', async () => {
  const s = setup();
  assert.deepEqual(await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 1 }], { channel: 'fax' })), {
    ok: false,
    shortfalls: [],
    reason: "channel 'fax' is not defined",
  });
});

test('an order is recorded with its holds, timeline and key; its channel number is claimed', async () => {
  const s = setup();
  const outcome = await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 2 }], { order: draft('O1', 'W-1', [{ sku: 'A', qty: 2 }], 15_000) }));
  assert.equal(outcome.ok, true);
  const saved = s.store.data.orders.get('O1')!;
  assert.equal(saved.status, 'pending_erp');
  assert.equal(saved.owes, false);
  assert.equal(saved.erpLeaseMs, 15_000);
  assert.deepEqual(saved.order.lines[0]!.alloc, [['L1', 2]]);
  assert.deepEqual(
    s.store.data.timeline.map((t) => [t.orderId, t.step]),
    [['O1', 'captured']],
  );
  assert.equal(s.store.data.keys.get('key-O1'), 'O1');
  assert.equal(s.store.data.refs.get(`web${SEP}W-1`), 'O1');
  assert.deepEqual(s.store.heldBy('O1'), { 'A@L1': 2 });
});

test('an order without an ERP lease is saved without one; a backordered one is saved as owing', async () => {
  const s = setup();
  await s.reservations.reserve(req('O1', [{ sku: 'B', qty: 3 }], { backorder: 'allow', order: draft('O1', 'W-1', [{ sku: 'B', qty: 3 }]) }));
  const saved = s.store.data.orders.get('O1')!;
  assert.equal('erpLeaseMs' in saved, false);
  assert.equal(saved.owes, true);
});

test('a channel number already taken reserves nothing and names the order holding it', async () => {
  const s = setup();
  await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 1 }], { order: draft('O1', 'W-1', [{ sku: 'A', qty: 1 }]) }));
  const again = await s.reservations.reserve(req('O2', [{ sku: 'A', qty: 1 }], { order: draft('O2', 'W-1', [{ sku: 'A', qty: 1 }]) }));
  assert.deepEqual(again, { ok: false, shortfalls: [], duplicateOf: 'O1' });
  assert.equal(s.store.data.orders.has('O2'), false);
  assert.deepEqual(s.store.heldBy('O2'), {});
  assert.equal(s.store.data.keys.has('key-O2'), false);
  // The same number on another channel is another order.
  const other = await s.reservations.reserve(req('O3', [{ sku: 'A', qty: 1 }], { channel: 'b2b', order: draft('O3', 'W-1', [{ sku: 'A', qty: 1 }]) }));
  assert.equal(other.ok, true);
});

test('an order that cannot be sourced frees its channel number and binds no key', async () => {
  const s = setup();
  const outcome = await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 99 }], { order: draft('O1', 'W-1', [{ sku: 'A', qty: 99 }]) }));
  assert.equal(outcome.ok, false);
  assert.equal(s.store.data.refs.has(`web${SEP}W-1`), false);
  assert.equal(s.store.data.orders.size, 0);
  assert.equal(s.store.data.keys.size, 0);
  // Two orders in one batch: only the sourced one binds its key and keeps its number.
  const [a, b] = await Promise.all([
    s.reservations.reserve(req('O2', [{ sku: 'A', qty: 99 }], { order: draft('O2', 'W-2', [{ sku: 'A', qty: 99 }]) })),
    s.reservations.reserve(req('O3', [{ sku: 'A', qty: 1 }], { order: draft('O3', 'W-3', [{ sku: 'A', qty: 1 }]) })),
  ]);
  assert.equal(a.ok, false);
  assert.equal(b.ok, true);
  assert.deepEqual([...s.store.data.keys], [['key-O3', 'O3']]);
  assert.deepEqual([...s.store.data.refs.keys()], [`web${SEP}W-3`]);
});

test('an unknown channel with an order frees the number too', async () => {
  const s = setup();
  const outcome = await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 1 }], { channel: 'fax', order: draft('O1', 'W-1', [{ sku: 'A', qty: 1 }]) }));
  assert.equal(outcome.ok, false);
  assert.equal(s.store.data.refs.size, 0);
});

test('a batch waits for the workers to apply the latest position its requests validated against', async () => {
  const asked: number[] = [];
  const s = setup({ applied: async (p) => void asked.push(p) });
  await Promise.all([
    s.reservations.reserve(req('O1', [{ sku: 'A', qty: 1 }], { after: 7 })),
    s.reservations.reserve(req('O2', [{ sku: 'A', qty: 1 }], { after: 9 })),
    s.reservations.reserve(req('O3', [{ sku: 'A', qty: 1 }])),
  ]);
  await s.reservations.reserve(req('O4', [{ sku: 'A', qty: 1 }]));
  assert.deepEqual(asked, [9], 'a batch with nothing to wait for does not ask');
});

test('workers too far behind: the reservation fails and takes nothing', async () => {
  const s = setup({
    applied: async () => {
      throw new Error('workers behind');
    },
  });
  await assert.rejects(s.reservations.reserve(req('O1', [{ sku: 'A', qty: 1 }], { after: 3 })), /workers behind/);
  assert.deepEqual(s.store.heldBy('O1'), {});
});

test('a request the store cannot take fails alone, named as unstorable; the others commit', async () => {
  const s = setup();
  const bad: OrderDraft = {
    ...draft('O2', 'W-2', [{ sku: 'A', qty: 1 }]),
    make: () => {
      throw new Error('cannot encode');
    },
  };
  const [a, b] = await Promise.allSettled([
    s.reservations.reserve(req('O1', [{ sku: 'A', qty: 1 }], { order: draft('O1', 'W-1', [{ sku: 'A', qty: 1 }]) })),
    s.reservations.reserve(req('O2', [{ sku: 'A', qty: 1 }], { order: bad })),
  ]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.ok((b as PromiseRejectedResult).reason instanceof UnstorableSubmissionError);
  assert.match((b as PromiseRejectedResult).reason.message, /this order/);
  assert.deepEqual(s.store.heldBy('O1'), { 'A@L1': 1 });
  assert.deepEqual(s.store.heldBy('O2'), {});
});

test('releasing gives back what the order holds, moves the figures and tells the read model', async () => {
  const s = setup();
  await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 7 }]));
  await s.reservations.reserve(req('O2', [{ sku: 'B', qty: 1 }]));
  s.clock.ms = T0 + 60_000;
  assert.equal(await s.reservations.release('O1'), 7);
  assert.deepEqual(s.store.heldBy('O1'), {});
  assert.deepEqual(s.store.heldBy('O2'), { 'B@L2': 1 }, "another order's holds stay");
  const last = s.store.data.queued.at(-1)!;
  assert.deepEqual(last, {
    id: 3,
    kind: 'holds',
    key: 'A',
    body: {
      holds: [
        { orderId: 'O1', sku: 'A', location: 'L1', units: -5 },
        { orderId: 'O1', sku: 'A', location: 'L2', units: -2 },
      ],
    },
  });
  assert.deepEqual(s.heard.at(-1), { outboxId: 3, holds: last.body.holds });
  assert.equal(s.committed(), 3);
  const moved = s.store.data.feed.filter((a) => a.at === new Date(T0 + 60_000).toISOString());
  assert.deepEqual(
    moved.map((a) => [a.channel, a.position, a.changes]),
    [
      ['web', 42, [{ sku: 'A', available: 9, previous: 2 }]],
      ['near', 42, [{ sku: 'A', available: 5, previous: 0 }]],
      ['b2b', 42, [{ sku: 'A', available: 3, previous: 1 }]],
    ],
  );
  assert.equal(await s.reservations.release('O1'), 0, 'nothing left to give back');
  assert.equal(s.committed(), 3, 'nobody told of nothing');
  assert.equal(s.store.data.queued.length, 3);
});

test('a release that cannot commit changes nothing', async () => {
  const s = setup();
  await s.reservations.reserve(req('O1', [{ sku: 'A', qty: 2 }]));
  s.store.failing = 1;
  await assert.rejects(s.reservations.release('O1'), /connection reset/);
  assert.deepEqual(s.store.heldBy('O1'), { 'A@L1': 2 });
  assert.equal(s.committed(), 1);
});

test('without listeners a reservation still commits', async () => {
  const store = new MemoryLedgerStore();
  store.locations.push(L1);
  store.channels.push(channel('web', ['L1']));
  store.stock(count(L1, 'A', 1));
  const r = new StockReservations({ store, clock: new TestClock(), position: () => 0 });
  assert.equal((await r.reserve(req('O1', [{ sku: 'A', qty: 1 }], { after: 5 }))).ok, true, 'nothing to wait for the workers with');
  assert.equal(await r.release('O1'), 1);
});
