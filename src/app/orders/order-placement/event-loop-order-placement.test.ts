/**
 * Placing an order on the embedded hub: the channel number checked, the stock sourced and taken in
 * one synchronous step, the order kept from the ERP sweep until its capture's attempt, and the
 * whole stored by the next group commit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderDraft } from '../../../ports/order-placement.js';
import { InProcessErpQueue } from '../erp-queues/in-process-erp-queue.js';
import { channel, count, embeddedHub, location, order } from '../orders.test-support.js';
import { EventLoopOrderPlacement } from './event-loop-order-placement.js';

const L1 = location('L1');
const web = channel('web', ['L1']);

function setup() {
  const h = embeddedHub({ locations: [L1], channels: [web], counts: [count(L1, 'A', 3)] });
  const erpQueue = new InProcessErpQueue({ openOrders: h.openOrders, clock: h.clock });
  const placement = new EventLoopOrderPlacement({ state: h.state, orders: h.orders, openOrders: h.openOrders, commits: h.commits, clock: h.clock, erpQueue });
  return { h, erpQueue, placement };
}

const draft = (id: string, externalId: string, qty: number, more: Partial<OrderDraft> = {}): OrderDraft => ({
  id,
  channel: web,
  externalId,
  lines: [{ sku: 'A', qty }],
  backorder: 'reject',
  key: `key-${id}`,
  fingerprint: 'fp',
  make: (allocations) => order(id, [{ sku: 'A', qty, alloc: allocations[0]! }], { externalId }),
  captured: { step: 'captured', source: 'shop' },
  toErp: true,
  ...more,
});

test('an order placed is stored with its number, key and timeline; the sweep leaves it to its capture', async () => {
  const { h, erpQueue, placement } = setup();
  const placing = placement.place(draft('O1', 'W-1', 2));
  assert.deepEqual(await erpQueue.takeDue(8), [], 'kept for the capture from the start');
  const placed = await placing;
  assert.equal(placed.ok, true);
  assert.equal(h.orders.claimedBy('web', 'W-1'), 'O1');
  assert.equal(h.orders.keyFor('key-O1')!.orderId, 'O1');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => t.step),
    ['captured'],
  );
  assert.equal(h.reserved('A', 'L1'), 2);
  assert.deepEqual(await erpQueue.takeDue(8), [], 'still kept until the capture releases it');
  erpQueue.release('O1');
  assert.deepEqual(
    (await erpQueue.takeDue(8)).map((o) => o.id),
    ['O1'],
  );
});

test('an order the capture does not send to the ERP is not kept from the sweep', async () => {
  const { erpQueue, placement } = setup();
  await placement.place(draft('O1', 'W-1', 1, { toErp: false }));
  assert.deepEqual(
    (await erpQueue.takeDue(8)).map((o) => o.id),
    ['O1'],
  );
});

test('two numbers placed at once are both placed; one number twice is a duplicate of the one being placed', async () => {
  const { placement } = setup();
  const [a, b] = await Promise.all([placement.place(draft('O1', 'W-1', 1)), placement.place(draft('O2', 'W-2', 1))]);
  assert.equal(a.ok && b.ok, true);
  const [c, d] = await Promise.all([placement.place(draft('O3', 'W-3', 1)), placement.place(draft('O4', 'W-3', 1))]);
  assert.equal(c.ok, true);
  assert.deepEqual(d, { ok: false, shortfalls: [], duplicateOf: '(being captured now)' });
  assert.deepEqual(await placement.place(draft('O5', 'W-1', 1)), { ok: false, shortfalls: [], duplicateOf: 'O1' });
});

test('a shortfall places nothing', async () => {
  const { h, placement } = setup();
  const out = await placement.place(draft('O1', 'W-1', 4));
  assert.equal(out.ok, false);
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.equal(h.orders.claimedBy('web', 'W-1'), undefined);
});
