/**
 * The embedded ERP queue: due orders come from the open orders, an order in flight (a capture's,
 * or one already taken) is not taken twice, and a limit caps what one call takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channel, count, embeddedHub, location, order, T0 } from '../orders.test-support.js';
import { InProcessErpQueue } from './in-process-erp-queue.js';

const L1 = location('L1');

async function queueOver(...orders: ReturnType<typeof order>[]) {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 9)] });
  await h.changes.change({ orders: [] }, (work) => {
    for (const o of orders) work.record(o, []);
  });
  return { h, queue: new InProcessErpQueue({ openOrders: h.openOrders, clock: h.clock }) };
}

const pending = (id: string, nextAttemptAt?: number) =>
  order(id, [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'pending', attempts: 0, ...(nextAttemptAt !== undefined ? { nextAttemptAt } : {}) } });

test('due orders are taken once, up to the limit, until released', async () => {
  const { queue } = await queueOver(pending('O1'), pending('O2', T0), pending('O3', T0 + 1));
  assert.deepEqual(
    (await queue.takeDue(1)).map((o) => o.id),
    ['O1'],
  );
  assert.deepEqual(
    (await queue.takeDue(5)).map((o) => o.id),
    ['O2'],
    'O1 is in flight, O3 not due',
  );
  assert.deepEqual(await queue.takeDue(5), []);
  queue.release('O1');
  assert.deepEqual(
    (await queue.takeDue(5)).map((o) => o.id),
    ['O1'],
  );
});

test('an order kept for its capture is left alone until the capture releases it', async () => {
  const { queue } = await queueOver(pending('O1'));
  queue.keepForCapture('O1');
  assert.deepEqual(await queue.takeDue(5), []);
  queue.release('O1');
  assert.deepEqual(
    (await queue.takeDue(5)).map((o) => o.id),
    ['O1'],
  );
});

test('orders not waiting for the ERP are never due', async () => {
  const { queue } = await queueOver(
    order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'committed', attempts: 1 } }),
    order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } }),
    order('O3', [{ sku: 'A', qty: 1 }], { cancelled: true, erp: { state: 'pending', attempts: 0 }, shipments: [] }),
  );
  assert.deepEqual(await queue.takeDue(5), []);
});

test('an order owing the ERP a change is due when the change is, not when its placement was', async () => {
  const owing = (id: string, change: { attempts: number; nextAttemptAt?: number }, more: Partial<ReturnType<typeof order>> = {}) =>
    order(id, [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'committed', attempts: 1, nextAttemptAt: T0 + 9, change }, ...more });
  const { h, queue } = await queueOver(
    owing('O1', { attempts: 0 }),
    owing('O2', { attempts: 1, nextAttemptAt: T0 }),
    owing('O3', { attempts: 1, nextAttemptAt: T0 + 1 }),
    owing('O4', { attempts: 0 }, { cancelled: true }),
  );
  assert.deepEqual(
    (await queue.takeDue(5)).map((o) => o.id),
    ['O1', 'O2'],
  );
  h.clock.ms = T0 + 1;
  assert.deepEqual(
    (await queue.takeDue(5)).map((o) => o.id),
    ['O3'],
  );
});
