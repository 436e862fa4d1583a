import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crossReferenceIssues,
  describeReferences,
  gtinProblem,
  hasValidCheckDigit,
  isGtinScheme,
  partnerItemId,
  WAITS_FOR_REFERENCES,
  waitsForReferences,
  xrefKey,
} from './cross-reference.js';

const good = { kind: 'item', system: 'acme', scheme: 'BP', external: 'X-1', id: 'ABC-100' };

test('each field of a cross-reference is refused with its own reason', () => {
  assert.deepEqual(crossReferenceIssues({ ...good, kind: 'vendor' }), [{ path: '/kind', message: 'must be one of item, customer, location' }]);
  assert.deepEqual(crossReferenceIssues({ ...good, system: 7 }), [{ path: '/system', message: 'must be a non-empty string' }]);
  assert.deepEqual(crossReferenceIssues({ ...good, scheme: '  ' }), [{ path: '/scheme', message: 'must be a non-empty string' }]);
  assert.deepEqual(crossReferenceIssues({ ...good, id: 'x'.repeat(201) }), [{ path: '/id', message: 'must be at most 200 characters' }]);
  assert.deepEqual(crossReferenceIssues({ ...good, id: 'x'.repeat(200) }), []);
  for (const bad of ['a\u0001b', 'a\u007fb', ' a', 'a '])
    assert.deepEqual(
      crossReferenceIssues({ ...good, external: bad }),
      [{ path: '/external', message: 'must have no control characters nor surrounding spaces' }],
      JSON.stringify(bad),
    );
  assert.deepEqual(crossReferenceIssues({ ...good, external: 'a b~é' }), [], 'inner spaces and non-ASCII are fine');
});

test('a ship-to belongs to customers only and is a short non-empty string', () => {
  const customer = { ...good, kind: 'customer' };
  assert.deepEqual(crossReferenceIssues({ ...customer, shipTo: 'S1' }), []);
  assert.deepEqual(crossReferenceIssues({ ...customer, shipTo: '' }), [{ path: '/shipTo', message: 'must be a non-empty string of at most 200 characters' }]);
  assert.deepEqual(crossReferenceIssues({ ...customer, shipTo: 'x'.repeat(201) }), [
    { path: '/shipTo', message: 'must be a non-empty string of at most 200 characters' },
  ]);
  assert.deepEqual(crossReferenceIssues({ ...customer, shipTo: 4 }), [{ path: '/shipTo', message: 'must be a non-empty string of at most 200 characters' }]);
  assert.deepEqual(crossReferenceIssues({ ...good, shipTo: 'S1' }), [{ path: '/shipTo', message: 'only a customer has ship-to addresses' }]);
});

test('GTINs are checked for items only, after the fields are well formed', () => {
  assert.deepEqual(crossReferenceIssues({ ...good, scheme: 'UP', external: '036000291453' }), [
    { path: '/external', message: "'036000291453' has a wrong check digit for a UP GTIN" },
  ]);
  assert.deepEqual(crossReferenceIssues({ ...good, kind: 'customer', scheme: 'UP', external: '036000291453' }), []);
  assert.deepEqual(crossReferenceIssues({ ...good, scheme: 'UP', external: '036000291452' }), []);
  assert.equal(gtinProblem('upc', '1234567'), "'1234567' is not a GTIN (upc takes 8, 12, 13 or 14 digits)");
  assert.equal(gtinProblem('EN', '4006381333931'), undefined);
  for (const s of ['UP', 'UA', 'UK', 'UN', 'EN', 'EO', 'UI', 'gtin', 'upc', 'ean']) assert.equal(isGtinScheme(s), true, s);
  assert.equal(isGtinScheme('BP'), false);
  // Lengths 9-11 and 15 are no GTIN, whatever their digits.
  for (const code of ['123456789', '1234567890', '12345678901', '123456789012345', '0360002914521']) assert.equal(hasValidCheckDigit(code), false, code);
});

test('keys, descriptions and a partner item id', () => {
  assert.equal(xrefKey({ kind: 'item', system: 'acme', scheme: 'BP', external: 'X-1' }), '["item","acme","BP","X-1"]');
  assert.equal(
    describeReferences([
      { kind: 'item', system: 'acme', scheme: 'BP', external: '0042' },
      { kind: 'customer', system: 'acme', scheme: '92', external: 'ST-9' },
    ]),
    'item 0042 (system acme, scheme BP), customer ST-9 (system acme, scheme 92)',
  );
  const line = { sku: 'ABC-100', ids: { VN: 'V-1', UP: '036000291452' } };
  assert.deepEqual(partnerItemId(line, ['BP', 'UP', 'VN'], 'VN'), ['UP', '036000291452']);
  assert.deepEqual(partnerItemId(line, ['BP'], 'VP'), ['VP', 'ABC-100']);
  assert.deepEqual(partnerItemId({ sku: 'S', ids: { BP: '' } }, ['BP'], 'VP'), ['VP', 'S']);
  assert.deepEqual(partnerItemId({ sku: 'S' }, ['BP'], 'VP'), ['VP', 'S']);
});

test('a GTIN is 8, 12, 13 or 14 digits exactly: a longer run of digits whose check digit happens to fit is still none', () => {
  // 123456784 has 9 digits and a fitting check digit over all 9; 0 is one digit whose check fits.
  assert.equal(hasValidCheckDigit('123456784'), false);
  assert.equal(gtinProblem('UP', '123456784'), "'123456784' is not a GTIN (UP takes 8, 12, 13 or 14 digits)");
  assert.equal(gtinProblem('UP', '0'), "'0' is not a GTIN (UP takes 8, 12, 13 or 14 digits)");
  assert.equal(gtinProblem('EN', '96385074'), undefined, 'an EAN-8 is a GTIN');
  assert.equal(gtinProblem('EN', 'x96385074'), "'x96385074' is not a GTIN (EN takes 8, 12, 13 or 14 digits)");
  assert.equal(gtinProblem('EN', '96385074x'), "'96385074x' is not a GTIN (EN takes 8, 12, 13 or 14 digits)");
  assert.equal(hasValidCheckDigit('x96385074'), false);
  assert.equal(hasValidCheckDigit('96385074x'), false);
});

test('a ship-to of 200 characters is taken; the GTIN check waits until the fields are well formed', () => {
  assert.deepEqual(crossReferenceIssues({ ...good, kind: 'customer', shipTo: 'x'.repeat(200) }), []);
  assert.deepEqual(crossReferenceIssues({ ...good, system: '', scheme: 'UP', external: '036000291453' }), [
    { path: '/system', message: 'must be a non-empty string' },
  ]);
});

test('a parked document waits for cross-references only when its reason says so and it names at least one', () => {
  const ref = { kind: 'item', system: 'acme', scheme: 'BP', external: 'X-1' } as const;
  const waiting = `the order ${WAITS_FOR_REFERENCES}: item X-1 (system acme, scheme BP)`;
  assert.equal(waitsForReferences({ reason: waiting, unknownReferences: [ref] }), true);
  // Unknown references on a document parked for another reason are hints, not the cause.
  assert.equal(waitsForReferences({ reason: 'the order has no lines', unknownReferences: [ref] }), false);
  // The reason alone is not enough: with nothing named there is nothing to wait for.
  assert.equal(waitsForReferences({ reason: waiting, unknownReferences: [] }), false);
  assert.equal(waitsForReferences({ reason: waiting }), false);
  // Connectors word the reason with this phrase; exception sources search for it.
  assert.equal(WAITS_FOR_REFERENCES, 'waits for cross-references');
});
