/**
 * The order routes over the embedded backend (live reads over in-memory stores): capture,
 * views, pages, timelines, cancellation and the outbox, each seen through the caller's channel
 * access. A key bound to channels meets another channel's orders as missing ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from '../../domain/errors.js';
import { ChannelAccess, ChannelNotGrantedError, ChannelRequiredError } from '../../domain/access/channel-access.js';
import { DuplicateOrderError, IdempotencyKeyMissingError, IdempotencyKeyReusedError, InsufficientStockError } from '../../domain/orders/order-errors.js';
import type { OrderRequest } from '../../model/order.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import { channel, count, customerRecord, embeddedCapture, embeddedHub, location, order, T0 } from './orders.test-support.js';

const L1 = location('L1');
const ctx = { principal: 'shop', correlationId: 'corr-1' };
const webOnly = ChannelAccess.of(new Set(['web']));
const b2bOnly = ChannelAccess.of(new Set(['b2b']));
const both = ChannelAccess.of(new Set(['web', 'b2b']));

async function desk() {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1']), channel('b2b', ['L1'])], counts: [count(L1, 'A', 50)] });
  const c = embeddedCapture(h, { customers: [customerRecord('C1'), customerRecord('C2')] });
  const req = (externalId: string, more: Partial<OrderRequest> = {}): OrderRequest => ({
    channel: 'web',
    externalId,
    customer: 'C1',
    lines: [{ sku: 'A', qty: 1 }],
    ...more,
  });
  return { h, c, req };
}

test('a capture on a channel the key is not bound to is refused before anything happens', async () => {
  const { h, c, req } = await desk();
  await assert.rejects(c.desk.capture(req('W-1'), 'k', ctx, b2bOnly), (e: unknown) => e instanceof ChannelNotGrantedError && e.path === '/channel');
  assert.equal(h.openOrders.get('ord_1'), undefined);
  const out = await c.desk.capture(req('W-1'), 'k', ctx, webOnly);
  assert.equal(out.statusCode, 201);
  assert.equal((await c.desk.capture(req('W-2'), 'k2', ctx)).statusCode, 201, 'every channel by default');
});

test('a reused key names its order only to a caller who may see that order', async () => {
  const { c, req } = await desk();
  await c.desk.capture(req('W-1'), 'k', ctx);
  const other = req('W-1', { lines: [{ sku: 'A', qty: 2 }] });
  const reused = (access?: ChannelAccess) => c.desk.capture({ ...other, channel: access === b2bOnly ? 'b2b' : 'web' }, 'k', ctx, access).catch((e) => e);
  const open = await reused();
  assert.ok(open instanceof IdempotencyKeyReusedError);
  assert.equal(open.orderId, 'ord_1');
  const mine = await reused(webOnly);
  assert.equal(mine.orderId, 'ord_1');
  const hidden = await reused(b2bOnly);
  assert.ok(hidden instanceof IdempotencyKeyReusedError);
  assert.equal(hidden.orderId, undefined);
});

test('an order is viewed with its waiting events, by id or by channel number, unless on another channel', async () => {
  const { h, c, req } = await desk();
  await c.desk.capture(req('W-1'), 'k', ctx);
  await h.changes.change({ orders: [] }, (work) =>
    work.saveWaiting([{ position: 3, orderId: 'ord_1', since: 'x', reason: 'r', event: { type: 'order.shipped', orderId: 'ord_1' } as never }]),
  );
  const v = await c.desk.view('ord_1');
  assert.equal(v!.id, 'ord_1');
  assert.equal(v!.waitingEvents, 1);
  assert.equal(v!.customer, 'C1');
  assert.equal((await c.desk.view('ord_1', webOnly))!.id, 'ord_1');
  assert.equal(await c.desk.view('ord_1', b2bOnly), undefined);
  assert.equal(await c.desk.view('ord_9'), undefined);
  const byRef = await c.desk.byReference('web', 'W-1');
  assert.equal(byRef!.id, 'ord_1');
  assert.equal(byRef!.waitingEvents, 1);
  assert.equal(await c.desk.byReference('web', 'W-9'), undefined);
  await assert.rejects(c.desk.byReference('web', 'W-1', b2bOnly), (e: unknown) => e instanceof ChannelNotGrantedError && e.path === '/channel');
});

test('pages of orders, newest first, narrowed to a bound key’s channel', async () => {
  const { h, c, req } = await desk();
  for (const [i, ch] of ['web', 'b2b', 'web'].entries()) {
    h.clock.ms = T0 + i * 1000;
    await c.desk.capture(req(`X-${i}`, { channel: ch }), `k-${i}`, ctx);
  }
  const first = await c.desk.list({ limit: 2 });
  assert.deepEqual(
    first.orders.map((o) => o.id),
    ['ord_3', 'ord_2'],
  );
  assert.notEqual(first.next, null);
  const web = await c.desk.list({ limit: 10 }, webOnly);
  assert.deepEqual(
    web.orders.map((o) => o.id),
    ['ord_3', 'ord_1'],
  );
  assert.equal(web.next, null);
  assert.deepEqual(
    (await c.desk.list({ channel: 'b2b', limit: 10 }, both)).orders.map((o) => o.id),
    ['ord_2'],
  );
  assert.throws(
    () => c.desk.list({ limit: 10 }, both),
    (e: unknown) => e instanceof ChannelRequiredError && e.path === '/channel',
  );
  assert.throws(
    () => c.desk.list({ channel: 'web', limit: 10 }, b2bOnly),
    (e: unknown) => e instanceof ChannelNotGrantedError && e.path === '/channel',
  );
  assert.equal((await c.desk.list({ limit: 10 })).orders[0]!.waitingEvents, 0);
});

test('a timeline is shown only to a caller who may see the order', async () => {
  const { c, req } = await desk();
  await c.desk.capture(req('W-1'), 'k', ctx);
  assert.deepEqual(
    (await c.desk.timeline('ord_1'))!.map((t) => t.step),
    ['captured', 'erp.committed'],
  );
  assert.equal((await c.desk.timeline('ord_1', webOnly))!.length, 2);
  assert.equal(await c.desk.timeline('ord_1', b2bOnly), undefined);
  assert.equal(await c.desk.timeline('ord_9'), undefined);
});

test('whether a customer ordered on one of the caller’s channels', async () => {
  const { c, req } = await desk();
  await c.desk.capture(req('W-1', { customer: 'C2', channel: 'b2b' }), 'k', ctx);
  assert.equal(await c.desk.customerOrderedOn('C2', webOnly), false);
  assert.equal(await c.desk.customerOrderedOn('C2', b2bOnly), true);
  assert.equal(await c.desk.customerOrderedOn('C2', both), true);
  assert.equal(await c.desk.customerOrderedOn('C2', ChannelAccess.everyChannel), true);
  assert.equal(await c.desk.customerOrderedOn('C1', ChannelAccess.everyChannel), false);
});

test('cancelling: another channel’s order is not found; a visible one is cancelled and shown', async () => {
  const { h, c, req } = await desk();
  await c.desk.capture(req('W-1'), 'k', ctx);
  await assert.rejects(c.desk.cancel('ord_1', ctx, b2bOnly), (e: unknown) => e instanceof NotFoundError && e.kind === 'Order' && e.id === 'ord_1');
  assert.equal(h.openOrders.get('ord_1')!.cancelled, false);
  await assert.rejects(c.desk.cancel('ord_9', ctx), NotFoundError);
  const v = await c.desk.cancel('ord_1', { ...ctx, reason: 'changed mind' }, webOnly);
  assert.equal(v.status, 'cancelled');
  assert.equal(v.waitingEvents, 0);
  const msgs = await c.desk.outbox(0, 10);
  assert.deepEqual(
    msgs.map((m) => [m.destination, m.topic]),
    [['erp', 'order.cancel']],
  );
  assert.deepEqual(await c.desk.outbox(0, 10, 'location:L1'), []);
  assert.deepEqual(await c.desk.outbox(1, 10), []);
});

test('other refusals reach the caller as they are, bound key or not', async () => {
  const { c, req } = await desk();
  await assert.rejects(c.desk.capture(req('W-1', { lines: [{ sku: 'A', qty: 99 }] }), 'k', ctx), InsufficientStockError);
  await assert.rejects(c.desk.capture(req('W-1', { lines: [{ sku: 'A', qty: 99 }] }), 'k', ctx, webOnly), InsufficientStockError);
  await c.desk.capture(req('W-1'), 'k', ctx, webOnly);
  await assert.rejects(c.desk.capture(req('W-1'), 'k2', ctx, webOnly), DuplicateOrderError);
});

test('an amendment needs a key of its own, meets an order of another channel as a missing one, and answers the view', async () => {
  const { h, c, req } = await desk();
  await c.desk.capture(req('W-1'), 'k', ctx);
  await assert.rejects(
    c.desk.amend('ord_1', [{ sku: 'A', qty: 2 }], undefined, ctx),
    (e: unknown) =>
      e instanceof IdempotencyKeyMissingError &&
      e.message ===
        'POST /v1/orders/{id}/amendments needs an Idempotency-Key header (1–255 printable characters), so a retried request cannot amend the order twice.',
  );
  await assert.rejects(
    c.desk.amend('ord_1', [{ sku: 'A', qty: 2 }], 'a1', ctx, b2bOnly),
    (e: unknown) => e instanceof NotFoundError && e.kind === 'Order' && e.id === 'ord_1',
  );
  assert.equal(h.reserved('A', 'L1'), 1);
  const done = await c.desk.amend('ord_1', [{ sku: 'A', qty: 2 }], 'a1', ctx, webOnly);
  assert.deepEqual([done.replayed, done.view.lines.map((l) => [l.sku, l.qty]), done.view.waitingEvents], [false, [['A', 2]], 0]);
  assert.equal(h.reserved('A', 'L1'), 2);
  assert.equal((await c.desk.amend('ord_1', [{ sku: 'A', qty: 2 }], 'a1', ctx)).replayed, true);
  // The key is scoped to its sender: another principal's same key is a new amendment.
  assert.equal((await c.desk.amend('ord_1', [{ sku: 'A', qty: 3 }], 'a1', { ...ctx, principal: 'ops' })).replayed, false);
  assert.deepEqual(
    h.orders.order('ord_1')!.amendedBy!.map((k) => k.key),
    ['shop\u001fa1', 'ops\u001fa1'],
  );
});

test('the orders owing the ERP a change are listed oldest amendment first, up to the limit', async () => {
  const { h, c } = await desk();
  const owing = (id: string, since: string | undefined, more: Partial<OrderState> = {}) =>
    order(id, [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], {
      erp: { state: 'committed', attempts: 1, change: { attempts: 0, ...(since ? { since } : {}) } },
      ...more,
    });
  await h.changes.change({ orders: [] }, (work) => {
    // Recorded neither oldest first nor newest first, so no sort that ignores the times passes. A
    // change with no time (recorded before changes kept one) counts as the oldest, on either side
    // of a comparison: one such order is recorded first, another later.
    work.record(owing('O6', undefined), []);
    work.record(owing('O1', '2026-03-01T09:00:00.000Z'), []);
    work.record(owing('O0', '2026-03-01T10:00:00.000Z'), []);
    work.record(owing('O2', '2026-03-01T08:00:00.000Z'), []);
    work.record(owing('O3', undefined), []);
    work.record(owing('O4', '2026-03-01T07:00:00.000Z', { erp: { state: 'pending', attempts: 0, change: { attempts: 0 } } }), []);
    work.record(order('O5', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'committed', attempts: 1 } }), []);
  });
  assert.deepEqual((await c.reads.owingErpChange(10)).map((o) => o.id).slice(2), ['O2', 'O1', 'O0']);
  assert.deepEqual(
    (await c.reads.owingErpChange(10))
      .map((o) => o.id)
      .slice(0, 2)
      .sort(),
    ['O3', 'O6'],
  );
  assert.deepEqual((await c.reads.owingErpChange(3)).map((o) => o.id).slice(2), ['O2']);
});

test('an order is found by its channel number with its lines as an amendment starts from them', async () => {
  const { h, c } = await desk();
  const o = order('O1', [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 },
  ]);
  o.lines[0]!.unitPrice = 3.5;
  await h.changes.change({ orders: [] }, (work) => work.record(o, []));
  h.orders.claimReference('web', 'X-O1', 'O1');
  assert.deepEqual(await c.desk.linesOf('web', 'X-O1'), {
    orderId: 'O1',
    lines: [
      { sku: 'A', qty: 2, unitPrice: 3.5 },
      { sku: 'B', qty: 1 },
    ],
  });
  assert.equal(await c.desk.linesOf('web', 'X-O2'), undefined);
});
