import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrderHub, type OrderHub } from './support/order-hub.js';

let hub: OrderHub;
before(async () => { hub = await startOrderHub(); });
after(async () => { await hub.stop(); });

let ext = 0;
const order = (lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) =>
  ({ channel: 'queued', externalId: `W-${++ext}`, customer: 'C-42', lines, ...extra });

test('captures an order: reserves stock, commits it to the ERP and answers its number', async () => {
  await hub.stock('ABC-100', 'DAL', 10);
  assert.equal(await hub.available('ABC-100'), 10);
  const res = await hub.order(order([{ sku: 'ABC-100', qty: 3 }]));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.status, 'accepted');
  assert.match(res.body.erpOrderNumber, /^SO-\d+$/);
  assert.deepEqual(res.body.lines, [{ sku: 'ABC-100', qty: 3, reserved: 3, backordered: 0 }]);
  assert.equal(await hub.available('ABC-100'), 7, 'the reservation shows in availability at once');
  const erpOrder = hub.erp.orders.get(res.body.id);
  assert.equal(erpOrder?.orderNumber, res.body.erpOrderNumber);
  const got = await hub.api('GET', `/v1/orders/${res.body.id}`);
  assert.equal(got.body.status, 'accepted');
  assert.deepEqual(got.body.lines[0].allocations, [{ location: 'DAL', reserved: 3 }]);
  const timeline = await hub.api('GET', `/v1/orders/${res.body.id}/timeline`);
  assert.deepEqual(timeline.body.entries.map((e: { step: string }) => e.step), ['captured', 'erp.committed']);
  assert.ok(timeline.body.entries.every((e: { correlationId?: string }) => typeof e.correlationId === 'string'));
  const metrics = await fetch(`${hub.url}/metrics`).then((r) => r.text());
  assert.match(metrics, /crossdock_orders_open\{status="accepted"\} [1-9]/);
});

test('the same key and body answer the stored result; another body is 422; no key is 400', async () => {
  await hub.stock('XYZ-200', 'DAL', 20);
  const body = order([{ sku: 'XYZ-200', qty: 2 }]);
  const first = await hub.order(body, 'same-key-1');
  const again = await hub.order({ ...body, lines: [...body.lines] }, 'same-key-1');
  assert.equal(again.status, first.status);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const other = await hub.order({ ...body, lines: [{ sku: 'XYZ-200', qty: 5 }] }, 'same-key-1');
  assert.equal(other.status, 422);
  assert.equal(other.body.type, 'urn:crossdock:problem:idempotency_key_reused');
  const none = await hub.api('POST', '/v1/orders', order([{ sku: 'XYZ-200', qty: 1 }]));
  assert.equal(none.status, 400);
  assert.equal(none.body.type, 'urn:crossdock:problem:idempotency_key_required');
  assert.equal(await hub.available('XYZ-200'), 18, 'only the first request reserved');
});

test('a second capture of the same channel order under a new key is refused, naming the first', async () => {
  await hub.stock('PIPE-1', 'ATL', 50);
  const body = order([{ sku: 'PIPE-1', qty: 1 }]);
  const first = await hub.order(body);
  const dup = await hub.order(body);
  assert.equal(dup.status, 409);
  assert.equal(dup.body.orderId, first.body.id);
});

test('validation happens before anything is reserved and names the field', async () => {
  await hub.stock('ABC-100', 'ATL', 5);
  const before = await hub.available('ABC-100');
  const cases: [Record<string, unknown>, number, string][] = [
    [order([{ sku: 'ABC-100', qty: 1 }], { customer: 'C-NOBODY' }), 422, '/customer'],
    [order([{ sku: 'ABC-100', qty: 1 }], { customer: 'C-GONE' }), 422, '/customer'],
    [order([{ sku: 'ABC-100', qty: 1 }, { sku: 'NOPE-1', qty: 1 }]), 422, '/lines/1/sku'],
    [order([{ sku: 'ABC-100', qty: 0 }]), 400, '/lines/0/qty'],
    [order([{ sku: 'ABC-100', qty: 1.5 }]), 400, '/lines/0/qty'],
    [order([{ sku: 'ABC-100', qty: 1000 }]), 409, '/lines/0/qty'],
    [order([{ sku: 'ABC-100', qty: 1 }, { sku: 'ABC-100', qty: 1 }]), 422, '/lines/1/sku'],
  ];
  for (const [body, status, path] of cases) {
    const res = await hub.order(body);
    assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
    assert.ok(res.body.errors.some((e: { path: string }) => e.path === path), `${path} in ${JSON.stringify(res.body.errors)}`);
  }
  const unknownChannel = await hub.order(order([{ sku: 'ABC-100', qty: 1 }], { channel: 'nowhere' }));
  assert.equal(unknownChannel.status, 404);
  assert.equal(unknownChannel.body.type, 'urn:crossdock:problem:unknown_channel');
  assert.equal(await hub.available('ABC-100'), before, 'nothing was reserved');
});

