import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trackingParts } from './tracking.js';

test('tracking is read the same whether it came as a number or as { number, carrier }', () => {
  assert.deepEqual(trackingParts('1Z999'), { number: '1Z999' });
  assert.deepEqual(trackingParts({ number: 'T-2', carrier: 'UPS', url: 'https://x' }), { number: 'T-2', carrier: 'UPS' });
  assert.deepEqual(trackingParts({ number: 'T-2' }), { number: 'T-2' });
  assert.deepEqual(trackingParts({ carrier: 'UPS' }), { carrier: 'UPS' });
  // Anything else carries no tracking the hub can use.
  for (const nothing of [undefined, null, 42, { number: 7, carrier: false }]) assert.deepEqual(trackingParts(nothing), {});
});
