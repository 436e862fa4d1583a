import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SystemAccess, SystemBoundKeyError } from './system-access.js';

test('a key bound to no systems may send events from any source', () => {
  const access = SystemAccess.of(undefined);
  assert.equal(access, SystemAccess.everySystem);
  assert.equal(access.covers('wms-dal'), true);
  assert.equal(access.refusal('wms-dal'), undefined);
});

test('a key bound to systems sends only as them; a refusal names /source and every system it may use', () => {
  const access = SystemAccess.of(new Set(['wms-dal', 'erp']));
  assert.equal(access.covers('erp'), true);
  assert.equal(access.refusal('wms-dal'), undefined);
  assert.equal(access.covers('wms-hou'), false);
  assert.deepEqual(access.refusal('wms-hou'), {
    path: '/source',
    message: "the API key is bound to the systems erp, wms-dal; it may not send events from 'wms-hou'",
  });
});

test('a key bound to an empty set of systems may send nothing', () => {
  const access = SystemAccess.of(new Set());
  assert.equal(access.covers('erp'), false);
  assert.match(access.refusal('erp')!.message, /bound to the systems ; it may not send events from 'erp'/);
});

test('a route that ignores system binding refuses a bound key by name, with its own code', () => {
  const err = new SystemBoundKeyError('POST /v1/orders');
  assert.equal(err.code, 'system_bound_key');
  assert.equal(
    err.message,
    "POST /v1/orders is not among the routes a key bound to systems may use (it sends its systems' events); use a key not bound to systems.",
  );
});
