/**
 * Idempotency keys on the embedded hub: a key in flight is claimed in memory, an answer given is
 * served from memory until its write reaches the store, then from the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaptureAnswer } from '../../../model/order.js';
import { channel, embeddedHub, location } from '../orders.test-support.js';
import { InProcessKeys } from './in-process-keys.js';

const body = { id: 'ord_1', status: 'accepted', channel: 'web', externalId: 'W-1', lines: [] } as CaptureAnswer;

function keys() {
  const h = embeddedHub({ locations: [location('L1')], channels: [channel('web', ['L1'])] });
  return { h, keys: new InProcessKeys({ orders: h.orders, commits: h.commits }) };
}

test('a key is claimed once; while in flight a second claim is told so; dropped, it is free again', async () => {
  const { keys: k } = keys();
  assert.deepEqual(await k.claim('k1'), { claimed: true });
  assert.deepEqual(await k.claim('k1'), { claimed: false, stored: undefined, inFlight: true });
  assert.deepEqual(await k.claim('k2'), { claimed: true }, 'another key is another claim');
  await k.drop('k1');
  assert.deepEqual(await k.claim('k1'), { claimed: true });
});

test('an answer is served from memory at once, and from the store once written', async () => {
  const { h, keys: k } = keys();
  await k.claim('k1');
  h.orders.rememberKey('k1', 'fp', 'ord_1', '2026-03-01T10:00:00.000Z');
  await k.answered('k1', 'fp', { statusCode: 201, body });
  const fromMemory = await k.claim('k1');
  assert.equal(fromMemory.claimed, false);
  assert.ok(!fromMemory.claimed);
  assert.equal(fromMemory.inFlight, false);
  assert.deepEqual({ ...fromMemory.stored, createdAt: 'x' }, { fingerprint: 'fp', orderId: 'ord_1', statusCode: 201, response: body, createdAt: 'x' });
  assert.equal(h.orders.keyFor('k1')!.response, undefined, 'not written yet');
  h.commits.flush();
  assert.deepEqual(h.orders.keyFor('k1'), { fingerprint: 'fp', orderId: 'ord_1', createdAt: '2026-03-01T10:00:00.000Z', statusCode: 201, response: body });
  assert.deepEqual(await k.claim('k1'), { claimed: false, inFlight: false, stored: h.orders.keyFor('k1') });
});
