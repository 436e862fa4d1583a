/** How an order is saved on the shared state: its status, whether any line is owed units, the ERP lease; and a change's writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { saveOrderChanges, savedOrder } from './saved-order.js';
import { MemoryLedgerStore, order } from './orders.test-support.js';

test('an order owes units when any one of its lines is backordered', () => {
  const one = order('O1', [
    { sku: 'A', qty: 1, alloc: [['L1', 1]] },
    { sku: 'B', qty: 2, alloc: [['L1', 1]] },
  ]);
  assert.deepEqual(savedOrder(one), { order: one, status: 'pending_erp', owes: true });
  const none = order('O2', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }]);
  assert.equal(savedOrder(none).owes, false);
  assert.equal(savedOrder(none, 500).erpLeaseMs, 500);
  assert.equal(savedOrder(none, 0).erpLeaseMs, 0);
});

test('a change writes the orders, then their timeline and messages, stamped now', async () => {
  const store = new MemoryLedgerStore();
  const o = order('O1', [{ sku: 'A', qty: 1 }], { erp: { state: 'committed', attempts: 1 } });
  await store.eventBatch((tx) =>
    saveOrderChanges(
      tx.orders,
      [
        {
          order: o,
          steps: [{ step: 'x', source: 'hub', correlationId: 'c' }],
          messages: [{ step: 'x', message: { destination: 'erp', topic: 't', payload: 1 } }],
        },
      ],
      'NOW',
    ),
  );
  assert.deepEqual(store.data.orders.get('O1'), { order: o, status: 'backordered', owes: true });
  assert.deepEqual(
    store.data.timeline.map((t) => [t.step, t.status, t.recordedAt]),
    [['x', 'backordered', 'NOW']],
  );
  assert.deepEqual(
    store.data.outbox.map((m) => [m.idempotencyKey, m.correlationId, m.createdAt]),
    [['O1/x/erp/t', 'c', 'NOW']],
  );
});
