/**
 * Cancelling an order on the embedded hub (in-memory stores): what it held goes back, the ERP and
 * the warehouses hear of it in the outbox, the freed units go to an order owed them, and what
 * cannot be cancelled is refused naming why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from '../../domain/errors.js';
import { IllegalTransitionError } from '../../domain/orders/order-errors.js';
import { cancelOrder } from './cancel-order.js';
import { channel, count, embeddedHub, location, order, scaleOutHub } from './orders.test-support.js';

const L1 = location('L1');

async function hubWith(...orders: ReturnType<typeof order>[]) {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 3)] });
  await h.changes.change({ orders: [] }, (work) => {
    for (const o of orders) work.record(o, []);
  });
  return h;
}

const ctx = { principal: 'ops', correlationId: 'corr-9' };

test('a cancelled order gives its stock back and tells the ERP and the warehouse, with the reason', async () => {
  const h = await hubWith(
    order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], { erp: { state: 'committed', orderNumber: 'E-1', attempts: 1 }, released: true }),
  );
  const cancelled = await cancelOrder(h.changes, 'O1', { ...ctx, reason: 'customer changed mind' });
  assert.equal(cancelled.cancelled, true);
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.equal(h.orders.orders.get('O1')!.status, 'cancelled');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.source, t.correlationId, t.detail]),
    [['cancelled', 'ops', 'corr-9', 'customer changed mind']],
  );
  assert.deepEqual(
    h.orders.outbox(0, 10).map((m) => [m.destination, m.topic, m.idempotencyKey, m.correlationId]),
    [
      ['erp', 'order.cancel', 'O1/cancel:corr-9/erp/order.cancel', 'corr-9'],
      ['location:L1', 'fulfilment.cancel', 'O1/cancel:corr-9/location:L1/fulfilment.cancel', 'corr-9'],
    ],
  );
  assert.deepEqual(h.orders.outbox(0, 10)[0]!.payload, { orderId: 'O1', erpOrderNumber: 'E-1', reason: 'customer changed mind' });
});

test('without a reason the timeline has no detail', async () => {
  const h = await hubWith(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]));
  await cancelOrder(h.changes, 'O1', ctx);
  const [entry] = h.orders.timeline('O1');
  assert.equal(entry!.detail, undefined);
  assert.deepEqual(h.orders.outbox(0, 10), [], 'an order the ERP never took: nobody to tell');
});

test('the units a cancellation frees go at once to the order owed them', async () => {
  const h = await hubWith(
    order('O1', [{ sku: 'A', qty: 3, alloc: [['L1', 3]] }], { erp: { state: 'committed', attempts: 1 } }),
    order('O2', [{ sku: 'A', qty: 2 }], { erp: { state: 'committed', attempts: 1 }, createdAt: '2026-03-01T09:00:00.000Z' }),
  );
  assert.equal(h.orders.orders.get('O2')!.status, 'backordered');
  await cancelOrder(h.changes, 'O1', ctx);
  assert.deepEqual(h.openOrders.get('O2')!.lines[0]!.alloc, [['L1', 2]]);
  assert.equal(h.orders.orders.get('O2')!.status, 'accepted');
  assert.equal(h.reserved('A', 'L1'), 2);
});

test('a backorder fill that fails does not fail the cancellation', async () => {
  const h = await hubWith(
    order('O1', [{ sku: 'A', qty: 3, alloc: [['L1', 3]] }], { erp: { state: 'committed', attempts: 1 } }),
    order('O2', [{ sku: 'A', qty: 2 }], { erp: { state: 'committed', attempts: 1 } }),
  );
  const changes = h.changes;
  let calls = 0;
  const flaky = Object.create(changes) as typeof changes;
  flaky.change = (scope, decide) => (calls++ === 0 ? changes.change(scope, decide) : Promise.reject(new Error('store down')));
  const cancelled = await cancelOrder(flaky, 'O1', ctx);
  assert.equal(cancelled.cancelled, true);
  assert.equal(h.orders.orders.get('O1')!.status, 'cancelled');
  assert.deepEqual(h.openOrders.get('O2')!.lines[0]!.alloc, []);
});

test('an unknown order is not found; one cancelled already or fully shipped is an illegal transition that changes nothing', async () => {
  const h = await hubWith(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { cancelled: true, erp: { state: 'pending', attempts: 0 } }));
  await assert.rejects(cancelOrder(h.changes, 'O9', ctx), (e: unknown) => e instanceof NotFoundError && e.kind === 'Order' && e.id === 'O9');
  await assert.rejects(
    cancelOrder(h.changes, 'O1', ctx),
    (e: unknown) => e instanceof IllegalTransitionError && e.orderId === 'O1' && e.step === 'cancel' && /already cancelled/.test(e.reason),
  );
  assert.deepEqual(h.orders.timeline('O1'), []);
});

test('on the shared state, the cancellation locks the order, releases its holds and fills a backorder', async () => {
  const h = scaleOutHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 3)] });
  h.store.put(
    order('O1', [{ sku: 'A', qty: 3, alloc: [['L1', 3]] }], { erp: { state: 'committed', attempts: 1 } }),
    order('O2', [{ sku: 'A', qty: 1 }], { erp: { state: 'committed', attempts: 1 } }),
  );
  const cancelled = await cancelOrder(h.changes, 'O1', ctx);
  assert.equal(cancelled.cancelled, true);
  assert.equal(h.store.data.orders.get('O1')!.status, 'cancelled');
  assert.deepEqual(h.store.heldBy('O1'), {});
  assert.deepEqual(h.store.heldBy('O2'), { 'A@L1': 1 });
  await assert.rejects(cancelOrder(h.changes, 'O9', ctx), NotFoundError);
});
