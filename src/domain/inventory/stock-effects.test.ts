import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubEvent } from '../../model/hub-event.js';
import { namesOrder, stockEffectsOf, stockLocationOf } from './stock-effects.js';

const env = { id: 'e1', source: 'wms', seq: 7, occurredAt: '2026-01-01T00:00:00Z' };
const movement: HubEvent = { ...env, type: 'inventory.movement', sku: 'A', location: 'DAL', reason: 'pick', delta: { onHand: -1 } };
const snapshot: HubEvent = { ...env, type: 'inventory.snapshot', sku: 'A', location: 'DAL', balance: { onHand: 4 } };
const ret: HubEvent = {
  ...env,
  type: 'return.received',
  orderId: 'O1',
  location: 'ATL',
  lines: [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 },
  ],
};
const shipped: HubEvent = { ...env, type: 'order.shipped', orderId: 'O1', location: 'DAL', lines: [{ sku: 'A', qty: 1 }] };
const released: HubEvent = { ...env, type: 'order.released', orderId: 'O1' };

test('an inventory event is its own stock effect; a return adds its lines to on hand as return movements of its source', () => {
  assert.deepEqual(stockEffectsOf(movement), [movement]);
  assert.deepEqual(stockEffectsOf(snapshot), [snapshot]);
  assert.deepEqual(stockEffectsOf(ret), [
    { ...env, type: 'inventory.movement', sku: 'A', location: 'ATL', reason: 'return', delta: { onHand: 2 }, orderId: 'O1' },
    { ...env, type: 'inventory.movement', sku: 'B', location: 'ATL', reason: 'return', delta: { onHand: 1 }, orderId: 'O1' },
  ]);
  assert.deepEqual(stockEffectsOf(shipped), [], 'a shipment changes stock only when the warehouse reports the movement');
  assert.deepEqual(stockEffectsOf(released), []);
});

test('where the stock effect lands: nowhere for a shipment or an event without a location', () => {
  assert.equal(stockLocationOf(movement), 'DAL');
  assert.equal(stockLocationOf(snapshot), 'DAL');
  assert.equal(stockLocationOf(ret), 'ATL');
  assert.equal(stockLocationOf(shipped), undefined);
  assert.equal(stockLocationOf(released), undefined);
});

test('order events, and movements carrying an order id, can change what an order holds', () => {
  assert.equal(namesOrder(snapshot), false);
  assert.equal(namesOrder(movement), false);
  assert.equal(namesOrder({ ...movement, orderId: 'O1' } as HubEvent), true);
  assert.equal(namesOrder(released), true);
  assert.equal(namesOrder(ret), true);
});
