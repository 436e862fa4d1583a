/**
 * The refusals a client reads in problem+json: each names its code, whether a retry can help, and
 * the ids a person needs (docs/REFERENCE.md "Errors").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreditHoldError,
  CustomerInactiveError,
  DuplicateOrderError,
  ErpCallError,
  ErpUnavailableError,
  IdempotencyKeyInUseError,
  IdempotencyKeyMissingError,
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  InsufficientStockError,
  UnknownCustomerError,
} from './order-errors.js';

const facts = (e: { code: string; retryable: boolean; message: string }) => [e.code, e.retryable, e.message];

test('each order refusal names its code, whether to retry, and what it is about', () => {
  assert.deepEqual(facts(new IdempotencyKeyMissingError()), [
    'idempotency_key_required',
    false,
    'POST /v1/orders needs an Idempotency-Key header (1–255 printable characters), so a retried request cannot create a second order.',
  ]);
  assert.deepEqual(facts(new IdempotencyKeyInUseError('k1')), [
    'idempotency_key_in_use',
    true,
    "A request with Idempotency-Key 'k1' is still being processed; retry after it finishes to get its answer.",
  ]);
  assert.deepEqual(facts(new CreditHoldError('C1', 'web')), [
    'credit_hold',
    false,
    "Customer 'C1' is on credit hold and channel 'web' rejects such orders (onCreditHold: reject).",
  ]);
  assert.deepEqual(facts(new DuplicateOrderError('web', 'W-1', 'O1')), [
    'duplicate_order',
    false,
    "Channel 'web' order 'W-1' was already captured as O1 (under another Idempotency-Key).",
  ]);
  assert.deepEqual(facts(new ErpUnavailableError('O1', 'timeout')), [
    'erp_unavailable',
    true,
    "The ERP did not take order O1 (timeout); the channel's policy is to fail, so the reservation was released. Retry later.",
  ]);
  assert.deepEqual(facts(new IllegalTransitionError('O1', 'cancel', 'already shipped')), [
    'illegal_transition',
    false,
    'Order O1: cancel is not allowed: already shipped.',
  ]);
  const cause = new Error('socket');
  const call = new ErpCallError('order placement', 'socket', true, true, { cause });
  assert.deepEqual(facts(call), ['erp_call_failed', true, 'ERP order placement failed: socket']);
  assert.equal(call.cause, cause);
});

test('a reused key names the order only to whoever may see it, and keeps the field it came from', () => {
  const e = new IdempotencyKeyReusedError('k1', 'O1', '/id');
  assert.deepEqual(facts(e), [
    'idempotency_key_reused',
    false,
    "Idempotency-Key 'k1' was already used for a different request (order O1); use a new key for a new order.",
  ]);
  const hidden = e.concealed();
  assert.equal(hidden.message, "Idempotency-Key 'k1' was already used for a different request; use a new key for a new order.");
  assert.equal(hidden.orderId, undefined);
  assert.equal(hidden.field, '/id');
  assert.equal(new IdempotencyKeyReusedError('k1').field, 'headers/idempotency-key');
});

test('customer and stock refusals point at the field to fix', () => {
  const unknown = new UnknownCustomerError('C9');
  assert.deepEqual(facts(unknown), ['unknown_customer', false, "Customer 'C9' is not known to the hub; define it with PUT /v1/customers/C9."]);
  assert.deepEqual(unknown.issues, [{ path: '/customer', message: unknown.message }]);
  const inactive = new CustomerInactiveError('C2');
  assert.deepEqual(facts(inactive), ['customer_inactive', false, "Customer 'C2' is inactive and cannot place orders."]);
  assert.deepEqual(inactive.issues, [{ path: '/customer', message: inactive.message }]);
  const short = new InsufficientStockError('web', [
    { index: 0, sku: 'A', requested: 3, available: 1 },
    { index: 2, sku: 'C', requested: 5, available: 0 },
  ]);
  assert.deepEqual(facts(short), [
    'insufficient_stock',
    false,
    "Not enough stock on channel 'web' for A (wanted 3, available 1), C (wanted 5, available 0); nothing was reserved.",
  ]);
  assert.deepEqual(short.issues, [
    { path: '/lines/0/qty', message: 'wanted 3 of A, 1 available' },
    { path: '/lines/2/qty', message: 'wanted 5 of C, 0 available' },
  ]);
});
