import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, retryDelayMs } from './retry-delay.js';

const policy = { baseMs: 100, maxMs: 5000, maxAttempts: 10 };

test('the first attempt (or a nonsense attempt number) waits about the base; huge ones stay at the cap', () => {
  assert.equal(retryDelayMs(0, policy, 1), 100);
  assert.equal(retryDelayMs(-3, policy, 1), 100);
  assert.equal(retryDelayMs(2, policy, 0.5), 150);
  assert.equal(retryDelayMs(10_000, policy, 0), 2500);
  // A Retry-After shorter than the backoff does not shorten it.
  assert.equal(retryDelayMs(3, policy, 1, 10), 400);
});

test('Retry-After is read as seconds or as an HTTP date, and nothing else', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 7 ', now), 7000);
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter('', now), undefined);
  assert.equal(parseRetryAfter('   ', now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
});

test('Retry-After with anything around the number is no number of seconds', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('5s', now), undefined);
  assert.equal(parseRetryAfter('x5', now), undefined);
});
