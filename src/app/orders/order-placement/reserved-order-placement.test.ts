/**
 * Placing an order on the scale-out backend through the reservation transaction (in-memory shared
 * state): the order exists only with its holds, is due at once for the workers but leased to the
 * capture while it calls the ERP, and refusals say why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderDraft } from '../../../ports/order-placement.js';
import { StockReservations } from '../stock-reservations.js';
import { channel, count, location, MemoryLedgerStore, order, SEP, TestClock, T0 } from '../orders.test-support.js';
import { ReservedOrderPlacement } from './reserved-order-placement.js';

const L1 = location('L1');
const web = channel('web', ['L1']);

function setup() {
  const store = new MemoryLedgerStore();
  store.locations.push(L1);
  store.channels.push(web);
  store.stock(count(L1, 'A', 3));
  const clock = new TestClock(T0 + 40);
  const waitedFor: number[] = [];
  const reservations = new StockReservations({ store, clock, position: () => 0, applied: async (p) => void waitedFor.push(p) });
  const placement = new ReservedOrderPlacement({ reservations, reservesAfter: () => 12, erpLeaseMs: () => 5100, clock });
  return { store, placement, waitedFor };
}

function draft(id: string, externalId: string, qty: number, more: Partial<OrderDraft> = {}): OrderDraft {
  return {
    id,
    channel: web,
    externalId,
    lines: [{ sku: 'A', qty }],
    backorder: 'reject',
    key: `key-${id}`,
    fingerprint: 'fp',
    make: (allocations) => order(id, [{ sku: 'A', qty, alloc: allocations[0]! }], { externalId, createdAt: '2026-03-01T10:00:00.000Z' }),
    captured: { step: 'captured', source: 'shop', correlationId: 'corr-1' },
    toErp: true,
    ...more,
  };
}

test('an order due for the ERP is saved with its holds, due now and leased to the capture, with its first timeline entry', async () => {
  const { store, placement, waitedFor } = setup();
  const placed = await placement.place(draft('O1', 'W-1', 2));
  assert.equal(placed.ok, true);
  assert.equal(placed.ok && placed.order.erp.nextAttemptAt, T0 + 40);
  const saved = store.data.orders.get('O1')!;
  assert.equal(saved.erpLeaseMs, 5100);
  assert.equal(saved.order.erp.nextAttemptAt, T0 + 40);
  assert.deepEqual(store.heldBy('O1'), { 'A@L1': 2 });
  assert.deepEqual(
    store.data.timeline.map((t) => [t.orderId, t.step, t.status, t.source, t.correlationId, t.at, t.recordedAt]),
    [['O1', 'captured', 'pending_erp', 'shop', 'corr-1', '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z']],
  );
  assert.equal(store.data.keys.get('key-O1'), 'O1');
  assert.equal(store.data.refs.get(`web${SEP}W-1`), 'O1');
  assert.deepEqual(waitedFor, [12], 'the reservation sees what the capture validated against');
});

test('an order held for credit is saved without a lease or a due time', async () => {
  const { store, placement } = setup();
  const held = draft('O1', 'W-1', 1, {
    make: (allocations) => order('O1', [{ sku: 'A', qty: 1, alloc: allocations[0]! }], { erp: { state: 'held', attempts: 0 } }),
    toErp: false,
  });
  const placed = await placement.place(held);
  assert.equal(placed.ok && placed.order.erp.nextAttemptAt, undefined);
  assert.equal('erpLeaseMs' in store.data.orders.get('O1')!, false);
  assert.equal(store.data.timeline[0]!.status, 'credit_hold');
});

test('refusals: a shortfall, a channel number taken (naming its order), an unknown channel', async () => {
  const { store, placement } = setup();
  const short = await placement.place(draft('O1', 'W-1', 4));
  assert.deepEqual(short, { ok: false, shortfalls: [{ index: 0, sku: 'A', requested: 4, available: 3 }] });
  assert.equal(store.data.orders.size, 0);
  await placement.place(draft('O2', 'W-2', 1));
  assert.deepEqual(await placement.place(draft('O3', 'W-2', 1)), { ok: false, shortfalls: [], duplicateOf: 'O2' });
  const gone = await placement.place(draft('O4', 'W-4', 1, { channel: { ...web, id: 'gone' } }));
  assert.deepEqual(gone, { ok: false, shortfalls: [], unknownChannel: true });
});
