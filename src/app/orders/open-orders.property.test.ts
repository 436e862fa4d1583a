/**
 * A ledger property of the live orders: whatever sequence of changes the orders go through
 * (allocations moved, shipments, departures, cancellations), the ledger's reservation of each item
 * at each location is the sum of what the open orders hold there, and a reload from the store
 * (a restart, or recovery after a failed write) puts back exactly the same reservations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderState } from '../../domain/orders/order-state.js';
import { channel, count, embeddedHub, location, order, SEP } from './orders.test-support.js';

const LOCS = ['L1', 'L2'];
const SKUS = ['A', 'B'];

const change = fc.record({
  id: fc.constantFrom('O1', 'O2', 'O3'),
  sku: fc.constantFrom(...SKUS),
  qty: fc.integer({ min: 1, max: 4 }),
  alloc: fc.array(fc.tuple(fc.constantFrom(...LOCS), fc.integer({ min: 0, max: 4 })), { maxLength: 2 }),
  shipped: fc.option(fc.tuple(fc.constantFrom(...LOCS), fc.integer({ min: 1, max: 2 })), { nil: undefined }),
  departed: fc.integer({ min: 0, max: 2 }),
  cancelled: fc.boolean(),
  erp: fc.constantFrom('pending', 'committed', 'failed'),
});

type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function asOrder(c: Change): OrderState {
  const o = order(c.id, [{ sku: c.sku, qty: c.qty, alloc: c.alloc.filter(([, n]) => n > 0) as [string, number][] }], {
    cancelled: c.cancelled,
    erp: { state: c.erp as 'pending', attempts: 1 },
  });
  if (c.shipped) {
    const [loc, qty] = c.shipped;
    o.shipments.push({ eventId: `s-${c.id}`, source: 'wms', location: loc, at: '2026-03-01T09:30:00.000Z', lines: [{ sku: c.sku, qty }] });
    o.lines[0]!.departed = c.departed > 0 ? { [loc]: c.departed } : {};
  }
  return o;
}

test('reservations are always the sum of what the open orders hold, and survive a reload', () => {
  fc.assert(
    fc.property(fc.array(change, { maxLength: 25 }), (changes) => {
      const h = embeddedHub({
        locations: LOCS.map((l) => location(l)),
        channels: [channel('web', LOCS)],
        counts: LOCS.flatMap((l) => SKUS.map((s) => count(location(l), s, 20))),
      });
      const check = (when: string) => {
        for (const sku of SKUS)
          for (const loc of LOCS) {
            let held = 0;
            for (const o of h.openOrders.all()) held += h.openOrders.holdsOf(o.id).get(sku + SEP + loc) ?? 0;
            assert.equal(h.reserved(sku, loc), held, `${when}: ${sku} at ${loc}`);
          }
      };
      for (const c of changes) {
        h.openOrders.record(asOrder(c), [], [], () => {});
        check('after a change');
      }
      const before = SKUS.flatMap((s) => LOCS.map((l) => h.reserved(s, l)));
      h.recover();
      check('after a reload');
      assert.deepEqual(
        SKUS.flatMap((s) => LOCS.map((l) => h.reserved(s, l))),
        before,
      );
    }),
    { numRuns: 150 },
  );
});
