/**
 * The behaviour every store of webhook receipts must have (SQLite and PostgreSQL), as one suite
 * each adapter runs: of many claims of one id at once exactly one wins, ids are per system, a
 * released claim can be made again, old receipts are forgotten and recent ones kept, and
 * receipts survive a reopen (a restart must not take a repeat).
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { WebhookReceipts } from '../../src/ports/webhook-receipts.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const AT = '2026-12-06T10:00:00.000Z';

export function describeWebhookReceiptsContract(name: string, make: MakeAdapter<WebhookReceipts>, skip: Skip = false): void {
  describe(`WebhookReceipts contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<WebhookReceipts>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('of 20 claims of one id at once exactly one wins; the same id from another system is its own', async () => {
      const wins = await Promise.all(Array.from({ length: 20 }, () => ctx.store.claim('shop', 'w-1', AT)));
      assert.equal(wins.filter(Boolean).length, 1);
      assert.equal(await ctx.store.claim('shop', 'w-1', AT), false);
      assert.equal(await ctx.store.claim('other-shop', 'w-1', AT), true);
      assert.equal(await ctx.store.claim('shop', 'W-1', AT), true, 'ids compare exactly');
    });

    it('a released claim can be made again, once', async () => {
      assert.equal(await ctx.store.claim('shop', 'w-2', AT), true);
      await ctx.store.release('shop', 'w-2');
      assert.equal(await ctx.store.claim('shop', 'w-2', AT), true);
      assert.equal(await ctx.store.claim('shop', 'w-2', AT), false);
      await ctx.store.release('shop', 'never-claimed');
    });

    it('forgets receipts received before a moment and keeps the others', async () => {
      await ctx.store.claim('shop', 'old', '2026-12-01T00:00:00.000Z');
      await ctx.store.claim('shop', 'new', '2026-12-06T00:00:00.000Z');
      assert.equal(await ctx.store.forgetBefore('2026-12-05T00:00:00.000Z'), 1);
      assert.equal(await ctx.store.claim('shop', 'old', AT), true, 'forgotten: taken again');
      assert.equal(await ctx.store.claim('shop', 'new', AT), false, 'kept');
    });

    it('keeps receipts across a reopen', async () => {
      await ctx.store.claim('shop', 'w-3', AT);
      const again = await ctx.reopen();
      assert.equal(await again.claim('shop', 'w-3', AT), false);
    });
  });
}
