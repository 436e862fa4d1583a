/**
 * Order events as the ingest and the workers apply them, on the embedded hub over in-memory
 * stores: an event runs through the machine with what waited for it, or waits, or waits for an
 * unknown order; stock seen leaving stops being held; a count after a shipment releases it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderEvent } from '../../model/order-event.js';
import { noteCount, noteDeparture, receiveOrderEvent, recordSettled } from './apply-order-events.js';
import { channel, count, embeddedHub, location, order, T0 } from './orders.test-support.js';

const L1 = location('L1');
const L2 = location('L2');
const committed = { state: 'committed' as const, orderNumber: 'E-1', attempts: 1 };
const env = (id: string, orderId = 'O1') => ({ id, source: 'wms', seq: 1, occurredAt: '2026-03-01T09:30:00Z', orderId });
const release: OrderEvent = { ...env('r1'), type: 'order.released' };
const ship = (qty: number, loc = 'L1'): OrderEvent => ({ ...env(`s-${qty}-${loc}`), type: 'order.shipped', location: loc, lines: [{ sku: 'A', qty }] });

async function hubWith(...orders: ReturnType<typeof order>[]) {
  const h = embeddedHub({ locations: [L1, L2], channels: [channel('web', ['L1', 'L2'])], counts: [count(L1, 'A', 5), count(L2, 'A', 5)] });
  await h.changes.change({ orders: [] }, (work) => {
    for (const o of orders) work.record(o, []);
  });
  h.clock.ms = T0 + 60_000;
  return h;
}

test('an event for a known order runs through the machine, then what waited for it', async () => {
  const h = await hubWith(order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], { erp: committed }));
  await h.changes.change({ orders: ['O1'] }, (work) => receiveOrderEvent(work, { position: 4, event: ship(2), correlationId: 'c-4' }));
  assert.deepEqual(
    [...h.orders.waiting.values()].map((w) => [w.position, w.correlationId, w.since]),
    [[4, 'c-4', new Date(T0 + 60_000).toISOString()]],
  );
  assert.equal(h.openOrders.waitingCount('O1'), 1);
  await h.changes.change({ orders: ['O1'] }, (work) => receiveOrderEvent(work, { position: 5, event: release }));
  const o = h.openOrders.get('O1')!;
  assert.equal(o.released, true);
  assert.equal(o.shipments.length, 1, 'the shipment that waited applied after the release');
  assert.equal(h.orders.waiting.size, 0);
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.outcome]),
    [
      ['order.shipped', 'waiting'],
      ['order.released', 'applied'],
      ['order.shipped', 'applied'],
    ],
  );
  assert.equal(h.orders.orders.get('O1')!.status, 'shipped');
});

test('an event for an order the hub does not know waits for it', async () => {
  const h = await hubWith();
  await h.changes.change({ orders: ['O7'] }, (work) => receiveOrderEvent(work, { position: 9, event: { ...release, orderId: 'O7' } }));
  assert.deepEqual(
    [...h.orders.waiting.values()].map((w) => [w.position, w.orderId, w.reason]),
    [[9, 'O7', 'order O7 is not known to the hub']],
  );
  assert.deepEqual(h.orders.timeline('O7'), []);
});

test('a rejected event is raised as an exception', async () => {
  const h = await hubWith(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: committed, released: true }));
  await h.changes.change({ orders: ['O1'] }, (work) => receiveOrderEvent(work, { position: 2, event: release }));
  assert.deepEqual(
    h.orders.exceptions(0, 9).map((e) => [e.kind, e.position, e.reason]),
    [['rejected', 2, 'the order is already released']],
  );
});

test('recordSettled writes the first steps and messages before those of the events', async () => {
  const h = await hubWith(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: committed }));
  await h.changes.change({ orders: ['O1'] }, (work) =>
    recordSettled(
      work,
      work.order('O1')!,
      { position: 3, event: release },
      [{ step: 'first', source: 'hub' }],
      [{ step: 'first', message: { destination: 'erp', topic: 'first.topic', payload: {} } }],
    ),
  );
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => t.step),
    ['first', 'order.released'],
  );
  assert.deepEqual(
    h.orders.outbox(0, 9).map((m) => m.topic),
    ['first.topic', 'fulfilment.request'],
  );
  const bare = await hubWith(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: committed }));
  const same = await bare.changes.change({ orders: ['O1'] }, (work) => recordSettled(work, work.order('O1')!));
  assert.equal(same.released, false);
  assert.deepEqual(bare.orders.timeline('O1'), []);
});

test('stock the authority shows leaving for an order stops being held, with the event on the timeline', async () => {
  const shipped = order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], {
    erp: committed,
    released: true,
    shipments: [{ eventId: 's', source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 2 }] }],
  });
  const h = await hubWith(shipped);
  assert.equal(h.reserved('A', 'L1'), 2);
  const event = { source: 'wms-L1', id: 'mv-1', occurredAt: '2026-03-01T09:40:00.000Z' };
  await h.changes.change({ orders: ['O1'] }, (work) => noteDeparture(work, 'O1', 'A', 'L1', 1, event));
  assert.equal(h.reserved('A', 'L1'), 1);
  await h.changes.change({ orders: ['O1'] }, (work) => noteDeparture(work, 'O1', 'A', 'L1', 1, event));
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.deepEqual(h.openOrders.get('O1')!.lines[0]!.departed, { L1: 2 });
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.source, t.at, t.detail]),
    [
      ['stock.departed', 'wms-L1', '2026-03-01T09:40:00.000Z', '1 × A left L1 (mv-1)'],
      ['stock.departed', 'wms-L1', '2026-03-01T09:40:00.000Z', '1 × A left L1 (mv-1)'],
    ],
  );
  // The line of the item is the one that departs, whichever line it is.
  const two = await hubWith(
    order(
      'O2',
      [
        { sku: 'B', qty: 1, alloc: [['L1', 1]] },
        { sku: 'A', qty: 1, alloc: [['L1', 1]] },
      ],
      { erp: committed, released: true },
    ),
  );
  await two.changes.change({ orders: ['O2'] }, (work) => noteDeparture(work, 'O2', 'A', 'L1', 1, event));
  assert.deepEqual(
    two.openOrders.get('O2')!.lines.map((l) => l.departed),
    [{}, { L1: 1 }],
  );
  // An order without the item, or unknown, is left alone.
  await h.changes.change({ orders: ['O1'] }, (work) => {
    noteDeparture(work, 'O1', 'B', 'L1', 1, event);
    noteDeparture(work, 'O9', 'A', 'L1', 1, event);
  });
  assert.equal(h.orders.timeline('O1').length, 2);
});

test('a count after a shipment releases what the shipment still held; one that changes nothing writes nothing', async () => {
  const shippedAt = (id: string, loc: string) =>
    order(id, [{ sku: 'A', qty: 2, alloc: [[loc, 2]] }], {
      erp: committed,
      released: true,
      shipments: [{ eventId: `s-${id}`, source: 'wms', location: loc, at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 2 }] }],
    });
  const h = await hubWith(shippedAt('O1', 'L1'), shippedAt('O2', 'L2'));
  // Nothing counted since: the holds are as they were, nothing is written.
  await h.changes.change({ orders: [] }, (work) => noteCount(work, 'A', 'L1'));
  assert.deepEqual(h.orders.timeline('O1'), []);
  // The authority counts A at L1 after the shipment (the ingest applies it, then notes the count).
  h.state.ledger.apply(count(L1, 'A', 3, '2026-03-01T10:00:00.000Z'), 99);
  assert.equal(h.reserved('A', 'L1'), 2);
  await h.changes.change({ orders: [] }, (work) => noteCount(work, 'A', 'L1'));
  assert.equal(h.reserved('A', 'L1'), 0, 'the count shows the units gone');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.source, t.detail]),
    [['stock.counted', 'hub', 'a count of A at L1 shows the shipped units gone']],
  );
  assert.equal(h.orders.orders.get('O1')!.open, false, 'nothing held or owed: settled');
  assert.deepEqual(h.orders.timeline('O2'), [], 'another location is not concerned');
});

test('a count between two shipments releases the first one only', async () => {
  const o = order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], {
    erp: committed,
    released: true,
    shipments: [
      { eventId: 's1', source: 'wms', location: 'L1', at: '2026-03-01T09:30:00.000Z', lines: [{ sku: 'A', qty: 1 }] },
      { eventId: 's2', source: 'wms', location: 'L1', at: '2026-03-01T10:30:00.000Z', lines: [{ sku: 'A', qty: 1 }] },
    ],
  });
  const h = await hubWith(o);
  assert.equal(h.reserved('A', 'L1'), 2);
  h.state.ledger.apply(count(L1, 'A', 3, '2026-03-01T10:00:00.000Z'), 99);
  await h.changes.change({ orders: [] }, (work) => noteCount(work, 'A', 'L1'));
  assert.equal(h.reserved('A', 'L1'), 1);
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => t.step),
    ['stock.counted'],
  );
});
