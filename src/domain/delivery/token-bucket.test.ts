import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TokenBucket } from './token-bucket.js';
import { retryDelayMs } from './retry-delay.js';

test('a bucket gives its burst at once, then refills at its rate', () => {
  const b = new TokenBucket(2, 40, 0);
  for (let i = 0; i < 40; i++) assert.equal(b.take(0), 0);
  assert.equal(b.take(0), 500);
  assert.equal(b.take(499), 2);
  assert.equal(b.take(500), 0);
});

test("a bucket's use is the share of its burst spent, falling back to 0 as it refills", () => {
  const b = new TokenBucket(10, 20, 0);
  assert.equal(b.use(0), 0);
  for (let i = 0; i < 15; i++) b.take(0);
  assert.equal(b.use(0), 0.75);
  assert.equal(b.use(1000), 0.25);
  assert.equal(b.use(5000), 0);
  b.drain(5000);
  assert.equal(b.use(5000), 1);
});

test('over any schedule of takes, a bucket never grants more than burst + rate × time', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 1, max: 50 }),
      (gaps, rate, burst) => {
        const b = new TokenBucket(rate, burst, 0);
        let now = 0,
          granted = 0;
        for (const gap of gaps) {
          now += gap;
          if (b.take(now) === 0) granted++;
        }
        assert.ok(granted <= burst + Math.floor((now / 1000) * rate) + 1e-9, `${granted} granted in ${now} ms`);
      },
    ),
  );
});

test('retry delays grow, stay under the cap, and respect Retry-After', () => {
  const policy = { baseMs: 100, maxMs: 5000, maxAttempts: 10 };
  assert.equal(retryDelayMs(1, policy, 1), 100);
  assert.equal(retryDelayMs(3, policy, 1), 400);
  assert.equal(retryDelayMs(20, policy, 1), 5000);
  assert.equal(retryDelayMs(1, policy, 0), 50);
  assert.equal(retryDelayMs(1, policy, 0, 2000), 2000);
});
