import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crossReferenceIssues, gtinProblem, hasValidCheckDigit } from './cross-reference.js';
import { fromBaseUnits, toBaseUnits, unitConversionIssues, unitFactor, wholeUnitsAvailable } from './units-of-measure.js';

test('GTIN check digits: real UPC-A, EAN-13, EAN-8 and GTIN-14 codes pass, any one changed digit fails', () => {
  for (const code of ['036000291452', '4006381333931', '96385074', '10012345000017', '012345000058']) assert.ok(hasValidCheckDigit(code), code);
  fc.assert(
    fc.property(fc.constantFrom('036000291452', '4006381333931', '96385074'), fc.nat(), fc.integer({ min: 1, max: 9 }), (code, at, by) => {
      const i = at % code.length;
      const changed = code.slice(0, i) + String((Number(code[i]) + by) % 10) + code.slice(i + 1);
      return !hasValidCheckDigit(changed);
    }),
  );
  assert.match(gtinProblem('UP', '036000291453')!, /check digit/);
  assert.match(gtinProblem('EN', '12345')!, /not a GTIN/);
  assert.equal(gtinProblem('BP', '12345'), undefined, 'a buyer part number is no GTIN');
});

test('a cross-reference names each bad field; a UPC with a wrong check digit is refused on /external', () => {
  assert.deepEqual(crossReferenceIssues({ kind: 'item', system: 'acme', scheme: 'BP', external: 'X-1', id: 'ABC-100' }), []);
  assert.deepEqual(
    crossReferenceIssues({ kind: 'item', system: 'acme', scheme: 'UP', external: '036000291453', id: 'ABC-100' }).map((i) => i.path),
    ['/external'],
  );
  assert.deepEqual(
    crossReferenceIssues({ kind: 'vendor', system: '', scheme: 'BP', external: ' X', id: 'A', shipTo: 'S1' }).map((i) => i.path),
    ['/kind', '/system', '/external', '/shipTo'],
  );
});

test('units convert exactly both ways: n cases of f are n×f base units and back, for any n and f', () => {
  fc.assert(
    fc.property(fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 1000 }), (n, f) => {
      const there = toBaseUnits(String(n), 'CA', f);
      return there.ok && there.units === n * f && fromBaseUnits(there.units, f) === n;
    }),
  );
  // Decimal quantities that come to whole base units are taken; any other is refused, never rounded.
  fc.assert(
    fc.property(fc.nat({ max: 100_000 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 144 }), (whole, hundredths, f) => {
      const r = toBaseUnits(`${whole}.${String(hundredths).padStart(2, '0')}`, 'CA', f);
      const exact = (hundredths * f) % 100 === 0;
      return exact ? r.ok && r.units === whole * f + (hundredths * f) / 100 : !r.ok && /not a whole number/.test(r.message);
    }),
  );
  assert.deepEqual(toBaseUnits('1.5', 'CA', 12), { ok: true, units: 18 });
  assert.equal(toBaseUnits('0.1', 'PK', 6).ok, false);
  assert.equal(toBaseUnits('-1', 'CA', 12).ok, false);
  assert.equal(toBaseUnits('1e3', 'CA', 12).ok, false);
  assert.equal(fromBaseUnits(18, 12), undefined);
});

test('a channel selling cases sees whole cases only, never more than is there', () => {
  fc.assert(fc.property(fc.integer({ min: -50, max: 10_000 }), fc.integer({ min: 1, max: 50 }), (a, f) => wholeUnitsAvailable(a, f) * f <= Math.max(0, a)));
  assert.equal(wholeUnitsAvailable(35, 12), 2);
  assert.deepEqual(
    unitConversionIssues({ CA: 12, pk: 6, BX: 0.5, EA: 2 }).map((i) => i.path),
    ['/pk', '/BX', '/EA'],
  );
});

test('unit refusals say why; a partner packing a unit its own way comes first', () => {
  assert.deepEqual(toBaseUnits('x', 'CA', 12), { ok: false, message: "quantity 'x' is not a non-negative number" });
  assert.deepEqual(toBaseUnits(' 2 ', 'CA', 12), { ok: true, units: 24 });
  assert.deepEqual(toBaseUnits('2.50', 'CA', 12), { ok: true, units: 30 }, 'trailing zeros change nothing');
  assert.deepEqual(toBaseUnits('1', 'CA', 0), { ok: false, message: 'unit CA holds 0 base units, not a positive whole number' });
  assert.deepEqual(toBaseUnits('1', 'CA', 1.5), { ok: false, message: 'unit CA holds 1.5 base units, not a positive whole number' });
  assert.deepEqual(toBaseUnits('0.1', 'PK', 6), { ok: false, message: '0.1 PK is 0.1 × 6 base units, not a whole number; it is refused, not rounded' });
  assert.deepEqual(toBaseUnits('9007199254740992', 'EA', 1), { ok: false, message: '9007199254740992 EA is too many units' });
  assert.deepEqual(toBaseUnits('9007199254740991', 'EA', 1), { ok: true, units: Number.MAX_SAFE_INTEGER });
  assert.equal(fromBaseUnits(24, 12), 2);
  assert.equal(fromBaseUnits(1.5, 1), undefined);
  assert.equal(fromBaseUnits(12, 0), undefined);
  assert.equal(wholeUnitsAvailable(36, 12), 3);
  assert.equal(wholeUnitsAvailable(0, 12), 0);
  assert.equal(wholeUnitsAvailable(10, 0), 0);
  assert.equal(unitFactor('CA', 'EA', { CA: 10 }, { CA: 12 }), 10);
  assert.equal(unitFactor('CA', 'EA', undefined, { CA: 12 }), 12);
  assert.equal(unitFactor('EA', 'EA', undefined, undefined), 1);
  assert.equal(unitFactor('BX', 'EA', { CA: 10 }, { CA: 12 }), undefined);
  assert.deepEqual(unitConversionIssues({ CA: 12, TOOLONG: 2, PK: 1_000_001, BX: '6', EA: 1 }), [
    { path: '/TOOLONG', message: 'a unit code is 1 to 6 capital letters or digits (CA, PK, BX)' },
    { path: '/PK', message: 'must be a whole number of base units, 1 to 1,000,000' },
    { path: '/BX', message: 'must be a whole number of base units, 1 to 1,000,000' },
  ]);
  assert.deepEqual(unitConversionIssues({ CS: 1_000_000, EA: 3 }, 'EA'), [{ path: '/EA', message: 'EA is the base unit: it holds 1' }]);
  assert.deepEqual(unitConversionIssues({ KG: 2 }, 'KG'), [{ path: '/KG', message: 'KG is the base unit: it holds 1' }]);
});

test('sizes and availability at the edges', () => {
  // Only whole base units in whole units of a whole size convert back.
  assert.equal(fromBaseUnits(4.5, 1.5), undefined);
  assert.equal(fromBaseUnits(3, 0.5), undefined);
  assert.equal(wholeUnitsAvailable(-5, 12), 0, 'an oversold item offers nothing, not minus one case');
  assert.equal(wholeUnitsAvailable(5, 1), 5);
  assert.deepEqual(unitConversionIssues({ CA: 0, PK: 1_000_000, EA: 1 }), [{ path: '/CA', message: 'must be a whole number of base units, 1 to 1,000,000' }]);
});
