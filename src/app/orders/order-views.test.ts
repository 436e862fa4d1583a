import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderState } from '../../domain/orders/order-state.js';
import { answeredWith, orderAnswer, orderView } from './order-views.js';

const base: OrderState = {
  id: 'O1',
  channel: 'web',
  externalId: 'W-1',
  customer: 'C1',
  backorder: 'allow',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T01:00:00.000Z',
  erp: { state: 'pending', attempts: 2, lastError: 'ERP down' },
  released: false,
  delivered: false,
  invoiced: false,
  cancelled: false,
  lines: [
    { sku: 'A', qty: 3, alloc: [['L1', 2]], departed: {}, returned: 0 },
    { sku: 'B', qty: 1, alloc: [['L2', 1]], departed: {}, returned: 0 },
  ],
  shipments: [],
};

test('the capture answer shows what each line holds and is short, and 202 while the ERP has not taken it', () => {
  assert.deepEqual(answeredWith(base), {
    statusCode: 202,
    body: {
      id: 'O1',
      status: 'pending_erp',
      channel: 'web',
      externalId: 'W-1',
      lines: [
        { sku: 'A', qty: 3, reserved: 2, backordered: 1 },
        { sku: 'B', qty: 1, reserved: 1, backordered: 0 },
      ],
    },
  });
  const taken = { ...base, erp: { state: 'committed' as const, orderNumber: 'E-9', attempts: 3 } };
  const answer = answeredWith(taken);
  assert.equal(answer.statusCode, 201);
  assert.equal(answer.body.erpOrderNumber, 'E-9');
  assert.equal(answer.body.status, 'backordered');
});

test('the full view adds shipped, returned, open allocations per location, the ERP state and the shipments', () => {
  const o: OrderState = {
    ...base,
    erp: { state: 'committed', orderNumber: 'E-9', attempts: 1 },
    released: true,
    lines: [{ ...base.lines[0]!, returned: 1 }, base.lines[1]!],
    shipments: [
      { eventId: 's1', source: 'wms', location: 'L1', at: '2026-01-01T02:00:00.000Z', lines: [{ sku: 'A', qty: 1 }], tracking: '1Z' },
      { eventId: 's2', source: 'wms', location: 'L1', at: '2026-01-01T03:00:00.000Z', lines: [{ sku: 'A', qty: 1 }] },
    ],
  };
  const v = orderView(o, 2);
  assert.deepEqual(v, {
    ...orderAnswer(o),
    customer: 'C1',
    backorder: 'allow',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T01:00:00.000Z',
    lines: [
      { sku: 'A', qty: 3, reserved: 0, backordered: 1, shipped: 2, returned: 1, allocations: [] },
      { sku: 'B', qty: 1, reserved: 1, backordered: 0, shipped: 0, returned: 0, allocations: [{ location: 'L2', reserved: 1 }] },
    ],
    erp: { state: 'committed', attempts: 1 },
    shipments: [
      { location: 'L1', at: '2026-01-01T02:00:00.000Z', source: 'wms', lines: [{ sku: 'A', qty: 1 }], tracking: '1Z' },
      { location: 'L1', at: '2026-01-01T03:00:00.000Z', source: 'wms', lines: [{ sku: 'A', qty: 1 }] },
    ],
    waitingEvents: 2,
  });
  assert.deepEqual(orderView(base, 0).erp, { state: 'pending', attempts: 2, lastError: 'ERP down' });
});
