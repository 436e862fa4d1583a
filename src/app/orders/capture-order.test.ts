/**
 * Order capture on the embedded hub, wired as main.ts wires it over in-memory stores and a
 * recording ERP: the Idempotency-Key (claimed, replayed, reused, in flight), refusals before
 * anything is reserved, the order placed with its stock, and the ERP's answer under the channel's
 * policy. What the ERP was asked and what the stores hold are the oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageFailedError, UnknownChannelError } from '../../domain/errors.js';
import {
  DuplicateOrderError,
  ErpUnavailableError,
  IdempotencyKeyInUseError,
  IdempotencyKeyMissingError,
  IdempotencyKeyReusedError,
  InsufficientStockError,
} from '../../domain/orders/order-errors.js';
import type { OrderRequest } from '../../model/order.js';
import { OrderCapture, type CaptureDeps } from './capture-order.js';
import { releaseCreditHolds } from './release-credit-holds.js';
import { channel, count, customerRecord, embeddedCapture, embeddedHub, location, recordingErp, SEP, T0 } from './orders.test-support.js';

const L1 = location('L1');
const ctx = { principal: 'shop', correlationId: 'corr-1' };

function setup(erp = recordingErp()) {
  const h = embeddedHub({
    locations: [L1],
    channels: [channel('web', ['L1']), channel('strict', ['L1'], { onErpUnavailable: 'fail' })],
    counts: [count(L1, 'A', 5), count(L1, 'B', 1)],
  });
  const c = embeddedCapture(h, { erp: erp.connector, customers: [customerRecord('C1'), customerRecord('C2', { creditHold: true })] });
  return { h, c, erp };
}

const request = (more: Partial<OrderRequest> = {}): OrderRequest => ({
  channel: 'web',
  externalId: 'W-1',
  customer: 'C1',
  lines: [{ sku: 'A', qty: 2 }],
  ...more,
});
const down = () => recordingErp(() => Promise.reject(new Error('ERP down')));

test('a capture reserves the stock, commits the order to the ERP and answers 201; the answer is kept for the key', async () => {
  const { h, c, erp } = setup();
  h.clock.ms = T0 + 5;
  const out = await c.capture.capture(request(), 'k-1', ctx);
  assert.deepEqual(out, {
    statusCode: 201,
    body: {
      id: 'ord_1',
      status: 'accepted',
      channel: 'web',
      externalId: 'W-1',
      lines: [{ sku: 'A', qty: 2, reserved: 2, backordered: 0 }],
      erpOrderNumber: 'E-ord_1',
    },
    replayed: false,
  });
  assert.deepEqual(erp.calls, ['place ord_1 100']);
  assert.equal(erp.placed[0]!.correlationId, 'corr-1');
  assert.equal(h.reserved('A', 'L1'), 2);
  assert.equal(h.orders.claimedBy('web', 'W-1'), 'ord_1');
  const order = h.openOrders.get('ord_1')!;
  assert.equal(order.createdAt, new Date(T0 + 5).toISOString());
  assert.deepEqual(
    h.orders.timeline('ord_1').map((t) => [t.step, t.source, t.correlationId]),
    [
      ['captured', 'shop', 'corr-1'],
      ['erp.committed', 'erp', 'corr-1'],
    ],
  );
  h.commits.flush();
  await new Promise((r) => setImmediate(r));
  const stored = h.orders.keyFor(`shop${SEP}k-1`)!;
  assert.equal(stored.orderId, 'ord_1');
  assert.equal(stored.statusCode, 201);
  assert.deepEqual(stored.response, out.body);
});

test('the same request with the same key is answered again, unchanged, without a second order', async () => {
  const { h, c, erp } = setup();
  const first = await c.capture.capture(request(), 'k-1', ctx);
  const again = await c.capture.capture(request(), 'k-1', ctx);
  assert.deepEqual(again, { ...first, replayed: true });
  h.commits.flush();
  await new Promise((r) => setImmediate(r));
  const third = await c.capture.capture(request(), 'k-1', ctx);
  assert.deepEqual(third, { ...first, replayed: true }, 'from the store once written');
  assert.equal(erp.placed.length, 1);
  assert.equal(h.reserved('A', 'L1'), 2);
  // The same key from another API key is another request.
  const other = await c.capture.capture(request({ externalId: 'W-2' }), 'k-1', { ...ctx, principal: 'other' });
  assert.equal(other.replayed, false);
});

test('the key with another request is refused naming the order it made; a missing key is refused', async () => {
  const { c } = setup();
  await c.capture.capture(request(), 'k-1', ctx);
  await assert.rejects(
    c.capture.capture(request({ lines: [{ sku: 'A', qty: 3 }] }), 'k-1', ctx),
    (e: unknown) => e instanceof IdempotencyKeyReusedError && e.key === 'k-1' && e.orderId === 'ord_1',
  );
  await assert.rejects(c.capture.capture(request(), undefined, ctx), IdempotencyKeyMissingError);
});

test('a key in flight is refused to a second request until the first is answered', async () => {
  const { c } = setup();
  const first = c.capture.capture(request(), 'k-1', ctx);
  await assert.rejects(c.capture.capture(request(), 'k-1', ctx), (e: unknown) => e instanceof IdempotencyKeyInUseError && e.key === 'k-1');
  assert.equal((await first).statusCode, 201);
});

test('a key whose order was made but never answered (the process stopped) is answered with the order as it stands', async () => {
  const { h, c } = setup(down());
  await c.capture.capture(request(), 'k-1', ctx);
  h.commits.flush();
  await new Promise((r) => setImmediate(r));
  // As if the answer was never written.
  h.orders.keys.set(`shop${SEP}k-1`, { fingerprint: h.orders.keyFor(`shop${SEP}k-1`)!.fingerprint, orderId: 'ord_1', createdAt: 'x' });
  const fresh = embeddedCapture(h, { customers: [customerRecord('C1')] });
  const out = await fresh.capture.capture(request(), 'k-1', ctx);
  assert.equal(out.replayed, true);
  assert.equal(out.statusCode, 202);
  assert.equal(out.body.id, 'ord_1');
  assert.equal(out.body.status, 'pending_erp');
  // A key bound to an order the hub cannot find is treated as in flight.
  h.orders.keys.set(`shop${SEP}k-2`, { fingerprint: h.orders.keyFor(`shop${SEP}k-1`)!.fingerprint, orderId: 'ord_9', createdAt: 'x' });
  await assert.rejects(fresh.capture.capture(request(), 'k-2', ctx), IdempotencyKeyInUseError);
});

test('a channel number already captured is a duplicate naming its order; the key may be used again', async () => {
  const { h, c } = setup();
  await c.capture.capture(request(), 'k-1', ctx);
  await assert.rejects(
    c.capture.capture(request(), 'k-2', ctx),
    (e: unknown) => e instanceof DuplicateOrderError && e.channel === 'web' && e.externalId === 'W-1' && e.orderId === 'ord_1',
  );
  assert.equal(h.reserved('A', 'L1'), 2);
  assert.equal((await c.capture.capture(request({ externalId: 'W-2' }), 'k-2', ctx)).statusCode, 201);
});

test('two captures of one channel number at once: the second is a duplicate of the one being captured', async () => {
  const { c } = setup();
  const [a, b] = await Promise.allSettled([c.capture.capture(request(), 'k-1', ctx), c.capture.capture(request(), 'k-2', ctx)]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.ok((b as PromiseRejectedResult).reason instanceof DuplicateOrderError);
  assert.equal((b as PromiseRejectedResult).reason.orderId, '(being captured now)');
});

test('not enough stock is refused with the shortfall; nothing is held and the number and key stay free', async () => {
  const { h, c } = setup();
  await assert.rejects(
    c.capture.capture(request({ lines: [{ sku: 'B', qty: 2 }] }), 'k-1', ctx),
    (e: unknown) => e instanceof InsufficientStockError && e.channel === 'web' && e.shortfalls[0]!.sku === 'B',
  );
  assert.equal(h.reserved('B', 'L1'), 0);
  assert.equal(h.orders.claimedBy('web', 'W-1'), undefined);
  assert.equal((await c.capture.capture(request(), 'k-1', ctx)).statusCode, 201, 'the key is free again');
});

test('with backorders allowed, the rest is owed; concurrent captures never take the same last unit', async () => {
  const { c } = setup();
  const owed = await c.capture.capture(request({ lines: [{ sku: 'A', qty: 7 }], backorder: 'allow' }), 'k-1', ctx);
  assert.deepEqual(owed.body.lines, [{ sku: 'A', qty: 7, reserved: 5, backordered: 2 }]);
  const [x, y] = await Promise.allSettled([
    c.capture.capture(request({ externalId: 'W-2', lines: [{ sku: 'B', qty: 1 }] }), 'k-2', ctx),
    c.capture.capture(request({ externalId: 'W-3', lines: [{ sku: 'B', qty: 1 }] }), 'k-3', ctx),
  ]);
  assert.deepEqual([x.status, y.status].sort(), ['fulfilled', 'rejected']);
});

test('an unknown channel is refused before anything is claimed', async () => {
  const { h, c } = setup();
  await assert.rejects(c.capture.capture(request({ channel: 'fax' }), 'k-1', ctx), UnknownChannelError);
  assert.equal(h.orders.keyFor(`shop${SEP}k-1`), undefined);
  assert.equal((await c.capture.capture(request(), 'k-1', ctx)).statusCode, 201);
});

test('a customer on credit hold: the order is captured held, not sent to the ERP, and says why', async () => {
  const { h, c, erp } = setup();
  const out = await c.capture.capture(request({ customer: 'C2' }), 'k-1', ctx);
  assert.equal(out.statusCode, 201);
  assert.equal(out.body.status, 'credit_hold');
  assert.deepEqual(erp.calls, []);
  assert.deepEqual(
    h.orders.timeline('ord_1').map((t) => [t.step, t.detail]),
    [['captured', 'customer C2 is on credit hold; held, not sent to the ERP']],
  );
  assert.deepEqual(await c.erpQueue.takeDue(8), [], 'not due for the ERP');
  // The hold lifted, the sweep places it: the capture never kept it for itself.
  assert.equal(await releaseCreditHolds(h.changes, 'C2'), 1);
  assert.equal(await c.erp.sweep(), 1);
  assert.deepEqual(erp.calls, ['find ord_1 100', 'place ord_1 100']);
});

test('while the capture calls the ERP, the sweep leaves its order alone', async () => {
  let answer: (v: { orderNumber: string }) => void = () => {};
  const erp = recordingErp(() => new Promise((r) => (answer = r)));
  const { c } = setup(erp);
  const capturing = c.capture.capture(request(), 'k-1', ctx);
  for (let i = 0; i < 1000 && erp.calls.length === 0; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(erp.calls, ['place ord_1 100'], 'the capture is in its ERP call');
  assert.deepEqual(await c.erpQueue.takeDue(8), []);
  answer({ orderNumber: 'E-1' });
  assert.equal((await capturing).statusCode, 201);
});

test('the ERP down: a queueing channel answers 202 and keeps the order; a failing channel refuses and frees everything', async () => {
  const { h, c } = setup(down());
  const queued = await c.capture.capture(request(), 'k-1', ctx);
  assert.equal(queued.statusCode, 202);
  assert.equal(queued.body.status, 'pending_erp');
  assert.equal(h.reserved('A', 'L1'), 2);
  await assert.rejects(c.capture.capture(request({ channel: 'strict', externalId: 'S-1' }), 'k-2', ctx), ErpUnavailableError);
  assert.equal(h.reserved('A', 'L1'), 2, 'the failed order holds nothing');
  assert.equal(h.orders.claimedBy('strict', 'S-1'), undefined);
  assert.equal(h.orders.keyFor(`shop${SEP}k-2`), undefined);
  const later = await c.capture.capture(request({ channel: 'strict', externalId: 'S-1', lines: [{ sku: 'B', qty: 1 }] }), 'k-2', ctx).catch((e) => e);
  assert.ok(later instanceof ErpUnavailableError, 'the key and number may be used again');
});

test('a placement that cannot be stored fails, takes nothing, and leaves the number free', async () => {
  const { h, c } = setup();
  h.inventory.failing = 1;
  await assert.rejects(c.capture.capture(request(), 'k-1', ctx), (e: unknown) => e instanceof StorageFailedError && /the order/.test(e.message));
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.equal(h.orders.claimedBy('web', 'W-1'), undefined);
  assert.equal(h.openOrders.get('ord_1'), undefined);
  const again = await c.capture.capture(request(), 'k-1', ctx);
  assert.equal(again.statusCode, 201);
  assert.deepEqual(await c.erpQueue.takeDue(8), []);
});

test('a replay answers what was answered then, even after the order moved on', async () => {
  const { h, c } = setup();
  const first = await c.capture.capture(request(), 'k-1', ctx);
  h.commits.flush();
  await new Promise((r) => setImmediate(r));
  await c.desk.cancel('ord_1', ctx);
  const again = await c.capture.capture(request(), 'k-1', ctx);
  assert.deepEqual(again, { ...first, replayed: true });
  assert.equal(again.body.status, 'accepted');
});

test('a key held elsewhere with nothing stored is in use; a placement on an unknown channel is refused naming it', async () => {
  const { h, c } = setup();
  const held = new OrderCapture({
    ...captureDeps(h, c),
    keys: { claim: async () => ({ claimed: false, stored: undefined, inFlight: false }), drop: async () => {}, answered: async () => {} },
  });
  await assert.rejects(held.capture(request(), 'k-1', ctx), (e: unknown) => e instanceof IdempotencyKeyInUseError && e.key === 'k-1');
  const gone = new OrderCapture({ ...captureDeps(h, c), placement: { place: async () => ({ ok: false, shortfalls: [], unknownChannel: true }) } });
  await assert.rejects(gone.capture(request(), 'k-2', ctx), (e: unknown) => e instanceof UnknownChannelError && e.channel === 'web' && e.path === '/channel');
});

function captureDeps(h: ReturnType<typeof setup>['h'], c: ReturnType<typeof setup>['c']): CaptureDeps {
  return {
    keys: c.keys,
    placement: c.placement,
    erp: c.erp,
    view: h.state,
    customer: (id) => c.customers.get(id),
    order: (id) => h.openOrders.get(id),
    clock: h.clock,
    newOrderId: () => 'ord_x',
  };
}
