/**
 * Request limits (docs/REFERENCE.md "Rate limits"): a key over its requests per minute is answered
 * 429 with Retry-After, on the lookup fast path too, and other keys go on; an address that failed
 * authentication too often is answered 429 whatever key it sends, while /healthz still answers.
 * The counts live in the process's memory, so the embedded backend shows them for both.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { NETWORK, snapshot, startTestHub, type TestHub } from './support/test-hub.js';

const FAILURES_ALLOWED = 5;
let hub: TestHub;
before(async () => {
  hub = await startTestHub({ file: { ...NETWORK, auth: { failedAuthPerMinute: FAILURES_ALLOWED } } });
  await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'RL-1', location: 'DAL', onHand: 5 })]);
});
after(async () => {
  await hub.stop();
});

async function keyWithRate(name: string, ratePerMinute: number): Promise<string> {
  const res = await hub.api('POST', '/v1/keys', { name, scopes: ['availability:read'], ratePerMinute });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.key;
}

test('a key over its requests per minute is answered 429 with Retry-After; other keys go on', async () => {
  const key = await keyWithRate('limited', 3);
  for (let i = 0; i < 3; i++) assert.equal((await hub.api('GET', '/v1/channels', undefined, { key })).status, 200);
  const refused = await hub.api('GET', '/v1/channels', undefined, { key });
  assert.equal(refused.status, 429);
  assert.equal(refused.body.type, 'urn:crossdock:problem:rate_limited');
  assert.match(refused.body.detail, /'limited'/);
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
  assert.equal(refused.body.retryAfterSeconds, retryAfter);
  assert.equal((await hub.api('GET', '/v1/channels')).status, 200, 'the admin key has its own count');
});

test('lookups answered before Fastify count against the same limit', async () => {
  const key = await keyWithRate('limited lookups', 2);
  const lookup = () => hub.api('GET', '/v1/availability/RL-1?channel=web', undefined, { key });
  assert.deepEqual([(await lookup()).status, (await lookup()).status], [200, 200]);
  const refused = await lookup();
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  assert.equal((await hub.api('GET', '/v1/channels', undefined, { key })).status, 429, 'every route of the key');
});

// Last: it locks this test's address out for the rest of the minute.
test('an address that failed authentication too often is answered 429 whatever key it sends; /healthz still answers', async () => {
  for (let i = 0; i < FAILURES_ALLOWED; i++) {
    const guess = await hub.api('GET', '/v1/channels', undefined, { key: `guess-${i}-0123456789abcdef` });
    assert.equal(guess.status, 401, `guess ${i}`);
  }
  const locked = await hub.api('GET', '/v1/channels', undefined, { key: 'guess-x-0123456789abcdef' });
  assert.equal(locked.status, 429);
  assert.equal(locked.body.type, 'urn:crossdock:problem:too_many_failed_authentications');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  assert.equal((await hub.api('GET', '/v1/channels', undefined, { key: null })).status, 429, 'no key either');
  // A right guess cannot be told from a wrong one while the address waits.
  assert.equal((await hub.api('GET', '/v1/channels')).status, 429);
  assert.equal((await hub.api('GET', '/v1/availability/RL-1?channel=web')).status, 429, 'the fast path too');
  assert.equal((await hub.api('GET', '/healthz', undefined, { key: null })).status, 200);
});
