import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sourceOrder } from './source-order.js';

const stockOf = (table: Record<string, Record<string, number>>) => (sku: string, loc: string) => table[sku]?.[loc] ?? 0;

test('one location for the whole order when one can fill every line', () => {
  const free = stockOf({ A: { DAL: 1, ATL: 9 }, B: { DAL: 5, ATL: 5 } });
  const r = sourceOrder({
    lines: [
      { sku: 'A', qty: 3 },
      { sku: 'B', qty: 2 },
    ],
    locations: ['DAL', 'ATL'],
    free,
    cap: () => 100,
    backorder: 'reject',
  });
  assert.deepEqual(r, { ok: true, allocations: [[['ATL', 3]], [['ATL', 2]]] });
});

test('otherwise the first location that fills a line, then the largest quantities first', () => {
  const free = stockOf({ A: { DAL: 2, ATL: 1, HOU: 4 }, B: { DAL: 5 } });
  const r = sourceOrder({
    lines: [
      { sku: 'A', qty: 6 },
      { sku: 'B', qty: 2 },
    ],
    locations: ['DAL', 'ATL', 'HOU'],
    free,
    cap: () => 100,
    backorder: 'reject',
  });
  assert.deepEqual(r, {
    ok: true,
    allocations: [
      [
        ['HOU', 4],
        ['DAL', 2],
      ],
      [['DAL', 2]],
    ],
  });
});

test('reject names every short line and reserves nothing; allow takes what the channel may sell', () => {
  const free = stockOf({ A: { DAL: 2 }, B: { DAL: 1 } });
  const input = {
    lines: [
      { sku: 'A', qty: 3 },
      { sku: 'B', qty: 1 },
    ],
    locations: ['DAL'],
    free,
    cap: (s: string) => (s === 'A' ? 2 : 1),
  };
  assert.deepEqual(sourceOrder({ ...input, backorder: 'reject' }), { ok: false, shortfalls: [{ index: 0, sku: 'A', requested: 3, available: 2 }] });
  assert.deepEqual(sourceOrder({ ...input, backorder: 'allow' }), { ok: true, allocations: [[['DAL', 2]], [['DAL', 1]]] });
});

test('never allocates more than a location has, nor more than the channel cap, and fills what it can', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 60 }),
      fc.nat(80),
      fc.constantFrom<'reject' | 'allow'>('reject', 'allow'),
      (stock, qty, capLimit, backorder) => {
        const locations = stock.map((_, i) => `L${i}`);
        const total = stock.reduce((a, b) => a + b, 0);
        const cap = Math.min(total, capLimit);
        const r = sourceOrder({ lines: [{ sku: 'A', qty }], locations, free: (_s, loc) => stock[Number(loc.slice(1))]!, cap: () => cap, backorder });
        if (!r.ok) {
          assert.ok(backorder === 'reject' && qty > cap);
          return;
        }
        const got = r.allocations[0]!;
        for (const [loc, n] of got) assert.ok(n > 0 && n <= stock[Number(loc.slice(1))]!);
        assert.equal(new Set(got.map(([loc]) => loc)).size, got.length);
        assert.equal(
          got.reduce((a, [, n]) => a + n, 0),
          Math.min(qty, cap),
        );
      },
    ),
  );
});

test('a location holding exactly what the order wants takes all of it', () => {
  const r = sourceOrder({
    lines: [{ sku: 'A', qty: 3 }],
    locations: ['DAL', 'ATL'],
    free: stockOf({ A: { DAL: 2, ATL: 3 } }),
    cap: () => 100,
    backorder: 'reject',
  });
  assert.deepEqual(r, { ok: true, allocations: [[['ATL', 3]]] });
});

test('when no location fills the order, a line that one location can fill comes from the first such location', () => {
  // B must be split, so no location takes the whole order; A fits in DAL (first) and in ATL (larger).
  const free = stockOf({ A: { DAL: 3, ATL: 5 }, B: { DAL: 2, ATL: 2 } });
  const r = sourceOrder({
    lines: [
      { sku: 'A', qty: 3 },
      { sku: 'B', qty: 4 },
    ],
    locations: ['DAL', 'ATL'],
    free,
    cap: () => 100,
    backorder: 'reject',
  });
  assert.deepEqual(r, {
    ok: true,
    allocations: [
      [['DAL', 3]],
      [
        ['DAL', 2],
        ['ATL', 2],
      ],
    ],
  });
});

test('a split takes equal stocks in location order, and never allocates zero', () => {
  const even = sourceOrder({
    lines: [{ sku: 'A', qty: 5 }],
    locations: ['L1', 'L2', 'L3'],
    free: stockOf({ A: { L1: 2, L2: 2, L3: 2 } }),
    cap: () => 100,
    backorder: 'reject',
  });
  assert.deepEqual(even, {
    ok: true,
    allocations: [
      [
        ['L1', 2],
        ['L2', 2],
        ['L3', 1],
      ],
    ],
  });
  // A backorder beyond every location's stock: what there is, with no empty allocation; an item with nothing to give gets none.
  const short = sourceOrder({
    lines: [
      { sku: 'A', qty: 5 },
      { sku: 'B', qty: 2 },
    ],
    locations: ['L1', 'L2'],
    free: stockOf({ A: { L1: 2 } }),
    cap: (sku) => (sku === 'A' ? 100 : 0),
    backorder: 'allow',
  });
  assert.deepEqual(short, { ok: true, allocations: [[['L1', 2]], []] });
});

test('a location that holds exactly every line takes the whole order, though another has more of one line', () => {
  const free = stockOf({ A: { DAL: 5, ATL: 3 }, B: { ATL: 2 } });
  const r = sourceOrder({
    lines: [
      { sku: 'A', qty: 3 },
      { sku: 'B', qty: 2 },
    ],
    locations: ['DAL', 'ATL'],
    free,
    cap: () => 100,
    backorder: 'reject',
  });
  assert.deepEqual(r, { ok: true, allocations: [[['ATL', 3]], [['ATL', 2]]] });
});
