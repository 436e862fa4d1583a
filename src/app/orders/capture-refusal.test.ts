/** Which capture failures park an order with its reason (fix and replay) and which must reach the sender to retry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, NotFoundError, StorageFailedError, UnknownChannelError } from '../../domain/errors.js';
import {
  CreditHoldError,
  CustomerInactiveError,
  DuplicateOrderError,
  ErpUnavailableError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InsufficientStockError,
  UnknownCustomerError,
} from '../../domain/orders/order-errors.js';
import { refusalOf } from './capture-refusal.js';

test('an order that cannot be taken as it is is refused with the reason and the fields at fault', () => {
  const bad = new InvalidInputError([{ path: '/lines/0/sku', message: 'unknown' }], 'bad order');
  assert.deepEqual(refusalOf(bad), { reason: 'bad order', errors: [{ path: '/lines/0/sku', message: 'unknown' }] });
  const unknown = new UnknownCustomerError('C9');
  assert.deepEqual(refusalOf(unknown), { reason: unknown.message, errors: [{ path: '/customer', message: unknown.message }] });
  const inactive = new CustomerInactiveError('C9');
  assert.deepEqual(refusalOf(inactive), { reason: inactive.message, errors: [{ path: '/customer', message: inactive.message }] });
  const short = new InsufficientStockError('web', [{ index: 1, sku: 'A', requested: 3, available: 1 }]);
  assert.deepEqual(refusalOf(short), { reason: short.message, errors: [{ path: '/lines/1/qty', message: 'wanted 3 of A, 1 available' }] });
  const held = new CreditHoldError('C1', 'web');
  assert.deepEqual(refusalOf(held), { reason: held.message, errors: [] });
  const channel = new UnknownChannelError('fax', '/channel');
  assert.deepEqual(refusalOf(channel), { reason: channel.message, errors: [] });
  const duplicate = new DuplicateOrderError('web', 'W-1', 'ord_1');
  assert.deepEqual(refusalOf(duplicate), { reason: duplicate.message, errors: [] });
  const missing = new NotFoundError('Order', 'x');
  assert.deepEqual(refusalOf(missing), { reason: missing.message, errors: [] });
});

test('failures a retry fixes, a reused key and errors from outside the hub reach the sender', () => {
  assert.equal(refusalOf(new StorageFailedError('the order', new Error('disk'))), undefined);
  assert.equal(refusalOf(new ErpUnavailableError('ord_1', 'down')), undefined);
  assert.equal(refusalOf(new IdempotencyKeyInUseError('k')), undefined);
  assert.equal(refusalOf(new IdempotencyKeyReusedError('k', 'ord_1')), undefined);
  assert.equal(refusalOf(new Error('boom')), undefined);
  assert.equal(refusalOf('a string'), undefined);
});
