/**
 * Amending an order in place: worked examples, then a property test against an independent model
 * of each item's figures (reserved + backordered + shipped + cancelled = ordered, never negative;
 * increases under the backorder policy, decreases give back reserved units first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AmendmentRefusedError, decideAmendment, describeLines, type AmendedLine, type SourceUnits } from './order-amendment.js';
import { cloneOrder, lineFigures, orderHolds, owesErpChange, type OrderLine, type OrderState } from './order-state.js';
import { sourceOrder } from './source-order.js';

const T = '2026-01-01T10:00:00.000Z';
const LOCATIONS = ['L1', 'L2'];

function order(lines: Partial<OrderLine>[], changes: Partial<OrderState> = {}): OrderState {
  return {
    id: 'O1',
    channel: 'CH',
    externalId: 'X1',
    customer: 'C1',
    backorder: 'reject',
    createdAt: T,
    updatedAt: T,
    erp: { state: 'committed', orderNumber: 'E1', attempts: 1 },
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: lines.map((l) => ({ sku: 'A', qty: 1, alloc: [], departed: {}, returned: 0, ...l })),
    shipments: [],
    ...changes,
  };
}

/** Sourcing over free stock per "sku@location" (what the channel may take). */
function sourceFrom(free: Record<string, number>): SourceUnits {
  const at = (sku: string, loc: string) => free[`${sku}@${loc}`] ?? 0;
  return (lines, backorder) => sourceOrder({ lines, locations: LOCATIONS, backorder, free: at, cap: (sku) => LOCATIONS.reduce((n, l) => n + at(sku, l), 0) });
}

const figures = (o: OrderState, sku: string) => {
  const line = o.lines.find((l) => l.sku === sku);
  if (!line) return undefined;
  const f = lineFigures(o, line);
  return { qty: line.qty, reserved: f.reserved, backordered: f.backordered };
};

const refusal = (fn: () => unknown): AmendmentRefusedError => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AmendmentRefusedError, `expected AmendmentRefusedError, got ${String(err)}`);
    return err;
  }
  assert.fail('the amendment was taken; expected a refusal');
};

test('an increase reserves the added units; a new item is sourced; an absent item is removed', () => {
  const o = order([
    { sku: 'A', qty: 2, alloc: [['L1', 2]] },
    { sku: 'B', qty: 1, alloc: [['L1', 1]] },
  ]);
  const { next, changes } = decideAmendment(
    o,
    [
      { sku: 'A', qty: 5 },
      { sku: 'C', qty: 1, unitPrice: 4 },
    ],
    sourceFrom({ 'A@L2': 3, 'C@L1': 9 }),
  );
  assert.deepEqual(next.lines, [
    {
      sku: 'A',
      qty: 5,
      alloc: [
        ['L1', 2],
        ['L2', 3],
      ],
      departed: {},
      returned: 0,
    },
    { sku: 'C', qty: 1, unitPrice: 4, alloc: [['L1', 1]], departed: {}, returned: 0 },
  ]);
  assert.deepEqual(
    changes.map((c) => [c.sku, c.before.qty, c.after.qty]),
    [
      ['A', 2, 5],
      ['B', 1, 0],
      ['C', 0, 1],
    ],
  );
  // What the order holds moves by exactly that: +3 A at L2, −1 B at L1, +1 C at L1.
  assert.deepEqual(Object.fromEntries(orderHolds(next, () => undefined)), { 'A\u001fL1': 2, 'A\u001fL2': 3, 'C\u001fL1': 1 });
  assert.deepEqual(next.erp.change, { attempts: 0 }, 'the ERP, which has the order, is owed the change');
  assert.equal(o.lines.length, 2, 'the order given is not changed');
});

test('a decrease gives back reserved units first (the last allocations first), then backordered ones', () => {
  const o = order(
    [
      {
        sku: 'A',
        qty: 10,
        alloc: [
          ['L1', 4],
          ['L2', 2],
        ],
      },
    ],
    { backorder: 'allow' },
  );
  assert.deepEqual(figures(o, 'A'), { qty: 10, reserved: 6, backordered: 4 });
  const seven = decideAmendment(o, [{ sku: 'A', qty: 7 }], sourceFrom({})).next;
  assert.deepEqual(figures(seven, 'A'), { qty: 7, reserved: 3, backordered: 4 });
  assert.deepEqual(seven.lines[0]!.alloc, [['L1', 3]]);
  const two = decideAmendment(o, [{ sku: 'A', qty: 2 }], sourceFrom({})).next;
  assert.deepEqual(figures(two, 'A'), { qty: 2, reserved: 0, backordered: 2 });
  assert.deepEqual(two.lines[0]!.alloc, [], 'no empty allocations are kept');
});

