/** What a change writes besides the order: timeline entries stamped with the order, status and time, and outbox messages keyed per order and step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outboxRecords, timelineRecords } from './order-records.js';
import { order } from './orders.test-support.js';

const o = order('O1', [{ sku: 'A', qty: 1 }]);

test('timeline entries: applied unless said otherwise, at the step’s time or now, with what the step carries', () => {
  assert.deepEqual(timelineRecords(o, 'accepted', [{ step: 'captured', source: 'api' }], 'NOW'), [
    { orderId: 'O1', at: 'NOW', status: 'accepted', source: 'api', step: 'captured', outcome: 'applied', recordedAt: 'NOW' },
  ]);
  assert.deepEqual(
    timelineRecords(o, 'shipped', [{ step: 'order.shipped', source: 'wms', at: 'THEN', outcome: 'waiting', correlationId: 'c', detail: 'd' }], 'NOW'),
    [
      {
        orderId: 'O1',
        at: 'THEN',
        status: 'shipped',
        source: 'wms',
        step: 'order.shipped',
        outcome: 'waiting',
        recordedAt: 'NOW',
        correlationId: 'c',
        detail: 'd',
      },
    ],
  );
});

test('outbox messages: in the orders lane, keyed by order, with a per-step key and the correlation id of the change', () => {
  const message = { destination: 'erp', topic: 'order.cancel', payload: { x: 1 } };
  assert.deepEqual(outboxRecords(o, [{ step: 'cancel:c1', message }], 'NOW'), [
    {
      destination: 'erp',
      topic: 'order.cancel',
      messageKey: 'O1',
      lane: 'orders',
      idempotencyKey: 'O1/cancel:c1/erp/order.cancel',
      payload: { x: 1 },
      createdAt: 'NOW',
    },
  ]);
  const steps = [
    { step: 'a', source: 'x' },
    { step: 'b', source: 'x', correlationId: 'corr-2' },
  ];
  assert.equal(outboxRecords(o, [{ step: 's', message }], 'NOW', steps)[0]!.correlationId, 'corr-2');
  assert.deepEqual(outboxRecords(o, [], 'NOW', steps), []);
});
