/**
 * What the ERP's answer does to an order, decided on the order as it stands when recorded: the
 * commit (with what waited for it), a failure to retry later, a failure that fails the order at
 * capture (stock, channel number and key freed), and answers for orders cancelled meanwhile.
 * Driven on the embedded hub over in-memory stores; the outbox and the stores are the oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErpCallError } from '../../domain/orders/order-errors.js';
import type { OrderEvent } from '../../model/order-event.js';
import type { ErpOutcome } from './erp-attempt.js';
import { recordErpAnswer, type ErpAnswerContext } from './record-erp-answer.js';
import { channel, count, embeddedHub, location, order, T0 } from './orders.test-support.js';

const L1 = location('L1');

async function hubWith(o = order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }])) {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 5)] });
  await h.changes.change({ orders: [] }, (work) => work.record(o, []));
  h.orders.claimReference('web', o.externalId, o.id);
  h.orders.rememberKey('key-1', 'fp', o.id, 'x');
  h.orders.timelineRows = [];
  return h;
}

const answer = (h: Awaited<ReturnType<typeof hubWith>>, outcome: ErpOutcome, ctx: Partial<ErpAnswerContext> = {}, id = 'O1') =>
  h.changes.change({ orders: [id] }, (work) => recordErpAnswer(work, id, outcome, { nextAttemptAt: (n) => T0 + n * 1000, ...ctx }));

const down = new ErpCallError('order placement', 'ERP down', false, true);
const slow = new ErpCallError('order placement', 'no answer in 100 ms', true, true);

test('a commit records the ERP order number, on the timeline with the correlation id', async () => {
  const h = await hubWith();
  const next = await answer(h, { orderNumber: 'E-7' }, { correlationId: 'corr-1' });
  assert.deepEqual(next!.erp, { state: 'committed', orderNumber: 'E-7', attempts: 1 });
  assert.equal(h.orders.orders.get('O1')!.status, 'accepted');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.source, t.correlationId, t.detail]),
    [['erp.committed', 'erp', 'corr-1', 'ERP order E-7']],
  );
  assert.deepEqual(h.orders.outbox(0, 10), []);
});

test('a release that waited for the ERP applies with the commit', async () => {
  const h = await hubWith();
  const release: OrderEvent = { id: 'r1', source: 'wms', seq: 1, occurredAt: '2026-03-01T09:00:00Z', orderId: 'O1', type: 'order.released' };
  await h.changes.change({ orders: ['O1'] }, (work) => work.saveWaiting([{ position: 3, orderId: 'O1', event: release, since: 'x', reason: 'r' }]));
  const next = await answer(h, { orderNumber: 'E-7' });
  assert.equal(next!.released, true);
  assert.equal(h.orders.waiting.size, 0);
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => t.step),
    ['erp.committed', 'order.released'],
  );
  assert.deepEqual(
    h.orders.outbox(0, 10).map((m) => [m.destination, m.topic]),
    [['location:L1', 'fulfilment.request']],
  );
});

test('a failure counts the attempt and sets the next one; the stock stays held', async () => {
  const h = await hubWith();
  const next = await answer(h, { failure: down });
  assert.deepEqual(next!.erp, { state: 'pending', attempts: 1, lastError: 'ERP down', nextAttemptAt: T0 + 1000 });
  assert.equal(h.reserved('A', 'L1'), 2);
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.correlationId]),
    [['erp.attempt_failed', undefined]],
  );
  assert.equal(h.orders.claimedBy('web', 'X-O1'), 'O1');
});

test('at capture on a failing channel, a failure fails the order and frees its stock, number and key', async () => {
  const h = await hubWith();
  const next = await answer(h, { failure: down }, { correlationId: 'corr-2', failAtCapture: { channel: 'web', idempotencyKey: 'key-1' } });
  assert.deepEqual(next!.erp, { state: 'failed', attempts: 1, lastError: 'ERP down' });
  assert.equal(h.reserved('A', 'L1'), 0);
  assert.equal(h.orders.orders.get('O1')!.status, 'erp_failed');
  assert.equal(h.orders.claimedBy('web', 'X-O1'), undefined);
  assert.equal(h.orders.keyFor('key-1'), undefined);
  assert.deepEqual(h.orders.outbox(0, 10), [], 'the ERP answered: it took nothing');
  assert.deepEqual(
    h.orders.timeline('O1').map((t) => [t.step, t.source, t.correlationId, t.detail]),
    [['erp.failed', 'hub', 'corr-2', 'channel web fails orders when the ERP is unavailable: ERP down; reservation released']],
  );
});

test('at capture, a call that timed out fails the order and asks the ERP to void the reference', async () => {
  const h = await hubWith();
  const next = await answer(h, { failure: slow }, { failAtCapture: { channel: 'web', idempotencyKey: 'key-1' } });
  assert.deepEqual(next!.erp, { state: 'failed', attempts: 1, lastError: 'no answer in 100 ms', timedOut: true });
  assert.deepEqual(
    h.orders.outbox(0, 10).map((m) => [m.destination, m.topic, m.payload, m.idempotencyKey]),
    [['erp', 'order.void', { reference: 'O1' }, 'O1/erp.failed/erp/order.void']],
  );
});

test('an order cancelled while the call ran: the ERP is told to cancel what it took, or void what it may have', async () => {
  const cancelledOrder = () => order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], { cancelled: true });
  const took = await hubWith(cancelledOrder());
  const a = await answer(took, { orderNumber: 'E-8' });
  assert.equal(a!.erp.state, 'committed');
  assert.deepEqual(
    took.orders.outbox(0, 10).map((m) => [m.topic, m.idempotencyKey, m.payload]),
    [['order.cancel', 'O1/erp.after_cancel/erp/order.cancel', { orderId: 'O1', erpOrderNumber: 'E-8', reason: 'cancelled while the ERP took the order' }]],
  );
  const maybe = await hubWith(cancelledOrder());
  await answer(maybe, { failure: slow }, { failAtCapture: { channel: 'web', idempotencyKey: 'key-1' } });
  assert.deepEqual(
    maybe.orders.outbox(0, 10).map((m) => m.topic),
    ['order.void'],
  );
  assert.equal(maybe.openOrders.get('O1')!.erp.state, 'pending', 'a cancelled order is not failed: it is cancelled');
  assert.equal(maybe.orders.claimedBy('web', 'X-O1'), 'O1');
  const refused = await hubWith(cancelledOrder());
  await answer(refused, { failure: down });
  assert.deepEqual(refused.orders.outbox(0, 10), []);
  assert.deepEqual(
    refused.orders.timeline('O1').map((t) => t.step),
    ['erp.attempt_failed'],
  );
});

test('an answer for an order already committed, failed or held, or unknown, changes nothing', async () => {
  for (const erp of [
    { state: 'committed' as const, orderNumber: 'E-1', attempts: 1 },
    { state: 'failed' as const, attempts: 1 },
    { state: 'held' as const, attempts: 0 },
  ]) {
    const h = await hubWith(order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp }));
    const same = await answer(h, { orderNumber: 'E-2' });
    assert.deepEqual(same!.erp, erp);
    assert.deepEqual(h.orders.timeline('O1'), []);
  }
  const h = await hubWith();
  assert.equal(await answer(h, { orderNumber: 'E-2' }, {}, 'O9'), undefined);
});
