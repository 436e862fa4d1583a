/**
 * What both backends check of an order request before reserving anything, the order it becomes,
 * and the Idempotency-Key's scope (per API key) and the request fingerprint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, UnknownChannelError } from '../../domain/errors.js';
import { CreditHoldError, CustomerInactiveError, IdempotencyKeyMissingError, UnknownCustomerError } from '../../domain/orders/order-errors.js';
import type { Channel } from '../../model/catalog.js';
import type { OrderRequest } from '../../model/order.js';
import { checkOrderRequest, clientKey, creditHoldDetail, fingerprintOf, newOrder, scopedKey } from './order-request.js';

const channel: Channel = { id: 'web', locations: ['L1'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' };
const customer = { id: 'C1', name: 'Acme', active: true, creditHold: false, updatedAt: 'x' };
const request: OrderRequest = {
  channel: 'web',
  externalId: 'W-1',
  customer: 'C1',
  lines: [
    { sku: 'A', qty: 2, unitPrice: 1.5 },
    { sku: 'B', qty: 1 },
  ],
};
const known = (sku: string) => sku !== 'Z';
/** The fingerprint this version stores for { web, W-1, C1, 1 × A }: pinned, since stored keys outlive an upgrade. */
const FIXED = 'rBeCR0ISXExn4j26tcGtJV7I9oev9CkTe-wehK-08hU';

test('Idempotency-Keys are scoped to the API key that sent them and must be printable', () => {
  assert.equal(scopedKey('k-1', 'api-1'), 'api-1\u001fk-1');
  assert.notEqual(scopedKey('k-1', 'api-1'), scopedKey('k-1', 'api-2'));
  assert.equal(clientKey('api-1\u001fk-1'), 'k-1');
  assert.equal(clientKey('api-1\u001fk\u001f1'), 'k\u001f1', 'only the first separator is the scope');
  assert.equal(scopedKey('x'.repeat(255), 'p').length, 257);
  for (const bad of [undefined, '', 'has space', 'tab\t', 'x'.repeat(256), 'é'])
    assert.throws(() => scopedKey(bad, 'p'), IdempotencyKeyMissingError, String(bad));
});

test('the fingerprint follows every field that matters and nothing else', () => {
  const fp = fingerprintOf(request);
  assert.equal(fp, fingerprintOf({ ...request, lines: request.lines.map((l) => ({ ...l })) }));
  assert.equal(fingerprintOf({ ...request, backorder: 'reject' }), fp, 'reject is the default');
  for (const other of [
    { ...request, channel: 'b2b' },
    { ...request, externalId: 'W-2' },
    { ...request, customer: 'C2' },
    { ...request, backorder: 'allow' as const },
    { ...request, lines: [{ sku: 'A', qty: 3, unitPrice: 1.5 }, request.lines[1]!] },
    { ...request, lines: [{ sku: 'A', qty: 2 }, request.lines[1]!] },
    { ...request, lines: [request.lines[0]!] },
    { ...request, lines: [request.lines[0]!, { sku: 'C', qty: 1 }] },
  ])
    assert.notEqual(fingerprintOf(other), fp, JSON.stringify(other));
  assert.match(fp, /^[A-Za-z0-9_-]{43}$/);
  const priced = (unitPrice: number) => ({ ...request, lines: [{ sku: 'A', qty: 2, unitPrice }] });
  assert.notEqual(fingerprintOf(priced(1.5)), fingerprintOf(priced(2.5)), 'a different price is a different request');
  // Fingerprints are stored with Idempotency-Keys: the same request must fingerprint the same across versions.
  assert.equal(fingerprintOf({ channel: 'web', externalId: 'W-1', customer: 'C1', lines: [{ sku: 'A', qty: 1 }] }), FIXED);
});

test('an unknown channel, unknown or inactive customer is refused first', () => {
  assert.throws(
    () => checkOrderRequest(request, undefined, customer, known),
    (e) => e instanceof UnknownChannelError && e.path === '/channel',
  );
  assert.throws(() => checkOrderRequest(request, channel, undefined, known), UnknownCustomerError);
  assert.throws(() => checkOrderRequest(request, channel, { ...customer, active: false }, known), CustomerInactiveError);
  assert.deepEqual(checkOrderRequest(request, channel, customer, known), { channel, customer });
});

test('unknown and repeated items and unusable order numbers are named by line', () => {
  const bad: OrderRequest = {
    ...request,
    externalId: 'W~1',
    lines: [
      { sku: 'A', qty: 1 },
      { sku: 'Z', qty: 1 },
      { sku: 'A', qty: 2 },
    ],
  };
  const err = (() => {
    try {
      checkOrderRequest(bad, channel, customer, known);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof InvalidInputError);
  assert.deepEqual(
    err.issues.map((i) => i.path),
    ['/externalId', '/lines/1/sku', '/lines/2/sku'],
  );
  assert.match(err.issues[0]!.message, /^must be well-formed Unicode with no control character or .+ reserved by EDI X12$/);
  assert.match(err.issues[1]!.message, /item 'Z' is not known to the hub; define it with PUT \/v1\/items\/Z/);
  assert.match(err.issues[2]!.message, /A appears on more than one line/);
  assert.match(err.message, /names items the hub does not know/);
});

test('a customer on credit hold: refused where the channel rejects such orders, held where it holds them', () => {
  const held = { ...customer, creditHold: true };
  assert.throws(() => checkOrderRequest(request, { ...channel, onCreditHold: 'reject' }, held, known), CreditHoldError);
  assert.deepEqual(checkOrderRequest(request, channel, held, known), { channel, customer: held });
  assert.equal(newOrder('O1', request, held, [[], []], 'now').erp.state, 'held');
  assert.equal(creditHoldDetail('C1'), 'customer C1 is on credit hold; held, not sent to the ERP');
});

test('a sourced request becomes a pending order with its allocations, prices where given', () => {
  const o = newOrder('O1', request, customer, [[['L1', 2]], []], '2026-01-01T00:00:00.000Z');
  assert.deepEqual(o, {
    id: 'O1',
    channel: 'web',
    externalId: 'W-1',
    customer: 'C1',
    backorder: 'reject',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    erp: { state: 'pending', attempts: 0 },
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: [
      { sku: 'A', qty: 2, unitPrice: 1.5, alloc: [['L1', 2]], departed: {}, returned: 0 },
      { sku: 'B', qty: 1, alloc: [], departed: {}, returned: 0 },
    ],
    shipments: [],
  });
  assert.equal(newOrder('O2', { ...request, backorder: 'allow' }, customer, [[], []], 'now').backorder, 'allow');
});
