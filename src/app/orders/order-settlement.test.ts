/**
 * What settling an order's events writes: one timeline step per event the machine took, the
 * messages of applied events keyed by the event, an exception per rejected one, and the waiting
 * list after it (what left, what joined). The expectations are spelled out per scenario.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { OrderEvent } from '../../model/order-event.js';
import type { WaitingRecord } from '../../ports/order-store.js';
import { expiryOf, settleOrderEvents, waitingForUnknownOrder } from './order-settlement.js';

const NOW = '2026-01-02T00:00:00.000Z';
const order = (changes: Partial<OrderState> = {}): OrderState => ({
  id: 'O1',
  channel: 'web',
  externalId: 'X1',
  customer: 'C1',
  backorder: 'reject',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  erp: { state: 'committed', orderNumber: 'E1', attempts: 1 },
  released: false,
  delivered: false,
  invoiced: false,
  cancelled: false,
  lines: [{ sku: 'A', qty: 2, alloc: [['L1', 2]], departed: {}, returned: 0 }],
  shipments: [],
  ...changes,
});
const env = (id: string) => ({ id, source: 'wms', seq: 1, occurredAt: '2026-01-01T10:00:00Z', orderId: 'O1' });
const release: OrderEvent = { ...env('r1'), type: 'order.released' };
const shipment: OrderEvent = { ...env('s1'), type: 'order.shipped', location: 'L1', lines: [{ sku: 'A', qty: 2 }] };
const delivery: OrderEvent = { ...env('d1'), type: 'order.delivered', correlationId: 'corr-event' };
const waitingOf = (position: number, event: OrderEvent, reason = 'earlier reason'): WaitingRecord => ({
  position,
  orderId: 'O1',
  event,
  since: '2026-01-01T11:00:00.000Z',
  reason,
});

test('an event that must wait joins the waiting list with the reason the machine gave', () => {
  const s = settleOrderEvents(order(), [], { position: 5, event: shipment, correlationId: 'c-5' }, NOW);
  const waits = {
    position: 5,
    event: shipment,
    correlationId: 'c-5',
    orderId: 'O1',
    since: NOW,
    reason: 'the order has not been released to the warehouse yet',
  };
  assert.deepEqual(s.waits, waits);
  assert.deepEqual(s.waiting, [waits]);
  assert.deepEqual(s.removed, []);
  assert.deepEqual(s.messages, []);
  assert.deepEqual(s.exceptions, []);
  assert.deepEqual(s.steps, [
    {
      step: 'order.shipped',
      source: 'wms',
      at: '2026-01-01T10:00:00Z',
      correlationId: 'c-5',
      outcome: 'waiting',
      detail: 'the order has not been released to the warehouse yet',
    },
  ]);
});

test('an applied event lets the waiting ones run, in position order; what ran leaves the list', () => {
  const waiting = [waitingOf(9, delivery), waitingOf(7, shipment)];
  const s = settleOrderEvents(order(), waiting, { position: 10, event: release }, NOW);
  assert.equal(s.order.delivered, true);
  assert.deepEqual(
    s.steps.map((x) => [x.step, x.outcome, x.correlationId]),
    [
      ['order.released', 'applied', undefined],
      ['order.shipped', 'applied', undefined],
      ['order.delivered', 'applied', 'corr-event'],
    ],
  );
  assert.equal('detail' in s.steps[0]!, false, 'an applied step has no detail');
  assert.deepEqual(s.removed.sort(), [7, 9]);
  assert.deepEqual(s.waiting, []);
  assert.equal(s.waits, undefined);
  assert.equal('waits' in s, false);
  // Messages carry the event they came from: source:id.
  assert.deepEqual(
    s.messages.map((m) => `${m.step} ${m.message.destination} ${m.message.topic}`),
    ['wms:r1 location:L1 fulfilment.request', 'wms:s1 web shipment.confirmed', 'wms:s1 crm shipment.confirmed', 'wms:d1 crm order.delivered'],
  );
});

test('a rejected event raises an exception naming it, and nothing waits', () => {
  const s = settleOrderEvents(order({ cancelled: true }), [waitingOf(3, delivery)], { position: 4, event: release }, NOW);
  assert.deepEqual(s.exceptions, [
    { orderId: 'O1', position: 4, kind: 'rejected', reason: 'the order is cancelled; a cancelled order cannot be released', event: release, raisedAt: NOW },
  ]);
  assert.deepEqual(s.removed, []);
  assert.deepEqual(s.waiting, [waitingOf(3, delivery)]);
  assert.equal(s.steps[0]!.outcome, 'rejected');
  assert.equal(s.steps[0]!.detail, 'the order is cancelled; a cancelled order cannot be released');
});

test('a waiting event the order can no longer take leaves the list as a rejection', () => {
  // Waiting for the release; the order is cancelled meanwhile (a cancellation rejects what waits for the release).
  const cancel: OrderEvent = { ...env('c1'), type: 'order.cancelled' };
  const s = settleOrderEvents(order(), [waitingOf(2, shipment)], { position: 3, event: cancel }, NOW);
  assert.deepEqual(s.removed, [2]);
  assert.deepEqual(
    s.exceptions.map((e) => [e.position, e.kind]),
    [[2, 'rejected']],
  );
  assert.deepEqual(s.waiting, []);
});

test('without an incoming event only the waiting list is retried', () => {
  const s = settleOrderEvents(order({ erp: { state: 'pending', attempts: 0 } }), [waitingOf(2, release)], undefined, NOW);
  assert.deepEqual(s.steps, []);
  assert.deepEqual(s.waiting, [waitingOf(2, release)]);
  const t = settleOrderEvents(order(), [waitingOf(2, release)], undefined, NOW);
  assert.deepEqual(t.removed, [2]);
  assert.equal(t.order.released, true);
});

test('an event for an order the hub does not know waits, saying so', () => {
  assert.deepEqual(waitingForUnknownOrder({ position: 4, event: release }, NOW), {
    position: 4,
    event: release,
    orderId: 'O1',
    since: NOW,
    reason: 'order O1 is not known to the hub',
  });
});

test('an expired event leaves an exception and a timeline step, both saying how long and why it waited', () => {
  const r = { ...waitingOf(6, delivery, 'nothing has shipped yet'), correlationId: 'c-6' };
  assert.deepEqual(expiryOf(r, NOW), {
    exception: {
      orderId: 'O1',
      position: 6,
      kind: 'expired',
      event: delivery,
      raisedAt: NOW,
      reason: 'waited since 2026-01-01T11:00:00.000Z for a precondition that never came: nothing has shipped yet',
    },
    step: {
      step: 'order.delivered',
      source: 'wms',
      at: '2026-01-01T10:00:00Z',
      correlationId: 'c-6',
      outcome: 'expired',
      detail: 'waited since 2026-01-01T11:00:00.000Z: nothing has shipped yet',
    },
  });
});
