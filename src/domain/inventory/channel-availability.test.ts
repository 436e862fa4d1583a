import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AVAILABILITY_FORMULA, channelAvailable, explainChannelFigure, type ChannelRule, type LocationStock } from './channel-availability.js';

const stock = (location: string, onHand: number, extra: Partial<LocationStock> = {}): LocationStock => ({
  location,
  onHand,
  qualityHold: 0,
  damaged: 0,
  reserved: 0,
  inboundDue: 0,
  ...extra,
});
const rule = (r: Partial<ChannelRule>): ChannelRule => ({ id: 'web', locations: ['DAL', 'ATL'], safetyStock: 0, ...r });

test('sums per-location net after holds, damage, reservations and safety stock, each floored at zero', () => {
  const stocks = [stock('DAL', 50, { qualityHold: 2, damaged: 1, reserved: 5 }), stock('ATL', 1)];
  assert.equal(channelAvailable(rule({ safetyStock: 2 }), stocks), 40); // 50-2-1-5-2 = 40, ATL 1-2 → 0
});

test('applies an allocation percentage rounded down, or a cap', () => {
  const stocks = [stock('DAL', 37), stock('ATL', 0)];
  assert.equal(channelAvailable(rule({ allocation: { percent: 80 } }), stocks), 29);
  assert.equal(channelAvailable(rule({ allocation: { max: 10 } }), stocks), 10);
  assert.equal(channelAvailable(rule({ allocation: { percent: 80 } }), [stock('DAL', 35), stock('ATL', 0)]), 28);
});

test('counts inbound due within the horizon only when the channel asks for it', () => {
  const stocks = [stock('DAL', 5, { inboundDue: 12 }), stock('ATL', 0, { inboundDue: -3 })];
  assert.equal(channelAvailable(rule({}), stocks), 5);
  assert.equal(channelAvailable(rule({ includeInbound: { withinDays: 3 } }), stocks), 17);
});

test('is never negative and always equals the explanation', () => {
  const stockArb = fc.record({
    location: fc.constantFrom('DAL', 'ATL'),
    onHand: fc.integer({ min: -50, max: 500 }),
    qualityHold: fc.integer({ min: -5, max: 50 }),
    damaged: fc.integer({ min: 0, max: 50 }),
    reserved: fc.integer({ min: 0, max: 500 }),
    inboundDue: fc.integer({ min: -20, max: 100 }),
  });
  const ruleArb = fc.record({
    safetyStock: fc.nat(20),
    allocation: fc.option(fc.oneof(fc.record({ percent: fc.double({ min: 0, max: 100, noNaN: true }) }), fc.record({ max: fc.nat(200) })), { nil: undefined }),
    includeInbound: fc.option(fc.record({ withinDays: fc.nat(10) }), { nil: undefined }),
  });
  fc.assert(
    fc.property(fc.array(stockArb, { maxLength: 4 }), ruleArb, (stocks, r) => {
      const ch = rule({
        safetyStock: r.safetyStock,
        ...(r.allocation ? { allocation: r.allocation } : {}),
        ...(r.includeInbound ? { includeInbound: r.includeInbound } : {}),
      });
      const available = channelAvailable(ch, stocks);
      assert.ok(available >= 0 && Number.isInteger(available));
      const explained = explainChannelFigure(ch, stocks);
      assert.equal(explained.available, available);
      assert.ok(available <= explained.pool);
    }),
  );
});

/**
 * The channel figure as the reference states it, in whole-number arithmetic and written without
 * the code under test: per location max(0, on hand − holds − damaged − reserved − safety stock),
 * plus inbound due (never below 0) when the channel counts it; then the allocation (a percentage
 * given in tenths, rounded down, or a cap); never negative.
 */
function specifiedFigure(stocks: readonly LocationStock[], r: { safetyStock: number; percentTenths?: number; max?: number; includeInbound: boolean }): number {
  let pool = 0;
  for (const s of stocks) {
    const net = s.onHand - s.qualityHold - s.damaged - s.reserved - r.safetyStock;
    pool += Math.max(net, 0) + (r.includeInbound && s.inboundDue > 0 ? s.inboundDue : 0);
  }
  if (r.percentTenths !== undefined) pool = Number((BigInt(pool) * BigInt(r.percentTenths)) / 1000n);
  if (r.max !== undefined && pool > r.max) pool = r.max;
  return Math.max(pool, 0);
}

test('the figure and its explanation each equal the reference formula computed independently', () => {
  const stockArb = fc.record({
    location: fc.constantFrom('DAL', 'ATL', 'RNO'),
    onHand: fc.integer({ min: -50, max: 100_000 }),
    qualityHold: fc.integer({ min: -5, max: 500 }),
    damaged: fc.integer({ min: 0, max: 500 }),
    reserved: fc.integer({ min: 0, max: 100_000 }),
    inboundDue: fc.integer({ min: -20, max: 5_000 }),
  });
  const ruleArb = fc.record({
    safetyStock: fc.nat(50),
    allocation: fc.oneof(fc.constant(undefined), fc.record({ percentTenths: fc.integer({ min: 0, max: 1000 }) }), fc.record({ max: fc.nat(2_000) })),
    includeInbound: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(stockArb, { maxLength: 5 }), ruleArb, (stocks, r) => {
      const ch = rule({
        safetyStock: r.safetyStock,
        ...(r.allocation && 'percentTenths' in r.allocation ? { allocation: { percent: r.allocation.percentTenths / 10 } } : {}),
        ...(r.allocation && 'max' in r.allocation ? { allocation: { max: r.allocation.max } } : {}),
        ...(r.includeInbound ? { includeInbound: { withinDays: 3 } } : {}),
      });
      const spec = specifiedFigure(stocks, { safetyStock: r.safetyStock, includeInbound: r.includeInbound, ...r.allocation });
      assert.equal(channelAvailable(ch, stocks), spec);
      const explained = explainChannelFigure(ch, stocks);
      assert.equal(explained.available, spec);
      assert.equal(
        explained.terms.reduce((sum, t) => sum + t.net + t.inboundCounted, 0),
        explained.pool,
        'the terms add up to the pool',
      );
    }),
    { numRuns: 2000 },
  );
});

// Lookups answer this text beside the figure: it must state the rule the figure follows, term by term.
test('the formula an answer shows names every term of the rule, in the order it applies them', () => {
  const terms = [
    'locations',
    'max(0',
    'onHand',
    'qualityHold',
    'damaged',
    'reserved',
    'safetyStock',
    'inbound due within the horizon',
    'allocation',
    'rounded down',
    'never negative',
  ];
  let from = 0;
  for (const term of terms) {
    const at = AVAILABILITY_FORMULA.indexOf(term, from);
    assert.ok(at >= from, `"${term}" after position ${from} in: ${AVAILABILITY_FORMULA}`);
    from = at + term.length;
  }
});
