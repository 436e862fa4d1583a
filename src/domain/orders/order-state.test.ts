/**
 * The figures an order's facts add up to (docs/REFERENCE.md "Orders"): what each line still owes
 * and holds, what stock the order keeps out of availability until the location's authority shows
 * it gone, and the status. Worked examples with the arithmetic written out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awaitsErp, cloneOrder, isSettled, lineFigures, orderHolds, owesErpChange, statusOf, type OrderLine, type OrderState } from './order-state.js';

const T = '2026-01-01T10:00:00.000Z';
const EARLIER = '2026-01-01T09:00:00.000Z';

function order(lines: Partial<OrderLine>[], changes: Partial<OrderState> = {}): OrderState {
  return {
    id: 'O1',
    channel: 'CH',
    externalId: 'X1',
    customer: 'C1',
    backorder: 'allow',
    createdAt: T,
    updatedAt: T,
    erp: { state: 'committed', orderNumber: 'E1', attempts: 1 },
    released: true,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: lines.map((l) => ({ sku: 'A', qty: 1, alloc: [], departed: {}, returned: 0, ...l })),
    shipments: [],
    ...changes,
  };
}

const ship = (location: string, qty: number, at = T, sku = 'A') => ({ eventId: `s-${location}-${qty}`, source: 'wms', location, at, lines: [{ sku, qty }] });
const figures = (o: OrderState) => {
  const f = lineFigures(o, o.lines[0]!);
  return { ...f, open: Object.fromEntries(f.open) };
};

test('what is owed, allocated and short on a line before anything ships', () => {
  const o = order([
    {
      qty: 5,
      alloc: [
        ['L1', 1],
        ['L1', 1],
      ],
    },
  ]);
  assert.deepEqual(figures(o), { shipped: 0, outstanding: 5, open: { L1: 2 }, reserved: 2, backordered: 3 });
});

test('shipped from elsewhere: the latest allocations give way first, a part at a time', () => {
  const alloc: [string, number][] = [
    ['L1', 2],
    ['L2', 3],
  ];
  // 5 ordered, 2 shipped from L3: 3 owed, 5 allocated, so 2 come off L2 (the later allocation).
  assert.deepEqual(figures(order([{ qty: 5, alloc }], { shipments: [ship('L3', 2)] })), {
    shipped: 2,
    outstanding: 3,
    open: { L1: 2, L2: 1 },
    reserved: 3,
    backordered: 0,
  });
  // 4 shipped from L3: 1 owed; all of L2 and 1 of L1 give way.
  assert.deepEqual(figures(order([{ qty: 5, alloc }], { shipments: [ship('L3', 4)] })), {
    shipped: 4,
    outstanding: 1,
    open: { L1: 1 },
    reserved: 1,
    backordered: 0,
  });
  // A later allocation already used up by its own shipment has nothing to give way: the cut passes
  // over it to the earlier one and the figures name no location without open units.
  const usedUp: [string, number][] = [
    ['L1', 2],
    ['L2', 1],
  ];
  assert.deepEqual(figures(order([{ qty: 3, alloc: usedUp }], { shipments: [ship('L2', 1), ship('L3', 1)] })), {
    shipped: 2,
    outstanding: 1,
    open: { L1: 1 },
    reserved: 1,
    backordered: 0,
  });
  // Shipped from where it was allocated: that allocation is used up, nothing else moves.
  assert.deepEqual(figures(order([{ qty: 5, alloc }], { shipments: [ship('L1', 1), ship('L2', 3)] })), {
    shipped: 4,
    outstanding: 1,
    open: { L1: 1 },
    reserved: 1,
    backordered: 0,
  });
  // Another item's shipment does not count against this line.
  assert.deepEqual(figures(order([{ qty: 5, alloc }], { shipments: [ship('L3', 4, T, 'B')] })), {
    shipped: 0,
    outstanding: 5,
    open: { L1: 2, L2: 3 },
    reserved: 5,
    backordered: 0,
  });
});

test('a cancelled order, or one the ERP failed, owes and holds nothing', () => {
  for (const changes of [{ cancelled: true }, { erp: { state: 'failed' as const, attempts: 1 } }]) {
    const o = order([{ qty: 3, alloc: [['L1', 3]] }], { ...changes, shipments: [ship('L1', 1)] });
    assert.deepEqual(figures(o), { shipped: 1, outstanding: 0, open: {}, reserved: 0, backordered: 0 });
  }
  assert.deepEqual(
    orderHolds(order([{ qty: 3, alloc: [['L1', 3]] }], { erp: { state: 'failed', attempts: 1 } }), () => undefined),
    new Map(),
  );
});

test('an order holds what is allocated plus what shipped until the authority shows it leaving', () => {
  const base = order([{ qty: 3, alloc: [['L1', 3]] }], { shipments: [ship('L1', 2)] });
  const key = 'A\u001fL1';
  const never = () => undefined;
  // 1 still allocated + 2 shipped and not yet seen leaving.
  assert.deepEqual(orderHolds(base, never), new Map([[key, 3]]));
  const departed = (n: number) => order([{ qty: 3, alloc: [['L1', 3]], departed: { L1: n } }], { shipments: [ship('L1', 2)] });
  assert.deepEqual(orderHolds(departed(1), never), new Map([[key, 2]]));
  // A count at or after the shipment includes the units gone.
  assert.deepEqual(
    orderHolds(base, (sku, loc) => (sku === 'A' && loc === 'L1' ? T : undefined)),
    new Map([[key, 1]]),
  );
  // A count before the shipment does not, nor a count of another place.
  assert.deepEqual(
    orderHolds(base, () => EARLIER),
    new Map([[key, 3]]),
  );
  assert.deepEqual(
    orderHolds(base, (_sku, loc) => (loc === 'L2' ? T : undefined)),
    new Map([[key, 3]]),
  );
  // Movements and a count describe the same units leaving: the larger, never the sum.
  assert.deepEqual(
    orderHolds(departed(2), () => T),
    new Map([[key, 1]]),
  );
  assert.deepEqual(
    orderHolds(departed(1), () => T),
    new Map([[key, 1]]),
  );
  // Everything shipped and seen leaving: nothing held, and the key is gone.
  const done = order([{ qty: 2, alloc: [['L1', 2]], departed: { L1: 2 } }], { shipments: [ship('L1', 2)] });
  assert.deepEqual(orderHolds(done, never), new Map());
});

test('holds count only the shipments of the line and location in question', () => {
  const o = order(
    [
      { sku: 'A', qty: 2, alloc: [['L1', 2]] },
      { sku: 'B', qty: 1, alloc: [['L2', 1]] },
    ],
    { shipments: [ship('L1', 2, T, 'A'), ship('L2', 1, EARLIER, 'B')] },
  );
  // A count of B at L2 after B shipped releases B only; A at L1 is still held in full.
  assert.deepEqual(
    orderHolds(o, (sku, loc) => (sku === 'B' && loc === 'L2' ? T : undefined)),
    new Map([['A\u001fL1', 2]]),
  );
  assert.deepEqual(
    orderHolds(o, (sku, loc) => (sku === 'A' && loc === 'L1' ? T : undefined)),
    new Map([['B\u001fL2', 1]]),
  );
});

test('an order is settled once nothing is owed to the ERP, held or short', () => {
  const never = () => undefined;
  const fine = order([{ qty: 1, alloc: [['L1', 1]], departed: { L1: 1 } }], { shipments: [ship('L1', 1)] });
  assert.equal(isSettled(fine, never), true);
  assert.equal(isSettled(order([{ qty: 1, alloc: [['L1', 1]] }]), never), false, 'held stock');
  assert.equal(isSettled(order([{ qty: 2, alloc: [] }]), never), false, 'backordered');
  assert.equal(isSettled(order([{ qty: 2, alloc: [] }], { cancelled: true }), never), true, 'cancelled owes nothing');
  const pending = order([{ qty: 1, alloc: [] }], { erp: { state: 'pending', attempts: 0 }, cancelled: true });
  assert.equal(isSettled(pending, never), true, 'cancelled before it reached the ERP');
  assert.equal(isSettled({ ...pending, cancelled: false, lines: [] }, never), false, 'still to be placed');
});

test('an order awaits the ERP while pending and not cancelled', () => {
  assert.equal(awaitsErp(order([], { erp: { state: 'pending', attempts: 0 } })), true);
  assert.equal(awaitsErp(order([], { erp: { state: 'pending', attempts: 0 }, cancelled: true })), false);
  assert.equal(awaitsErp(order([], { erp: { state: 'held', attempts: 0 } })), false);
  assert.equal(awaitsErp(order([])), false);
});

test('the status is the furthest milestone the facts reach', () => {
  const l = [{ qty: 2, alloc: [['L1', 2]] as [string, number][] }];
  assert.equal(statusOf(order(l, { released: false })), 'accepted');
  assert.equal(statusOf(order([{ qty: 2, alloc: [['L1', 1]] }], { released: false })), 'backordered');
  assert.equal(statusOf(order(l, { released: false, erp: { state: 'held', attempts: 0 } })), 'credit_hold');
  assert.equal(statusOf(order(l, { released: false, erp: { state: 'pending', attempts: 0 } })), 'pending_erp');
  assert.equal(statusOf(order(l, { erp: { state: 'failed', attempts: 1 }, invoiced: true })), 'erp_failed');
  assert.equal(statusOf(order(l)), 'released');
  assert.equal(statusOf(order(l, { cancelled: true })), 'cancelled');
  assert.equal(statusOf(order(l, { shipments: [ship('L1', 1)] })), 'partially_shipped');
  assert.equal(statusOf(order(l, { shipments: [ship('L1', 2)] })), 'shipped');
  assert.equal(statusOf(order(l, { shipments: [ship('L1', 1)], cancelled: true })), 'shipped');
  assert.equal(statusOf(order(l, { shipments: [ship('L1', 2)], delivered: true })), 'delivered');
  assert.equal(statusOf(order(l, { shipments: [ship('L1', 2)], delivered: true, invoiced: true })), 'invoiced');
  const back = (returned: number) => order([{ ...l[0]!, returned }], { shipments: [ship('L1', 2)], invoiced: true });
  assert.equal(statusOf(back(1)), 'invoiced');
  assert.equal(statusOf(back(2)), 'returned');
  // Returns across lines add up: one line back in full does not return the order.
  const two = order(
    [
      { sku: 'A', qty: 1, alloc: [['L1', 1]], returned: 1 },
      { sku: 'B', qty: 1, alloc: [['L1', 1]] },
    ],
    { shipments: [ship('L1', 1, T, 'A'), ship('L1', 1, T, 'B')] },
  );
  assert.equal(statusOf(two), 'shipped');
});

test('a copy shares nothing with the order it was taken from', () => {
  const o = order([{ qty: 2, alloc: [['L1', 2]], departed: { L1: 1 } }], { shipments: [ship('L1', 1)] });
  const c = cloneOrder(o);
  assert.deepEqual(c, o);
  c.erp.attempts = 9;
  c.lines[0]!.alloc[0]![1] = 9;
  c.lines[0]!.departed.L1 = 9;
  c.shipments[0]!.lines[0]!.qty = 9;
  assert.deepEqual(o.erp.attempts, 1);
  assert.deepEqual(o.lines[0]!.alloc, [['L1', 2]]);
  assert.deepEqual(o.lines[0]!.departed, { L1: 1 });
  assert.deepEqual(o.shipments[0]!.lines, [{ sku: 'A', qty: 1 }]);
});

test("a count releases only its own location's and item's shipped units", () => {
  const o = order(
    [
      {
        qty: 4,
        alloc: [
          ['L1', 2],
          ['L2', 2],
        ],
      },
      { sku: 'B', qty: 1, alloc: [['L1', 1]] },
    ],
    {
      shipments: [ship('L1', 2), ship('L2', 2), { eventId: 'mixed', source: 'wms', location: 'L1', at: T, lines: [{ sku: 'B', qty: 1 }] }],
    },
  );
  // A was counted at L1 after its shipment: A's 2 at L1 are gone; A's 2 at L2 and B's 1 at L1 are still held.
  const counted = (sku: string, loc: string) => (sku === 'A' && loc === 'L1' ? T : undefined);
  assert.deepEqual(
    orderHolds(o, counted),
    new Map([
      ['A\u001fL2', 2],
      ['B\u001fL1', 1],
    ]),
  );
});

test('one short line is enough to leave the order unsettled', () => {
  const never = () => undefined;
  const o = order(
    [
      { qty: 1, alloc: [] },
      { sku: 'B', qty: 0, alloc: [] },
    ],
    { released: false },
  );
  assert.equal(isSettled(o, never), false);
});

test('a count confirms only shipments of its own item from its own location, even when more is held there', () => {
  const key = 'A\u001fL1';
  const countedA = (sku: string, loc: string) => (sku === 'A' && loc === 'L1' ? T : undefined);
  // 2 shipped from L1 and 2 still allocated there; 1 shipped from L2. The count at L1 confirms only L1's 2.
  const twoPlaces = order(
    [
      {
        qty: 6,
        alloc: [
          ['L1', 4],
          ['L2', 1],
        ],
      },
    ],
    { shipments: [ship('L1', 2), ship('L2', 1)] },
  );
  assert.equal(orderHolds(twoPlaces, countedA).get(key), 2);
  // One shipment of A and B from L1: the count of A confirms A's 2, not B's unit.
  const mixed = order(
    [
      { qty: 6, alloc: [['L1', 4]] },
      { sku: 'B', qty: 1, alloc: [['L1', 1]] },
    ],
    {
      shipments: [
        {
          eventId: 'm',
          source: 'wms',
          location: 'L1',
          at: T,
          lines: [
            { sku: 'A', qty: 2 },
            { sku: 'B', qty: 1 },
          ],
        },
      ],
    },
  );
  assert.equal(orderHolds(mixed, countedA).get(key), 2);
});

test('a copy of an order owing the ERP a change has its own change: changing the copy leaves the original', () => {
  const o = order([{ qty: 2 }], { erp: { state: 'committed', orderNumber: 'E1', attempts: 1, change: { attempts: 1, since: T } } });
  const copy = cloneOrder(o);
  assert.deepEqual(copy, o);
  copy.erp.change!.attempts = 5;
  assert.equal(o.erp.change!.attempts, 1);
});

test('only an order the ERP has committed, not cancelled, owes it a change', () => {
  const change = { attempts: 0 };
  assert.equal(owesErpChange(order([{}], { erp: { state: 'committed', orderNumber: 'E1', attempts: 1, change } })), true);
  assert.equal(owesErpChange(order([{}], { erp: { state: 'pending', attempts: 0, change } })), false);
  assert.equal(owesErpChange(order([{}], { erp: { state: 'committed', orderNumber: 'E1', attempts: 1 } })), false);
  assert.equal(owesErpChange(order([{}], { erp: { state: 'committed', orderNumber: 'E1', attempts: 1, change }, cancelled: true })), false);
});
