/**
 * One ERP attempt and what it does to the order: the reference is asked for before placing
 * again after a timeout, every failure comes back as an outcome, and the backoff stays in its
 * window. Driven through a recording ERP, not a mock of the function.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErpCallError } from '../../domain/orders/order-errors.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { ErpConnector, ErpOrder } from '../../ports/erp.js';
import { afterErpAttempt, attemptErpCommit, cancelledMeanwhile, erpAttemptStep, erpBackoff } from './erp-attempt.js';

const order = (changes: Partial<OrderState> = {}): OrderState => ({
  id: 'O1',
  channel: 'web',
  externalId: 'X1',
  customer: 'C1',
  backorder: 'reject',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  erp: { state: 'pending', attempts: 0 },
  released: false,
  delivered: false,
  invoiced: false,
  cancelled: false,
  lines: [{ sku: 'A', qty: 2, unitPrice: 3, alloc: [['L1', 2]], departed: {}, returned: 0 }],
  shipments: [],
  ...changes,
});

/** An ERP that records calls; `found` answers findOrder, `place` answers placeOrder. */
function erp(found: string | undefined, place: () => Promise<{ orderNumber: string }>) {
  const calls: string[] = [];
  const placed: ErpOrder[] = [];
  const connector: ErpConnector = {
    findOrder: async (reference, timeoutMs) => {
      calls.push(`find ${reference} ${timeoutMs}`);
      return found === undefined ? undefined : { orderNumber: found };
    },
    placeOrder: async (o, timeoutMs) => {
      calls.push(`place ${o.reference} ${timeoutMs}`);
      placed.push(o);
      return place();
    },
    changeOrder: async (reference) => {
      calls.push(`change ${reference}`);
    },
  };
  return { connector, calls, placed };
}

const customer = (erpCustomerNumber?: string) => ({
  id: 'C1',
  name: 'Acme',
  active: true,
  creditHold: false,
  updatedAt: 'x',
  ...(erpCustomerNumber ? { erpCustomerNumber } : {}),
});

test('a first attempt places the order under the hub id, with the customer the ERP knows', async () => {
  const e = erp('E-9', async () => ({ orderNumber: 'E-1' }));
  assert.deepEqual(await attemptErpCommit(e.connector, order(), customer('ERP-C1'), 500, false), { orderNumber: 'E-1' });
  assert.deepEqual(e.calls, ['place O1 500']);
  assert.deepEqual(e.placed, [
    { reference: 'O1', channel: 'web', externalId: 'X1', customer: 'C1', erpCustomerNumber: 'ERP-C1', lines: [{ sku: 'A', qty: 2 }] },
  ]);
  const f = erp(undefined, async () => ({ orderNumber: 'E-1' }));
  await attemptErpCommit(f.connector, order(), customer(), 500, false);
  assert.equal('erpCustomerNumber' in f.placed[0]!, false);
});

test('after a timeout (or when asked to) the ERP is asked for the reference before placing again', async () => {
  const found = erp('E-7', async () => ({ orderNumber: 'E-2' }));
  assert.deepEqual(await attemptErpCommit(found.connector, order({ erp: { state: 'pending', attempts: 1, timedOut: true } }), undefined, 100, false), {
    orderNumber: 'E-7',
  });
  assert.deepEqual(found.calls, ['find O1 100']);
  const missing = erp(undefined, async () => ({ orderNumber: 'E-2' }));
  assert.deepEqual(await attemptErpCommit(missing.connector, order(), undefined, 100, true), { orderNumber: 'E-2' });
  assert.deepEqual(missing.calls, ['find O1 100', 'place O1 100']);
});

test('failures come back as outcomes: an ERP error as it is, anything else as a retryable call error', async () => {
  const refused = new ErpCallError('order placement', 'credit limit', false, false);
  const a = await attemptErpCommit(erp(undefined, () => Promise.reject(refused)).connector, order(), undefined, 100, false);
  assert.deepEqual(a, { failure: refused });
  const b = await attemptErpCommit(erp(undefined, () => Promise.reject(new Error('socket hang up'))).connector, order(), undefined, 100, false);
  assert.ok('failure' in b);
  assert.equal(b.failure.reason, 'socket hang up');
  assert.equal((b.failure.cause as Error).message, 'socket hang up', 'the original error is kept as the cause');
  assert.equal(b.failure.operation, 'order placement');
  assert.equal(b.failure.timedOut, false);
  assert.equal(b.failure.retryable, true);
});

