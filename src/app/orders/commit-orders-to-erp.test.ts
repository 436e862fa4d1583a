/**
 * Committing orders to the ERP on the embedded hub (in-memory stores, a recording ERP): the first
 * attempt at capture with the channel's policy, retries that ask the ERP for the reference first,
 * the sweep over due orders in batches, and the timer. The ERP's calls and the stores are the oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from '../../domain/errors.js';
import { ErpCallError, ErpUnavailableError } from '../../domain/orders/order-errors.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import { channel, count, customerRecord, embeddedCapture, embeddedHub, location, order, recordingErp, scaleOutHub, T0 } from './orders.test-support.js';
import { ErpCommits } from './commit-orders-to-erp.js';

const L1 = location('L1');
const web = channel('web', ['L1']);
const strict = channel('strict', ['L1'], { onErpUnavailable: 'fail' });

async function setup(
  erp = recordingErp(),
  orders: OrderState[] = [order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }])],
  more: Parameters<typeof embeddedCapture>[1] = {},
) {
  const h = embeddedHub({ locations: [L1], channels: [web, strict], counts: [count(L1, 'A', 50)] });
  await h.changes.change({ orders: [] }, (work) => {
    for (const o of orders) work.record(o, []);
  });
  const c = embeddedCapture(h, { erp: erp.connector, customers: [customerRecord('C1', { erpCustomerNumber: 'ERP-C1' })], ...more });
  return { h, c, erp };
}

const ctx = { correlationId: 'corr-1' };
const failing = (err: Error) => recordingErp(() => Promise.reject(err));

test('at capture, the order is placed with the ERP and committed; the lease is the timeout plus a margin', async () => {
  const { h, c, erp } = await setup();
  assert.equal(c.erp.leaseMs, 5100);
  c.erpQueue.keepForCapture('O1');
  const next = await c.erp.commitAtCapture(h.openOrders.get('O1')!, web, ctx, 'key-1', customerRecord('C1', { erpCustomerNumber: 'ERP-C1' }));
  assert.deepEqual(next.erp, { state: 'committed', orderNumber: 'E-O1', attempts: 1 });
  assert.deepEqual(erp.calls, ['place O1 100']);
  assert.equal(erp.placed[0]!.erpCustomerNumber, 'ERP-C1');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.correlationId]),
    [['erp.committed', 'corr-1']],
  );
  assert.equal(h.orders.orders.get('O1')!.status, 'accepted');
});

test('at capture on a queueing channel, a failure leaves the order pending and free for the sweep', async () => {
  const { h, c, erp } = await setup(failing(new ErpCallError('order placement', 'ERP down', false, true)));
  c.erpQueue.keepForCapture('O1');
  const next = await c.erp.commitAtCapture(h.openOrders.get('O1')!, web, ctx, 'key-1', undefined);
  assert.deepEqual(next.erp, { state: 'pending', attempts: 1, lastError: 'ERP down', nextAttemptAt: T0 + 1000 });
  assert.equal(h.reserved('A', 'L1'), 2);
  h.clock.ms = T0 + 1000;
  assert.deepEqual(
    (await c.erpQueue.takeDue(8)).map((o) => o.id),
    ['O1'],
    'released by the capture: due for the sweep',
  );
  assert.deepEqual(erp.calls, ['place O1 100']);
});

test('at capture on a failing channel, a failure fails the order, frees its stock and throws ErpUnavailable', async () => {
  const { h, c } = await setup(failing(new Error('socket hang up')));
  h.orders.rememberKey('key-1', 'fp', 'O1', 'x');
  c.erpQueue.keepForCapture('O1');
  await assert.rejects(
    c.erp.commitAtCapture(h.openOrders.get('O1')!, strict, ctx, 'key-1', undefined),
    (e: unknown) => e instanceof ErpUnavailableError && e.orderId === 'O1' && e.reason === 'socket hang up',
  );
  assert.equal(h.orders.orders.get('O1')!.status, 'erp_failed');
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.equal(h.orders.keyFor('key-1'), undefined);
  assert.deepEqual(await c.erpQueue.takeDue(8), [], 'released from the queue, and not due: it failed');
});

test('at capture, an order the hub does not know is not found', async () => {
  const { c, erp } = await setup();
  const ghost = order('O9', [{ sku: 'A', qty: 1 }]);
  await assert.rejects(
    c.erp.commitAtCapture(ghost, web, ctx, 'k', undefined),
    (e: unknown) => e instanceof NotFoundError && e.kind === 'Order' && e.id === 'O9',
  );
  assert.deepEqual(erp.calls, ['place O9 100']);
});

test('a retry asks the ERP for the reference first, then places with the customer the ERP knows', async () => {
  const { h, c, erp } = await setup();
  const next = await c.erp.retry(h.openOrders.get('O1')!);
  assert.deepEqual(erp.calls, ['find O1 100', 'place O1 100']);
  assert.equal(erp.placed[0]!.erpCustomerNumber, 'ERP-C1');
  assert.equal(next.erp.state, 'committed');
  // An order already committed is returned as it is, without a call.
  assert.equal(await c.erp.retry(next), next);
  assert.equal(erp.calls.length, 2);
  const cancelled = { ...order('O2', [{ sku: 'A', qty: 1 }]), cancelled: true };
  assert.equal(await c.erp.retry(cancelled), cancelled);
  assert.equal(erp.calls.length, 2);
});

test('a failed retry backs off from the clock: base doubling per attempt, up to the cap', async () => {
  const { h, c } = await setup(failing(new Error('down')), undefined, { random: () => 1 });
  let o = h.openOrders.get('O1')!;
  const due: number[] = [];
  for (let i = 0; i < 8; i++) {
    o = await c.erp.retry(o);
    due.push(o.erp.nextAttemptAt! - T0);
  }
  assert.deepEqual(due, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
});

test('the sweep retries every due order in batches of eight, and nothing twice', async () => {
  const many = Array.from({ length: 11 }, (_, i) => order(`O${String(i).padStart(2, '0')}`, [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]));
  const later = order('Olater', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'pending', attempts: 1, nextAttemptAt: T0 + 10_000 } });
  const { h, c, erp } = await setup(undefined, [...many, later]);
  assert.equal(await c.erp.sweep(), 11);
  assert.equal(erp.calls.filter((x) => x.startsWith('place')).length, 11);
  assert.equal(h.openOrders.get('Olater')!.erp.state, 'pending', 'not due yet');
  assert.equal(await c.erp.sweep(), 0, 'all committed');
  const eight = await setup(undefined, many.slice(0, 8));
  assert.equal(await eight.c.erp.sweep(), 8);
});

test('a sweep asked for while one runs is the same sweep', async () => {
  const { c } = await setup();
  const a = c.erp.sweep();
  const b = c.erp.sweep();
  assert.equal(a, b);
  assert.equal(await a, 1);
  const again = c.erp.sweep();
  assert.notEqual(again, a);
  assert.equal(await again, 0);
});

test('a retry that throws goes to the error handler; the sweep goes on', async () => {
  const errors: unknown[] = [];
  const { h, c } = await setup(undefined, [order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }])], {
    onError: (e) => errors.push(e),
  });
  const changes = h.changes;
  const real = changes.change.bind(changes);
  let n = 0;
  changes.change = (scope, decide) => (n++ === 0 ? Promise.reject(new Error('store down')) : real(scope, decide));
  assert.equal(await c.erp.sweep(), 2);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /store down/);
  changes.change = real;
});

test('a nudge sweeps only once started; stop ends the timer and waits for the sweep', async () => {
  const { h, c, erp } = await setup();
  c.erp.nudge();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(erp.calls, [], 'not started: a nudge does nothing');
  c.erp.start(60_000);
  c.erp.nudge();
  await c.erp.stop();
  assert.equal(h.openOrders.get('O1')!.erp.state, 'committed');
  await h.changes.change({ orders: [] }, (work) => work.record(order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]), []));
  c.erp.nudge();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(h.openOrders.get('O2')!.erp.state, 'pending', 'stopped: a nudge does nothing');
});

test('started, the timer sweeps on its own', async () => {
  const { h, c } = await setup();
  c.erp.start(1);
  const deadline = Date.now() + 5000;
  while (h.openOrders.get('O1')!.erp.state !== 'committed') {
    if (Date.now() > deadline) assert.fail('the timer never swept');
    await new Promise((r) => setTimeout(r, 2));
  }
  await c.erp.stop();
});

test('a retry releases its order: the next sweep takes it again once due', async () => {
  const { h, c, erp } = await setup(failing(new Error('down')));
  assert.equal(await c.erp.sweep(), 1);
  assert.equal(await c.erp.sweep(), 0, 'not due yet');
  h.clock.ms = T0 + 1000;
  assert.equal(await c.erp.sweep(), 1);
  assert.deepEqual(erp.calls, ['find O1 100', 'place O1 100', 'find O1 100', 'place O1 100']);
});

test('without an error handler, a failed retry or sweep is swallowed, not thrown', async () => {
  const { h, c } = await setup();
  const real = h.changes.change.bind(h.changes);
  h.changes.change = () => Promise.reject(new Error('store down'));
  assert.equal(await c.erp.sweep(), 1);
  h.changes.change = real;
  c.erpQueue.takeDue = () => Promise.reject(new Error('queue down'));
  c.erp.start(60_000);
  c.erp.nudge();
  await c.erp.stop();
});

test('a sweep that fails goes to the error handler when nudged', async () => {
  const errors: unknown[] = [];
  const { c } = await setup(undefined, undefined, { onError: (e) => errors.push(e) });
  c.erpQueue.takeDue = () => Promise.reject(new Error('queue down'));
  c.erp.start(60_000);
  c.erp.nudge();
  await c.erp.stop();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(errors.map(String), ['Error: queue down']);
});

test('on the shared state, the answer is recorded on the locked order', async () => {
  const h = scaleOutHub({ locations: [L1], channels: [web], counts: [count(L1, 'A', 5)] });
  h.store.put(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]));
  const erp = recordingErp();
  const released: string[] = [];
  const commits = new ErpCommits({
    changes: h.changes,
    queue: { takeDue: async () => [], release: (id) => void released.push(id) },
    erp: erp.connector,
    customer: () => undefined,
    clock: h.clock,
    timeoutMs: 50,
    retryBaseMs: 10,
    retryMaxMs: 100,
  });
  const next = await commits.retry(h.store.savedOrder('O1')!);
  assert.equal(next.erp.state, 'committed');
  assert.equal(h.store.savedOrder('O1')!.erp.orderNumber, 'E-O1');
  assert.deepEqual(released, ['O1']);
});

test('the sweep sends an amended order its lines rather than placing it again; an order owing nothing is not sent; a vanished one is not found', async () => {
  const change = { attempts: 1, since: '2026-03-01T09:00:00.000Z', nextAttemptAt: T0 };
  const owing = order('O1', [{ sku: 'A', qty: 3, alloc: [['L1', 3]] }], { erp: { state: 'committed', orderNumber: 'E-1', attempts: 1, change } });
  const settled = order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'committed', orderNumber: 'E-2', attempts: 1 } });
  const { h, c, erp } = await setup(recordingErp(), [owing, settled]);
  assert.equal(await c.erp.sweep(), 1);
  assert.deepEqual(erp.calls, ['change O1 Ax3 100']);
  assert.equal(h.orders.order('O1')!.erp.change, undefined);
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.detail]),
    [['erp.changed', 'ERP order E-1 now has the amended lines']],
  );
  // An ERP that gave no order number: the timeline says so without a gap where the number goes.
  const unnumbered = order('O3', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'committed', attempts: 1, change } });
  await h.changes.change({ orders: [] }, (work) => work.record(unnumbered, []));
  await c.erp.sendChange(h.orders.order('O3')!);
  assert.deepEqual(
    h.orders.timeline('O3').map((t) => [t.step, t.detail]),
    [['erp.changed', 'ERP order now has the amended lines']],
  );
  const o2 = h.orders.order('O2')!;
  assert.equal(await c.erp.sendChange(o2, 'corr-2'), o2);
  assert.equal(await c.erp.retry(o2), o2);
  await assert.rejects(c.erp.sendChange({ ...owing, id: 'O9' }), (e: unknown) => e instanceof NotFoundError && e.kind === 'Order' && e.id === 'O9');
  assert.deepEqual(erp.calls, ['change O1 Ax3 100', 'change O3 Ax1 100', 'change O9 Ax3 100']);
});
