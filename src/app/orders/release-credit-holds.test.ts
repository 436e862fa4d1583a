/**
 * A customer's credit hold lifted: the orders held for it become due for the ERP at once, those
 * cancelled or released meanwhile are left alone, and other customers' orders are untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseCreditHolds } from './release-credit-holds.js';
import { channel, count, embeddedHub, location, order, scaleOutHub, T0 } from './orders.test-support.js';

const L1 = location('L1');

test('the held orders of the customer become due now, with the reason on their timeline', async () => {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 9)] });
  h.clock.ms = T0 + 500;
  await h.changes.change({ orders: [] }, (work) => {
    work.record(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } }), []);
    work.record(order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } }), []);
    work.record(order('O3', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { customer: 'C2', erp: { state: 'held', attempts: 0 } }), []);
  });
  assert.equal(await releaseCreditHolds(h.changes, 'C1'), 2);
  for (const id of ['O1', 'O2']) {
    assert.deepEqual(h.openOrders.get(id)!.erp, { state: 'pending', attempts: 0, nextAttemptAt: T0 + 500 });
    assert.equal(h.orders.orders.get(id)!.status, 'pending_erp');
    assert.deepEqual(
      h.orders.timeline(id).map((t) => [t.step, t.source, t.detail]),
      [['credit_hold.released', 'hub', 'customer C1 is no longer on credit hold']],
    );
  }
  assert.equal(h.openOrders.get('O3')!.erp.state, 'held');
  assert.equal(await releaseCreditHolds(h.changes, 'C1'), 0, 'nothing held any more');
  assert.equal(await releaseCreditHolds(h.changes, 'C9'), 0);
});

test('an order cancelled or released by another change meanwhile is left as it is', async () => {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 9)] });
  await h.changes.change({ orders: [] }, (work) => {
    work.record(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 }, cancelled: true }), []);
    work.record(order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } }), []);
  });
  // Between the question and the change, O2 is released by someone else.
  const changes = Object.create(h.changes) as typeof h.changes;
  changes.heldFor = async () => ['O1', 'O2', 'O9'];
  await h.changes.change({ orders: ['O2'] }, (work) => {
    const o = structuredClone(work.order('O2')!);
    o.erp = { state: 'pending', attempts: 0 };
    work.record(o, []);
  });
  assert.equal(await releaseCreditHolds(changes, 'C1'), 0);
  assert.equal(h.openOrders.get('O1')!.erp.state, 'held');
  assert.deepEqual(h.orders.timeline('O1'), []);
});

test('on the shared state, the held orders are locked and become due', async () => {
  const h = scaleOutHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 9)] });
  h.clock.ms = T0 + 9;
  h.store.put(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } }));
  assert.equal(await releaseCreditHolds(h.changes, 'C1'), 1);
  assert.deepEqual(h.store.savedOrder('O1')!.erp, { state: 'pending', attempts: 0, nextAttemptAt: T0 + 9 });
});
