/**
 * A stock file's quantities in the 3PL's units, converted to the hub's both ways by property: any
 * count in cases of any size is exactly that many base units, and back; a count that is not a
 * whole number of base units is refused with its line, never rounded (the same rule as EDI
 * quantities, units-of-measure.ts). Rows read by their columns whatever the export does with quotes
 * and delimiters: a quantity is taken from its own column or the row is refused, never another's.
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

const settings = (delimiter: string) => ({ source: '3pl', location: 'RNO', delimiter, columns: { sku: 'sku', onHand: 'qty' }, unitFactor: 1 });
const file = { name: 'f.csv', digest: 'd', occurredAt: '2026-11-22T10:00:00Z', firstSeq: 1 };

test('a quoted field holding the delimiter is one field: the quantity after it is read from its own column', () => {
  const csv = snapshotsFromCsv('sku,name,qty\nA-1,"Bolt, 10, steel",7\nA-2,"Nut ""M8"", zinc",3\nA-3,plain,4\n', settings(','), file);
  assert.deepEqual(
    csv.snapshots.map((x) => [x.sku, x.balance.onHand]),
    [
      ['A-1', 7],
      ['A-2', 3],
      ['A-3', 4],
    ],
  );
  assert.deepEqual(csv.rejected, []);
  const tsv = snapshotsFromCsv('sku\tname\tqty\nB-1\t"Hose\t25 ft"\t9\n', settings('\t'), file);
  assert.deepEqual(
    tsv.snapshots.map((x) => [x.sku, x.balance.onHand]),
    [['B-1', 9]],
  );
});

test('a row with more fields than the header that quoting does not explain is refused with its line; the other rows count', () => {
  const { snapshots, rejected } = snapshotsFromCsv('sku,name,qty\nA-1,Bolt, 10, steel,7\nA-2,Nut,3\n', settings(','), file);
  assert.deepEqual(
    snapshots.map((x) => [x.sku, x.balance.onHand]),
    [['A-2', 3]],
  );
  assert.deepEqual(rejected, [
    { line: 2, outcome: 'refused', message: 'the row has 5 fields where the header has 3; a field holding the delimiter (a comma) must be quoted whole' },
  ]);
});

test('trailing delimiters add only empty fields and are read past; a stray quote opening an item code stays part of it', () => {
  const { snapshots, rejected } = snapshotsFromCsv('sku,qty\nA-1,5,,\n"A-2,6,\n', settings(','), file);
  assert.deepEqual(
    snapshots.map((x) => [x.sku, x.balance.onHand]),
    [
      ['A-1', 5],
      ['"A-2', 6],
    ],
  );
  assert.deepEqual(rejected, []);
});

test('rows are named by their line in the file, blank lines counted', () => {
  const { rejected } = snapshotsFromCsv('sku,qty\nA-1,x\n\n\nA-2,y\r\n\r\nA-3,z\n', settings(','), file);
  assert.deepEqual(
    rejected.map((r) => r.line),
    [2, 5, 7],
  );
});

test('whatever a name holds and however it is written, a row taken has its own quantity; written as CSV quotes it, every row is taken', () => {
  const nameArb = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', ',', ';', '\t', '"', "'"), maxLength: 12 });
  fc.assert(
    fc.property(
      fc.constantFrom(',', '\t', ';'),
      fc.array(fc.record({ name: nameArb, qty: fc.nat(10_000), quoted: fc.boolean() }), { minLength: 1, maxLength: 8 }),
      (delimiter, rows) => {
        // As a CSV writer does (RFC 4180): a field holding the delimiter or a quote is quoted whole, its quotes doubled.
        const asCsv = (v: string) => (v.includes(delimiter) || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v);
        const text = [
          ['sku', 'name', 'qty'].join(delimiter),
          ...rows.map((r, i) => [`S-${i}`, r.quoted ? asCsv(r.name) : r.name, String(r.qty)].join(delimiter)),
        ].join('\n');
        const { snapshots, rejected } = snapshotsFromCsv(text, settings(delimiter), file);
        assert.equal(snapshots.length + rejected.length, rows.length, 'every row is taken or named');
        for (const x of snapshots) assert.equal(x.balance.onHand, rows[Number(x.sku.slice(2))]!.qty, `the quantity of ${x.sku}`);
        for (const [i, r] of rows.entries()) {
          if (r.quoted || !r.name.includes(delimiter))
            assert.ok(
              snapshots.some((x) => x.sku === `S-${i}`),
              `row ${i + 2} (${JSON.stringify(r)}) is taken`,
            );
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('a header naming a configured column twice refuses the file, naming the column and both fields', () => {
  assert.throws(
    () => snapshotsFromCsv('sku,qty,name,QTY\nA-1,5,x,6\n', settings(','), file),
    /the header has the column 'qty' \(configured for onHand\) more than once, at fields 2 and 4/,
  );
  assert.equal(snapshotsFromCsv('sku,qty,name,sku2\nA-1,5,x,6\n', settings(','), file).snapshots[0]?.balance.onHand, 5);
});

test('a row cut short is refused naming the columns it has no value for; a blank line of spaces is skipped', () => {
  const { snapshots, rejected } = snapshotsFromCsv('sku,name,qty\nA-1,"Hose\n25 ft",5\n   \nA-2,x,3\nA-3\n', settings(','), file);
  assert.deepEqual(
    snapshots.map((x) => [x.sku, x.balance.onHand]),
    [['A-2', 3]],
  );
  assert.deepEqual(
    rejected.map((r) => [r.line, r.outcome, r.message]),
    [
      [2, 'refused', 'the row has 2 fields where the header has 3: no qty'],
      [3, 'refused', 'the row has 2 fields where the header has 3: no qty'],
      [4, 'skipped', 'sku: blank'],
      [6, 'refused', 'the row has 1 field where the header has 3: no qty'],
    ],
  );
});
