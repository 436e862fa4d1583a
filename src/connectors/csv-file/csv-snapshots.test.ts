/**
 * A stock file's quantities in the 3PL's units, converted to the hub's both ways by property: any
 * count in cases of any size is exactly that many base units, and back; a count that is not a
 * whole number of base units is refused with its line, never rounded (the same rule as EDI
 * quantities, units-of-measure.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromBaseUnits, toBaseUnits } from '../../domain/master-data/units-of-measure.js';
import { snapshotsFromCsv } from './csv-snapshots.js';

const read = (qty: string, unitFactor: number) =>
  snapshotsFromCsv(
    `sku,qty\nA,${qty}\n`,
    { source: '3pl', location: 'RNO', delimiter: ',', columns: { sku: 'sku', onHand: 'qty' }, unitFactor },
    { name: 'f.csv', digest: 'd', occurredAt: '2026-11-22T10:00:00Z', firstSeq: 1 },
  );

test('a count of cases converts exactly to base units and back, for any count and case size', () => {
  fc.assert(
    fc.property(fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 1000 }), (n, f) => {
      const { snapshots } = read(String(n), f);
      return snapshots.length === 1 && snapshots[0]!.balance.onHand === n * f && fromBaseUnits(snapshots[0]!.balance.onHand, f) === n;
    }),
  );
});

test('a decimal count is taken exactly when it is a whole number of base units, and refused with its line otherwise', () => {
  fc.assert(
    // Case sizes of 100 and 1,000 make many hundredths whole, where floating point most often errs.
    fc.property(
      fc.nat({ max: 100_000 }),
      fc.integer({ min: 0, max: 99 }),
      fc.oneof(fc.integer({ min: 1, max: 144 }), fc.constantFrom(100, 1000)),
      (whole, hundredths, f) => {
        const text = `${whole}.${String(hundredths).padStart(2, '0')}`;
        const exact = toBaseUnits(text, 'CA', f);
        const { snapshots, rejected } = read(text, f);
        if (exact.ok) return snapshots[0]?.balance.onHand === exact.units && (whole * 100 + hundredths) * f === exact.units * 100;
        return (
          snapshots.length === 0 && rejected[0]?.line === 2 && rejected[0].outcome === 'refused' && /not a whole number of units/.test(rejected[0].message)
        );
      },
    ),
  );
  // Where floating point is wrong: 0.57 × 100 is 56.99999999999999, 0.07 × 100 is 7.000000000000001.
  assert.equal(read('0.57', 100).snapshots[0]?.balance.onHand, 57);
  assert.equal(read('0.07', 100).snapshots[0]?.balance.onHand, 7);
});