test('backorder reject: one short increase refuses the amendment whole, naming its line', () => {
  const o = order([
    { sku: 'A', qty: 1, alloc: [['L1', 1]] },
    { sku: 'B', qty: 1, alloc: [['L1', 1]] },
  ]);
  const err = refusal(() =>
    decideAmendment(
      o,
      [
        { sku: 'A', qty: 3 },
        { sku: 'B', qty: 4 },
        { sku: 'C', qty: 1 },
      ],
      sourceFrom({ 'A@L1': 5, 'B@L1': 1, 'B@L2': 1 }),
    ),
  );
  assert.equal(err.reason, 'insufficient_stock');
  assert.equal(err.code, 'amendment_refused');
  assert.equal(
    err.message,
    'Order O1 cannot be amended (insufficient_stock): not enough stock for B (3 more wanted, 2 available), C (1 more wanted, 0 available) and the order does not take backorders; nothing was changed.',
  );
  assert.deepEqual(err.issues, [
    { path: '/lines/1/qty', message: '3 more of B wanted, 2 available' },
    { path: '/lines/2/qty', message: '1 more of C wanted, 0 available' },
  ]);
  assert.deepEqual(
    err.shortfalls.map((x) => [x.index, x.sku]),
    [
      [1, 'B'],
      [2, 'C'],
    ],
  );
});

