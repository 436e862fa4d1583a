/**
 * An ERP change attempt and its answer: the change is done only when the ERP took the lines the
 * order still has; a failure keeps it owed with the next attempt's time; an order amended again
 * while the call ran owes the ERP its newer lines at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErpCallError } from '../../domain/orders/order-errors.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { ErpConnector, ErpLine } from '../../ports/erp.js';
import type { OrderWork, Step } from '../../ports/order-changes.js';
import { attemptErpChange, erpLinesOf, recordErpChange } from './erp-change.js';

const T = '2026-01-01T10:00:00.000Z';
const NOW = 1_000_000;

function order(lines: { sku: string; qty: number; unitPrice?: number }[], change: OrderState['erp']['change'] = { attempts: 0 }): OrderState {
  return {
    id: 'O1',
    channel: 'CH',
    externalId: 'X1',
    customer: 'C1',
    backorder: 'reject',
    createdAt: T,
    updatedAt: T,
    erp: { state: 'committed', orderNumber: 'SO-1', attempts: 1, ...(change ? { change } : {}) },
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: lines.map((l) => ({ ...l, alloc: [], departed: {}, returned: 0 })),
    shipments: [],
  };
}

/** OrderWork over one order: what record() was given. */
function work(current: OrderState | undefined) {
  const recorded: { next: OrderState; steps: readonly Step[] }[] = [];
  const w = { nowMs: NOW, order: () => current, record: (next: OrderState, steps: readonly Step[]) => recorded.push({ next, steps }) } as unknown as OrderWork;
  return { w, recorded };
}

const erp = (fail?: ErpCallError) => {
  const calls: { reference: string; lines: readonly ErpLine[] }[] = [];
  const connector: ErpConnector = {
    placeOrder: async () => ({ orderNumber: 'x' }),
    findOrder: async () => undefined,
    changeOrder: async (reference, lines) => {
      calls.push({ reference, lines });
      if (fail) throw fail;
    },
  };
  return { connector, calls };
};

test('an attempt sends the complete current lines with their prices under the hub order id', async () => {
  const e = erp();
  const o = order([
    { sku: 'A', qty: 2, unitPrice: 1.5 },
    { sku: 'B', qty: 1 },
  ]);
  const outcome = await attemptErpChange(e.connector, o, 500);
  assert.deepEqual(e.calls, [{ reference: 'O1', lines: erpLinesOf(o) }]);
  assert.deepEqual(outcome, {
    sent: [
      { sku: 'A', qty: 2, unitPrice: 1.5 },
      { sku: 'B', qty: 1 },
    ],
  });
  const failed = await attemptErpChange(erp(new ErpCallError('order change', 'HTTP 503', false, true)).connector, o, 500);
  assert.ok('failure' in failed && failed.failure.reason === 'HTTP 503');
});

test('taken: the change is done; failed: owed with the next attempt; amended meanwhile: owed again at once', () => {
  const o = order([{ sku: 'A', qty: 2 }], { attempts: 1, since: T });
  const taken = work(o);
  const done = recordErpChange(taken.w, 'O1', { sent: [{ sku: 'A', qty: 2 }] }, { nextAttemptAt: () => 0 });
  assert.equal(done!.erp.change, undefined);
  assert.equal(taken.recorded[0]!.steps[0]!.step, 'erp.changed');

  const failing = work(o);
  const failed = recordErpChange(
    failing.w,
    'O1',
    { sent: [{ sku: 'A', qty: 2 }], failure: new ErpCallError('order change', 'HTTP 503', false, true) },
    { nextAttemptAt: (n) => NOW + n * 100 },
  );
  assert.deepEqual(failed!.erp.change, { attempts: 2, since: T, lastError: 'HTTP 503', nextAttemptAt: NOW + 200 });
  assert.equal(failing.recorded[0]!.steps[0]!.step, 'erp.change_failed');

  const meanwhile = work(order([{ sku: 'A', qty: 5 }], { attempts: 0, since: T }));
  const again = recordErpChange(meanwhile.w, 'O1', { sent: [{ sku: 'A', qty: 2 }] }, { nextAttemptAt: () => 0 });
  assert.deepEqual(again!.erp.change, { attempts: 0, since: T, nextAttemptAt: NOW });

  // Cancelled meanwhile (the cancellation tells the ERP), or owing nothing: nothing is recorded.
  const cancelled = work({ ...o, cancelled: true });
  recordErpChange(cancelled.w, 'O1', { sent: [{ sku: 'A', qty: 2 }] }, { nextAttemptAt: () => 0 });
  assert.deepEqual(cancelled.recorded, []);
  assert.equal(recordErpChange(work(undefined).w, 'O1', { sent: [] }, { nextAttemptAt: () => 0 }), undefined);
});

