/**
 * The behaviour every store of parked inbound messages must have (the embedded SQLite store and
 * the PostgreSQL one), as one suite each adapter runs: a message is kept exactly as it arrived
 * with its reason, listed in arrival order by system and status, changed by replays without
 * losing what the change leaves out, and kept across a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { InboundStore, ParkedInbound } from '../../src/ports/inbound-store.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const message = (system: string, n: number, extra: Partial<ParkedInbound> = {}): Omit<ParkedInbound, 'id' | 'status'> => ({
  system,
  topic: 'orders/create',
  body: `{ "id": ${n},\n  "note": "spaces  kept – ünïcode" }`,
  reason: `unknown item SKU-${n}`,
  errors: [{ path: '/line_items/0/sku', message: `SKU-${n} is not known` }],
  receivedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

export function describeInboundStoreContract(name: string, make: MakeAdapter<InboundStore>, skip: Skip = false): void {
  describe(`InboundStore contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<InboundStore>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('keeps a message exactly as it arrived, parked, under an id that grows with each one', async () => {
      const first = await ctx.store.park(message('shopify', 1));
      const second = await ctx.store.park(message('shopify', 2));
      assert.ok(second > first, `ids increase (${first}, ${second})`);
      assert.deepEqual(await ctx.store.get(first), { id: first, status: 'parked', ...message('shopify', 1) });
      assert.equal(await ctx.store.get(second + 1000), undefined);
    });

    it('lists in arrival order, by system and status, after an id, at most a limit', async () => {
      const a1 = await ctx.store.park(message('shopify', 1));
      const b1 = await ctx.store.park(message('amazon', 2));
      const a2 = await ctx.store.park(message('shopify', 3));
      const a3 = await ctx.store.park(message('shopify', 4));
      await ctx.store.update(a2, { status: 'replayed', outcome: 'captured ord_1' });
      const ids = async (f: Parameters<InboundStore['parked']>[0]) => (await ctx.store.parked(f)).map((p) => p.id);
      assert.deepEqual(await ids({ limit: 10 }), [a1, b1, a2, a3]);
      assert.deepEqual(await ids({ system: 'shopify', limit: 10 }), [a1, a2, a3]);
      assert.deepEqual(await ids({ status: 'parked', limit: 10 }), [a1, b1, a3]);
      assert.deepEqual(await ids({ system: 'shopify', status: 'parked', limit: 10 }), [a1, a3]);
      assert.deepEqual(await ids({ status: 'replayed', limit: 10 }), [a2]);
      assert.deepEqual(await ids({ afterId: b1, limit: 1 }), [a2]);
      assert.deepEqual(await ids({ system: 'ebay', limit: 10 }), []);
    });

    it('a replay changes what it names and keeps the rest; a failed one keeps it parked with the new reason', async () => {
      const id = await ctx.store.park(message('shopify', 1));
      await ctx.store.update(id, { reason: 'customer C-9 is not known', errors: [{ path: '/customer', message: 'C-9 is not known' }] });
      assert.deepEqual(await ctx.store.get(id), {
        ...message('shopify', 1),
        id,
        status: 'parked',
        reason: 'customer C-9 is not known',
        errors: [{ path: '/customer', message: 'C-9 is not known' }],
      });
      await ctx.store.update(id, { status: 'replayed', outcome: '201 ord_7' });
      assert.deepEqual(await ctx.store.get(id), {
        ...message('shopify', 1),
        id,
        status: 'replayed',
        reason: 'customer C-9 is not known',
        errors: [{ path: '/customer', message: 'C-9 is not known' }],
        outcome: '201 ord_7',
      });
      await ctx.store.update(id + 1000, { status: 'replayed' });
      assert.equal(await ctx.store.get(id + 1000), undefined, 'changing an unknown id makes nothing');
    });

    it('keeps the cross-references a message waits for as fields (system, scheme, id), and replaces them on update', async () => {
      const waiting = [{ kind: 'item' as const, system: 'acme', scheme: 'BP', external: '0042' }];
      const id = await ctx.store.park({ ...message('acme', 1), unknownReferences: waiting });
      assert.deepEqual((await ctx.store.get(id))?.unknownReferences, waiting);
      const fewer = [{ kind: 'customer' as const, system: 'acme', scheme: 'ST', external: '100' }];
      await ctx.store.update(id, { reason: 'still waiting', unknownReferences: fewer });
      const again = await ctx.reopen();
      assert.deepEqual((await again.get(id))?.unknownReferences, fewer);
      assert.equal((await again.get(id))?.reason, 'still waiting');
    });

    it('keeps parked messages and their changes across a reopen, and numbers on after them', async () => {
      const id = await ctx.store.park(message('shopify', 1));
      await ctx.store.update(id, { status: 'replayed', outcome: '201 ord_1' });
      const again = await ctx.reopen();
      assert.deepEqual(await again.get(id), { ...message('shopify', 1), id, status: 'replayed', outcome: '201 ord_1' });
      assert.ok((await again.park(message('shopify', 2))) > id, 'no id is given twice');
    });
  });
}
