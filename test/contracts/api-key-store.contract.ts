/**
 * The behaviour every API key store must have (ApiKeyStore: the embedded SQLite store and the
 * PostgreSQL one), as one suite each adapter runs: a saved key is read back whole, never with
 * the key itself; ids and digests are unique; a revocation keeps its first instant; unknown ids
 * are said so; everything survives a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiKeyStore, StoredApiKey } from '../../src/ports/api-key-store.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const key = (id: string, extra: Partial<StoredApiKey> = {}): StoredApiKey => ({
  id,
  name: `key ${id}`,
  digest: `digest-of-${id}`,
  prefix: 'cdk_abcdef',
  scopes: ['orders:read'],
  createdAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

export function describeApiKeyStoreContract(name: string, make: MakeAdapter<ApiKeyStore>, skip: Skip = false): void {
  describe(`ApiKeyStore contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<ApiKeyStore>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('reads back every field of what was saved, oldest first', async () => {
      const full = key('k2', {
        name: 'Web shop – Ünïcode',
        scopes: ['availability:read', 'orders:write'],
        channels: ['web', 'b2b'],
        expiresAt: '2027-01-01T00:00:00.000Z',
        ratePerMinute: 120,
        createdAt: '2026-12-02T10:00:00.000Z',
      });
      await ctx.store.saveKey(full);
      await ctx.store.saveKey(key('k1'));
      assert.deepEqual(await ctx.store.keys(), [key('k1'), full]);
    });

    it('refuses a second key with the same id or the same digest, keeping the first', async () => {
      await ctx.store.saveKey(key('k1'));
      await assert.rejects(async () => ctx.store.saveKey(key('k1', { digest: 'other' })));
      await assert.rejects(async () => ctx.store.saveKey(key('k2', { digest: 'digest-of-k1' })));
      assert.deepEqual(await ctx.store.keys(), [key('k1')]);
    });

    it('revokes once: the first instant stays, the other keys are untouched, an unknown id is undefined', async () => {
      await ctx.store.saveKey(key('k1'));
      await ctx.store.saveKey(key('k2', { createdAt: '2026-12-01T11:00:00.000Z' }));
      assert.deepEqual(await ctx.store.revokeKey('k1', '2026-12-03T00:00:00.000Z'), key('k1', { revokedAt: '2026-12-03T00:00:00.000Z' }));
      assert.equal((await ctx.store.revokeKey('k1', '2026-12-04T00:00:00.000Z'))?.revokedAt, '2026-12-03T00:00:00.000Z');
      assert.equal(await ctx.store.revokeKey('nope', '2026-12-04T00:00:00.000Z'), undefined);
      assert.deepEqual(await ctx.store.keys(), [key('k1', { revokedAt: '2026-12-03T00:00:00.000Z' }), key('k2', { createdAt: '2026-12-01T11:00:00.000Z' })]);
    });

    it('revocations racing each other leave one instant', async () => {
      await ctx.store.saveKey(key('k1'));
      const instants = Array.from({ length: 10 }, (_, i) => `2026-12-03T00:00:0${i}.000Z`);
      const answers = await Promise.all(instants.map((at) => ctx.store.revokeKey('k1', at)));
      const kept = (await ctx.store.keys())[0]!.revokedAt;
      assert.ok(kept && instants.includes(kept));
      assert.deepEqual(
        answers.map((a) => a?.revokedAt),
        instants.map(() => kept),
        'every revocation answers the instant that stayed',
      );
    });

    it('keeps keys and revocations across a reopen', async () => {
      await ctx.store.saveKey(key('k1', { channels: ['web'] }));
      await ctx.store.revokeKey('k1', '2026-12-03T00:00:00.000Z');
      const again = await ctx.reopen();
      assert.deepEqual(await again.keys(), [key('k1', { channels: ['web'], revokedAt: '2026-12-03T00:00:00.000Z' })]);
    });
  });
}