test('a failed attempt counts, keeps the reason and the next time, and remembers a timeout', () => {
  const o = order({ erp: { state: 'pending', attempts: 2 } });
  const timedOut = new ErpCallError('order placement', 'no answer in 100 ms', true, true);
  const next = afterErpAttempt(o, { failure: timedOut }, (n) => n * 1000);
  assert.deepEqual(next.erp, { state: 'pending', attempts: 3, lastError: 'no answer in 100 ms', timedOut: true, nextAttemptAt: 3000 });
  assert.deepEqual(o.erp, { state: 'pending', attempts: 2 }, 'the order given is not changed');
  const plain = afterErpAttempt(o, { failure: new ErpCallError('order placement', 'down', false, true) }, () => 5);
  assert.deepEqual(plain.erp, { state: 'pending', attempts: 3, lastError: 'down', nextAttemptAt: 5 });
  const done = afterErpAttempt(next, { orderNumber: 'E-4' }, () => 0);
  assert.deepEqual(done.erp, { state: 'committed', orderNumber: 'E-4', attempts: 4 });
});

test('the timeline says what the attempt did', () => {
  const failure = new ErpCallError('order placement', 'down', false, true);
  const next = afterErpAttempt(order(), { failure }, () => Date.parse('2026-01-01T00:00:10Z'));
  assert.deepEqual(erpAttemptStep({ failure }, next), { step: 'erp.attempt_failed', source: 'erp', detail: 'down; next attempt at 2026-01-01T00:00:10.000Z' });
  assert.deepEqual(erpAttemptStep({ orderNumber: 'E-4' }, next), { step: 'erp.committed', source: 'erp', detail: 'ERP order E-4' });
});

test('an order cancelled while its call ran: cancel what the ERP took, void a reference it may have taken', () => {
  const cancelled = order({ cancelled: true });
  assert.equal(cancelledMeanwhile(order(), { orderNumber: 'E-1' }), undefined);
  assert.deepEqual(cancelledMeanwhile(cancelled, { orderNumber: 'E-1' }), {
    destination: 'erp',
    topic: 'order.cancel',
    payload: { orderId: 'O1', erpOrderNumber: 'E-1', reason: 'cancelled while the ERP took the order' },
  });
  assert.deepEqual(cancelledMeanwhile(cancelled, { failure: new ErpCallError('order placement', 'slow', true, true) }), {
    destination: 'erp',
    topic: 'order.void',
    payload: { reference: 'O1' },
  });
  assert.equal(cancelledMeanwhile(cancelled, { failure: new ErpCallError('order placement', 'refused', false, false) }), undefined);
});

test('backoff doubles from the base up to the cap, jittered within the upper half', () => {
  // random 0 gives half the ceiling, random 1 the whole ceiling.
  assert.equal(
    erpBackoff(1, 100, 10_000, () => 0),
    50,
  );
  assert.equal(
    erpBackoff(1, 100, 10_000, () => 1),
    100,
  );
  assert.equal(
    erpBackoff(3, 100, 10_000, () => 1),
    400,
  );
  assert.equal(
    erpBackoff(3, 100, 10_000, () => 0.5),
    300,
  );
  assert.equal(
    erpBackoff(20, 100, 10_000, () => 1),
    10_000,
  );
  // Very many attempts do not overflow into Infinity or NaN.
  assert.equal(
    erpBackoff(5000, 100, 10_000, () => 0),
    5000,
  );
});

test('an order amended while its placement ran is committed still owing the change, due at once, dated from the amendment', () => {
  const since = '2026-01-01T00:00:05.000Z';
  const amended = order({ erp: { state: 'pending', attempts: 1, change: { attempts: 2, since, nextAttemptAt: 99 } } });
  assert.deepEqual(afterErpAttempt(amended, { orderNumber: 'E-4' }, () => 0).erp, {
    state: 'committed',
    orderNumber: 'E-4',
    attempts: 2,
    change: { attempts: 0, nextAttemptAt: 0, since },
  });
  const undated = order({ erp: { state: 'pending', attempts: 1, change: { attempts: 0 } } });
  assert.deepEqual(afterErpAttempt(undated, { orderNumber: 'E-4' }, () => 0).erp.change, { attempts: 0, nextAttemptAt: 0 });
});