test('credit hold: held without ERP on a hold channel, rejected on a reject channel, released when lifted', async () => {
  await hub.stock('XYZ-200', 'ATL', 10);
  const held = await hub.order(order([{ sku: 'XYZ-200', qty: 1 }], { customer: 'C-HOLD' }));
  assert.equal(held.status, 201);
  assert.equal(held.body.status, 'credit_hold');
  assert.equal(held.body.erpOrderNumber, undefined);
  assert.equal(hub.erp.orders.has(held.body.id), false, 'nothing sent to the ERP');
  const rejected = await hub.order(order([{ sku: 'XYZ-200', qty: 1 }], { customer: 'C-HOLD', channel: 'strict' }));
  assert.equal(rejected.status, 422);
  assert.equal(rejected.body.type, 'urn:crossdock:problem:credit_hold');
  await hub.api('PUT', '/v1/customers/C-HOLD', { name: 'Slow Payer Inc', active: true, creditHold: false });
  let after = await hub.api('GET', `/v1/orders/${held.body.id}`);
  // The ERP takes the order first; the hub records its answer just after.
  for (let i = 0; i < 100 && after.body.status !== 'accepted'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    after = await hub.api('GET', `/v1/orders/${held.body.id}`);
  }
  assert.equal(after.body.status, 'accepted');
  assert.equal(after.body.erpOrderNumber, hub.erp.orders.get(held.body.id)?.orderNumber);
});

test('backorder allow reserves what is there and backorders the rest, filled when stock arrives', async () => {
  // An item is known once an inventory event names it.
  await hub.stock('BO-1', 'DAL', 4);
  const res = await hub.order(order([{ sku: 'BO-1', qty: 6 }], { backorder: 'allow' }));
  assert.equal(res.status, 201);
  assert.deepEqual(res.body.lines, [{ sku: 'BO-1', qty: 6, reserved: 4, backordered: 2 }]);
  assert.equal(res.body.status, 'backordered');
  assert.equal(await hub.available('BO-1'), 0);
  const rejected = await hub.order(order([{ sku: 'BO-1', qty: 1 }]));
  assert.equal(rejected.status, 409, 'backorder: reject reserves all or nothing');
  await hub.stock('BO-1', 'ATL', 5);
  const after = await hub.api('GET', `/v1/orders/${res.body.id}`);
  assert.deepEqual(after.body.lines[0].allocations, [{ location: 'DAL', reserved: 4 }, { location: 'ATL', reserved: 2 }]);
  assert.equal(after.body.lines[0].backordered, 0);
  assert.equal(after.body.status, 'accepted');
  assert.equal(await hub.available('BO-1'), 3);
  const timeline = await hub.api('GET', `/v1/orders/${res.body.id}/timeline`);
  assert.ok(timeline.body.entries.some((e: { step: string }) => e.step === 'backorder.filled'));
});

test('sourcing prefers one location for the whole order, then fewest splits per line', async () => {
  await hub.stock('PIPE-1', 'DAL', 2);
  await hub.stock('PIPE-1', 'ATL', 10);
  await hub.stock('XYZ-200', 'DAL', 1);
  await hub.stock('XYZ-200', 'ATL', 10);
  const res = await hub.order(order([{ sku: 'PIPE-1', qty: 3 }, { sku: 'XYZ-200', qty: 2 }]));
  const got = await hub.api('GET', `/v1/orders/${res.body.id}`);
  assert.deepEqual(got.body.lines.map((l: { allocations: unknown }) => l.allocations), [[{ location: 'ATL', reserved: 3 }], [{ location: 'ATL', reserved: 2 }]]);
});

test('cancel releases what is reserved, tells the ERP through the outbox, and cannot cancel twice', async () => {
  await hub.stock('PIPE-1', 'DAL', 8);
  await hub.stock('PIPE-1', 'ATL', 0);
  const res = await hub.order(order([{ sku: 'PIPE-1', qty: 5 }]));
  assert.equal(await hub.available('PIPE-1'), 3);
  const cancelled = await hub.api('POST', `/v1/orders/${res.body.id}/cancel`, { reason: 'customer changed their mind' });
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal(await hub.available('PIPE-1'), 8);
  const outbox = await hub.api('GET', '/v1/outbox?destination=erp');
  assert.ok(outbox.body.messages.some((m: { topic: string; messageKey: string }) => m.topic === 'order.cancel' && m.messageKey === res.body.id));
  const again = await hub.api('POST', `/v1/orders/${res.body.id}/cancel`);
  assert.equal(again.status, 409);
  assert.equal((await hub.api('POST', '/v1/orders/ord_nope/cancel')).status, 404);
});
