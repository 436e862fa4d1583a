/**
 * What a GraphQL answer with top-level errors comes to: over the cost budget (THROTTLED, which the
 * Admin API answers with HTTP 200) it is retried as a 429 after the time the missing points take
 * to refill; a failure of the store's own is retried; anything else is a refusal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphqlFailure } from './shopify-admin.js';

const throttled = [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }];
const cost = (requested: number, available: number, rate: number) => ({
  cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: available, restoreRate: rate } },
});

test('throttled: retried as a 429 once the points missing have refilled, between 1 and 60 seconds', () => {
  const f = graphqlFailure('shop', throttled, cost(752, 666, 50));
  assert.deepEqual([f.retryable, f.status, f.retryAfterMs], [true, 429, 1720]);
  assert.equal(graphqlFailure('shop', throttled, cost(100, 500, 50)).retryAfterMs, 1000, 'never sooner than a second');
  assert.equal(graphqlFailure('shop', throttled, cost(100_000, 0, 1)).retryAfterMs, 60_000, 'never later than a minute');
  for (const odd of [undefined, null, {}, { cost: { requestedQueryCost: '752' } }, cost(752, 666, 0)])
    assert.equal(graphqlFailure('shop', throttled, odd).retryAfterMs, 1000, JSON.stringify(odd));
});

test("the store's own failure is retried; any other error, or one without a code, is a refusal", () => {
  const internal = graphqlFailure('shop', [{ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], undefined);
  assert.deepEqual([internal.retryable, internal.retryAfterMs, internal.status], [true, undefined, undefined]);
  for (const errors of [
    [{ message: 'Access denied', extensions: { code: 'ACCESS_DENIED' } }],
    [{ message: 'syntax error' }],
    [...throttled, { message: 'Field does not exist', extensions: { code: 'undefinedField' } }],
    'Throttled',
    [],
    [null],
  ])
    assert.equal(graphqlFailure('shop', errors, undefined).retryable, false, JSON.stringify(errors));
  assert.match(graphqlFailure('shop', [{ message: 'Access denied', extensions: { code: 'ACCESS_DENIED' } }], undefined).reason, /Access denied/);
});
