/**
 * Idempotency keys on the scale-out backend: claims (for the lease the hub sets) and answers go to
 * the shared state, several at once sharing one round trip; a refused request drops its claim.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyClaim, LockingOrderStore } from '../../../ports/locking-order-store.js';
import { LeasedKeys } from './leased-keys.js';

/** A shared state that remembers keys: the first claim wins, later ones see it. */
function sharedKeys() {
  const claims = new Map<string, { fingerprint: string; leaseMs: number; statusCode?: number; response?: unknown }>();
  const roundTrips: string[] = [];
  const store = {
    claimKeys: async (asked: readonly { key: string; fingerprint: string }[], leaseMs: number): Promise<KeyClaim[]> => {
      roundTrips.push(`claim ${asked.length}`);
      return asked.map(({ key, fingerprint }) => {
        const held = claims.get(key);
        if (held) return { claimed: false, inFlight: held.statusCode === undefined, stored: { fingerprint: held.fingerprint, orderId: 'o', createdAt: 'x' } };
        claims.set(key, { fingerprint, leaseMs });
        return { claimed: true };
      });
    },
    dropKeyClaim: async (key: string) => void claims.delete(key),
    storeAnswers: async (answers: readonly { key: string; statusCode: number; response: unknown }[]) => {
      roundTrips.push(`answer ${answers.length}`);
      for (const a of answers) Object.assign(claims.get(a.key)!, { statusCode: a.statusCode, response: a.response });
    },
  } as unknown as LockingOrderStore;
  return { store, claims, roundTrips };
}

test('claims last as long as the hub says, and concurrent ones share one round trip', async () => {
  const s = sharedKeys();
  let lease = 7000;
  const keys = new LeasedKeys(s.store, () => lease);
  const [a, b, c] = await Promise.all([keys.claim('k1', 'f1'), keys.claim('k2', 'f2'), keys.claim('k1', 'f1')]);
  assert.deepEqual(a, { claimed: true });
  assert.deepEqual(b, { claimed: true });
  assert.equal(c.claimed, false);
  assert.deepEqual(s.roundTrips, ['claim 3']);
  assert.equal(s.claims.get('k1')!.leaseMs, 7000);
  lease = 9000;
  await keys.claim('k3', 'f3');
  assert.equal(s.claims.get('k3')!.leaseMs, 9000);
});

test('an answer is stored with its key; a dropped claim frees the key', async () => {
  const s = sharedKeys();
  const keys = new LeasedKeys(s.store, () => 1000);
  await keys.claim('k1', 'f1');
  const body = { id: 'ord_1', status: 'accepted', channel: 'web', externalId: 'W-1', lines: [] } as never;
  await Promise.all([keys.answered('k1', 'f1', { statusCode: 201, body }), keys.answered('k1', 'f1', { statusCode: 201, body })]);
  assert.deepEqual(s.claims.get('k1'), { fingerprint: 'f1', leaseMs: 1000, statusCode: 201, response: body });
  assert.deepEqual(s.roundTrips, ['claim 1', 'answer 2']);
  await keys.claim('k2', 'f2');
  await keys.drop('k2');
  assert.deepEqual(await keys.claim('k2', 'f2'), { claimed: true });
});