test('the lines count as taken only when the ERP got every line as the order has it now', () => {
  const current = [
    { sku: 'A', qty: 2, unitPrice: 1.5 },
    { sku: 'B', qty: 1 },
  ];
  const owedAgain = (sent: ErpLine[]) => {
    const w = work(order(current, { attempts: 0, since: T }));
    return recordErpChange(w.w, 'O1', { sent }, { nextAttemptAt: () => 0, correlationId: 'c-1' })!.erp.change !== undefined;
  };
  assert.equal(owedAgain(erpLinesOf(order(current))), false);
  assert.equal(owedAgain([{ sku: 'A', qty: 2, unitPrice: 1.5 }]), true, 'a line fewer');
  assert.equal(
    owedAgain([
      { sku: 'A', qty: 2, unitPrice: 1.5 },
      { sku: 'C', qty: 1 },
    ]),
    true,
    'another item',
  );
  assert.equal(
    owedAgain([
      { sku: 'A', qty: 2, unitPrice: 1.5 },
      { sku: 'B', qty: 3 },
    ]),
    true,
    'another quantity',
  );
  assert.equal(
    owedAgain([
      { sku: 'A', qty: 2, unitPrice: 2 },
      { sku: 'B', qty: 1 },
    ]),
    true,
    'another price',
  );
  assert.equal(
    owedAgain([
      { sku: 'A', qty: 2 },
      { sku: 'B', qty: 1 },
    ]),
    true,
    'a price missing',
  );
});

test('each answer is on the timeline with its source, its detail and the correlation id', () => {
  const steps = (o: OrderState, outcome: Parameters<typeof recordErpChange>[2]) => {
    const w = work(o);
    recordErpChange(w.w, 'O1', outcome, { nextAttemptAt: () => Date.parse('2026-01-01T10:00:05.000Z'), correlationId: 'c-1' });
    return w.recorded.map((r) => r.steps);
  };
  const o = order([{ sku: 'A', qty: 2 }], { attempts: 0, since: T });
  assert.deepEqual(steps(o, { sent: [{ sku: 'A', qty: 1 }] }), [
    [{ step: 'erp.changed', source: 'erp', detail: 'the ERP took earlier lines; the order was amended again meanwhile', correlationId: 'c-1' }],
  ]);
  assert.deepEqual(steps(o, { sent: [{ sku: 'A', qty: 2 }], failure: new ErpCallError('order change', 'HTTP 503', false, true) }), [
    [{ step: 'erp.change_failed', source: 'erp', detail: 'HTTP 503; next attempt at 2026-01-01T10:00:05.000Z', correlationId: 'c-1' }],
  ]);
});

test('an ERP connector that throws something else fails the attempt as a retryable call error, keeping the cause', async () => {
  const boom = new Error('socket hang up');
  const connector: ErpConnector = {
    placeOrder: async () => ({ orderNumber: 'x' }),
    findOrder: async () => undefined,
    changeOrder: () => Promise.reject(boom),
  };
  const outcome = await attemptErpChange(connector, order([{ sku: 'A', qty: 1 }]), 500);
  assert.ok('failure' in outcome);
  assert.deepEqual(
    [outcome.failure.operation, outcome.failure.reason, outcome.failure.timedOut, outcome.failure.retryable, outcome.failure.cause],
    ['order change', 'socket hang up', false, true, boom],
  );
});