test('backorder allow: an increase reserves what is free and owes the rest', () => {
  const o = order([{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { backorder: 'allow' });
  const { next } = decideAmendment(o, [{ sku: 'A', qty: 6 }], sourceFrom({ 'A@L2': 2 }));
  assert.deepEqual(figures(next, 'A'), { qty: 6, reserved: 3, backordered: 3 });
});

test('refusals: cancelled, ERP failed, released, a shipped line going below what shipped, no line left', () => {
  const src = sourceFrom({ 'A@L1': 100 });
  assert.equal(refusal(() => decideAmendment(order([{ qty: 2 }], { cancelled: true }), [{ sku: 'A', qty: 3 }], src)).reason, 'cancelled');
  assert.equal(
    refusal(() => decideAmendment(order([{ qty: 2 }], { erp: { state: 'failed', attempts: 1 } }), [{ sku: 'A', qty: 3 }], src)).reason,
    'erp_failed',
  );
  const released = order([{ sku: 'A', qty: 4, alloc: [['L1', 4]] }], { released: true });
  assert.equal(refusal(() => decideAmendment(released, [{ sku: 'A', qty: 5 }], src)).reason, 'released');
  const shipped = cloneOrder(released);
  shipped.shipments.push({ eventId: 's1', source: 'wms', location: 'L1', at: T, lines: [{ sku: 'A', qty: 3 }] });
  const below = refusal(() => decideAmendment(shipped, [{ sku: 'A', qty: 2 }], src));
  assert.equal(below.reason, 'shipped');
  assert.deepEqual(below.issues, [{ path: '/lines/0/qty', message: 'A: 3 already shipped; the line cannot go to 2' }]);
  assert.equal(refusal(() => decideAmendment(shipped, [{ sku: 'A', qty: 3 }], src)).reason, 'released', 'at or above what shipped: the release refuses it');
  const empty = refusal(() => decideAmendment(order([{ qty: 2 }]), [{ sku: 'A', qty: 0 }], src));
  assert.equal(empty.reason, 'no_lines');
  assert.deepEqual(empty.issues, [{ path: '/lines', message: 'no line with a quantity above 0' }]);
  assert.match(
    refusal(() => decideAmendment(order([{ qty: 2 }], { cancelled: true }), [{ sku: 'A', qty: 3 }], src)).message,
    /\(cancelled\): the order is cancelled;/,
  );
  const late = refusal(() => decideAmendment(released, [{ sku: 'A', qty: 5 }], src));
  assert.match(late.message, /released to the warehouse/);
  assert.deepEqual([late.issues, late.shortfalls], [[], []], 'a refusal of the whole order names no line');
  assert.match(
    refusal(() => decideAmendment(order([{ qty: 2 }], { erp: { state: 'failed', attempts: 1 } }), [{ sku: 'A', qty: 3 }], src)).message,
    /never taken/,
  );
  assert.match(empty.message, /cancel the order instead/);
  // A shipped line left out of the amendment is named by the list; several lines below what shipped are all named.
  const two = cloneOrder(shipped);
  two.lines.push({ sku: 'B', qty: 2, alloc: [['L1', 2]], departed: {}, returned: 0 });
  two.shipments.push({ eventId: 's2', source: 'wms', location: 'L1', at: T, lines: [{ sku: 'B', qty: 1 }] });
  const both = refusal(() => decideAmendment(two, [{ sku: 'B', qty: 0 }], src));
  assert.deepEqual(both.issues, [
    { path: '/lines', message: 'A: 3 already shipped; the line cannot go to 0' },
    { path: '/lines/0/qty', message: 'B: 1 already shipped; the line cannot go to 0' },
  ]);
  assert.match(both.message, /A: 3 already shipped; the line cannot go to 0; B: 1 already shipped/);
});

test('the ERP is owed the change only when it has (or may be taking) the order; an amendment that changes nothing changes nothing', () => {
  const src = sourceFrom({ 'A@L1': 100 });
  for (const [state, owed] of [
    ['committed', true],
    ['pending', true],
    ['held', false],
  ] as const) {
    const o = order([{ qty: 2, alloc: [['L1', 2]] }], { erp: { state, attempts: 0 } });
    assert.equal(decideAmendment(o, [{ sku: 'A', qty: 3 }], src).next.erp.change !== undefined, owed, state);
  }
  const o = order([{ qty: 2, unitPrice: 5, alloc: [['L1', 2]] }]);
  const same = decideAmendment(o, [{ sku: 'A', qty: 2 }], src);
  assert.equal(same.next, o);
  assert.deepEqual(same.changes, []);
  const price = decideAmendment(o, [{ sku: 'A', qty: 2, unitPrice: 6 }], src);
  assert.equal(price.next.lines[0]!.unitPrice, 6);
  assert.deepEqual(price.changes, [
    { sku: 'A', before: { qty: 2, reserved: 2, backordered: 0, unitPrice: 5 }, after: { qty: 2, reserved: 2, backordered: 0, unitPrice: 6 } },
  ]);
  const unpriced = decideAmendment(order([{ qty: 2, alloc: [['L1', 2]] }]), [{ sku: 'A', qty: 3 }], src);
  assert.deepEqual(unpriced.changes[0]!.before, { qty: 2, reserved: 2, backordered: 0 }, 'no price: none reported');
  assert.ok(owesErpChange(price.next), 'a price change is a change');
});

// ---- Property: the rule against an independent model of each item's figures ----

const SKUS = ['A', 'B', 'C', 'D'];

interface Model {
  qty: number;
  reserved: number;
  backordered: number;
}

const scenario = fc
  .record({
    backorder: fc.constantFrom<'reject' | 'allow'>('reject', 'allow'),
    erp: fc.constantFrom<'committed' | 'pending' | 'held'>('committed', 'pending', 'held'),
    current: fc.uniqueArray(fc.record({ sku: fc.constantFrom(...SKUS), qty: fc.integer({ min: 1, max: 10 }), l1: fc.nat(10), l2: fc.nat(10) }), {
      selector: (l) => l.sku,
      maxLength: 4,
    }),
    free: fc.record(Object.fromEntries(SKUS.flatMap((s) => LOCATIONS.map((l) => [`${s}@${l}`, fc.nat(8)]))) as Record<string, fc.Arbitrary<number>>),
    wanted: fc.uniqueArray(
      fc.record({ sku: fc.constantFrom(...SKUS), qty: fc.nat(14), unitPrice: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }) }),
      { selector: (l) => l.sku, maxLength: 4 },
    ),
  })
  .map((s) => {
    // A captured order holds at most its quantity; under reject it holds all of it.
    const lines = s.current.map((c) => {
      const l1 = Math.min(c.l1, c.qty);
      const l2 = s.backorder === 'reject' ? c.qty - l1 : Math.min(c.l2, c.qty - l1);
      const alloc: [string, number][] = [];
      if (l1 > 0) alloc.push(['L1', l1]);
      if (l2 > 0) alloc.push(['L2', l2]);
      return { sku: c.sku, qty: c.qty, alloc };
    });
    return { ...s, order: order(lines, { backorder: s.backorder, erp: { state: s.erp, attempts: 0 } }) };
  });

/** The model: what each item's figures become, or the refusal, from totals alone. */
function modelOf(o: OrderState, wanted: readonly AmendedLine[], free: Record<string, number>): { refused: string } | Map<string, Model> {
  if (!wanted.some((w) => w.qty > 0)) return { refused: 'no_lines' };
  const freeOf = (sku: string) => LOCATIONS.reduce((n, l) => n + (free[`${sku}@${l}`] ?? 0), 0);
  const before = new Map(o.lines.map((l) => [l.sku, { qty: l.qty, reserved: l.alloc.reduce((n, [, q]) => n + q, 0) }]));
  if (o.backorder === 'reject' && wanted.some((w) => w.qty - (before.get(w.sku)?.qty ?? 0) > freeOf(w.sku))) return { refused: 'insufficient_stock' };
  const out = new Map<string, Model>();
  for (const w of wanted) {
    if (w.qty === 0) continue;
    const b = before.get(w.sku) ?? { qty: 0, reserved: 0 };
    const delta = w.qty - b.qty;
    const reserved = delta >= 0 ? b.reserved + Math.min(delta, freeOf(w.sku)) : Math.max(0, b.reserved + delta);
    out.set(w.sku, { qty: w.qty, reserved, backordered: w.qty - reserved });
  }
  return out;
}

test('property: the amended figures match the model, add up and are never negative; a refusal changes nothing', () => {
  fc.assert(
    fc.property(scenario, ({ order: o, wanted, free }) => {
      const snapshot = structuredClone(o);
      const expected = modelOf(o, wanted, free);
      let decided: ReturnType<typeof decideAmendment>;
      try {
        decided = decideAmendment(o, wanted, sourceFrom(free));
      } catch (err) {
        assert.ok(err instanceof AmendmentRefusedError, String(err));
        assert.deepEqual(expected, { refused: err.reason });
        assert.deepEqual(o, snapshot, 'a refused amendment changes nothing');
        return;
      }
      assert.ok(!('refused' in expected), `the model refuses (${'refused' in expected ? expected.refused : ''}); the rule took it`);
      const { next } = decided;
      assert.deepEqual(o, snapshot, 'the order given is not changed');
      const got = new Map(next.lines.map((l) => [l.sku, figures(next, l.sku)!]));
      assert.deepEqual(got, expected);
      for (const l of next.lines) {
        const f = lineFigures(next, l);
        assert.ok(f.reserved >= 0 && f.backordered >= 0);
        assert.equal(f.reserved + f.backordered + f.shipped, l.qty, `${l.sku}: reserved + backordered + shipped = ordered`);
      }
      // Holds move by the reserved delta, and new holds at a location never exceed what was free there.
      const before = orderHolds(o, () => undefined);
      const after = orderHolds(next, () => undefined);
      for (const sku of SKUS)
        for (const loc of LOCATIONS) {
          const key = `${sku}\u001f${loc}`;
          const taken = (after.get(key) ?? 0) - (before.get(key) ?? 0);
          assert.ok(taken <= (free[`${sku}@${loc}`] ?? 0), `${key}: took ${taken}, ${free[`${sku}@${loc}`] ?? 0} free`);
        }
      const changed = decided.changes.length > 0;
      assert.equal(next.erp.change !== undefined, changed && o.erp.state !== 'held');
    }),
    { numRuns: 500 },
  );
});

test('the timeline text of a line list: items, quantities and prices, or none', () => {
  assert.equal(
    describeLines([
      { sku: 'A', qty: 2, unitPrice: 3.5 },
      { sku: 'B', qty: 1 },
    ]),
    'A × 2 @ 3.5, B × 1',
  );
  assert.equal(describeLines([]), '(none)');
});

test('a refusal built without lines or shortfalls names none', () => {
  const e = new AmendmentRefusedError('O1', 'released', 'the order was released');
  assert.deepEqual(
    [e.code, e.issues, e.shortfalls, e.message],
    ['amendment_refused', [], [], 'Order O1 cannot be amended (released): the order was released; nothing was changed.'],
  );
});
