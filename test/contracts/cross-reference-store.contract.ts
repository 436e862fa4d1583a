/**
 * The behaviour every cross-reference store must have (CrossReferenceStore: SQLite and
 * PostgreSQL), as one suite each adapter runs: one key maps to one canonical id (an upsert
 * replaces it), a canonical id may have many keys, lookups both ways, deletes, unit tables, and
 * all of it kept across a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { CrossReference } from '../../src/domain/master-data/cross-reference.js';
import type { CrossReferenceStore } from '../../src/ports/cross-reference-store.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const item = (system: string, scheme: string, external: string, id: string): CrossReference => ({ kind: 'item', system, scheme, external, id });

export function describeCrossReferenceStoreContract(name: string, make: MakeAdapter<CrossReferenceStore>, skip: Skip = false): void {
  describe(`CrossReferenceStore contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<CrossReferenceStore>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('resolves each key to its canonical id in the order asked, nothing for an unknown key, and keeps kinds, systems and schemes apart', async () => {
      await ctx.store.upsert([
        item('acme', 'BP', '0042', 'ABC-100'),
        item('acme', 'UP', '036000291452', 'ABC-100'),
        item('beta', 'BP', '0042', 'XYZ-200'),
        { kind: 'customer', system: 'acme', scheme: 'ST', external: '0042', id: 'C-42', shipTo: 'DAL-STORE-42' },
      ]);
      const got = await ctx.store.resolve([
        { kind: 'item', system: 'beta', scheme: 'BP', external: '0042' },
        { kind: 'item', system: 'acme', scheme: 'VN', external: '0042' },
        { kind: 'customer', system: 'acme', scheme: 'ST', external: '0042' },
        { kind: 'item', system: 'acme', scheme: 'BP', external: '0042' },
      ]);
      assert.deepEqual(
        got.map((r) => r?.id),
        ['XYZ-200', undefined, 'C-42', 'ABC-100'],
      );
      assert.equal(got[2]!.shipTo, 'DAL-STORE-42');
      assert.equal(got[3]!.shipTo, undefined);
      assert.deepEqual(
        (await ctx.store.forIds('item', 'acme', ['ABC-100', 'NOPE'])).map((r) => `${r.scheme}:${r.external}`),
        ['BP:0042', 'UP:036000291452'],
        'one canonical id, many external ids',
      );
    });

    it('an upsert of a known key replaces its canonical id, once, and the last of a key given twice in a batch wins', async () => {
      await ctx.store.upsert([item('acme', 'BP', '1', 'OLD')]);
      await ctx.store.upsert([item('acme', 'BP', '1', 'MID'), item('acme', 'BP', '1', 'NEW')]);
      assert.deepEqual(
        (await ctx.store.find({ system: 'acme', limit: 10 })).map((r) => r.id),
        ['NEW'],
      );
      assert.deepEqual(await ctx.store.forIds('item', 'acme', ['OLD']), []);
    });

    it('a key looked up answers what the table holds now: after it is mapped, remapped, removed, and after a batch that failed', async () => {
      const key = { kind: 'item' as const, system: 'acme', scheme: 'BP', external: '7' };
      const now = async () => (await ctx.store.resolve([key, key]))!.map((r) => r?.id);
      assert.deepEqual(await now(), [undefined, undefined]);
      await ctx.store.upsert([item('acme', 'BP', '7', 'FIRST')]);
      assert.deepEqual(await now(), ['FIRST', 'FIRST'], 'a key not mapped when first asked is found once mapped');
      await ctx.store.upsert([item('acme', 'BP', '7', 'SECOND')]);
      assert.deepEqual(await now(), ['SECOND', 'SECOND'], 'a remapped key answers its new id');
      // All or nothing: a batch with a bad reference changes no key, the good one before it included.
      await assert.rejects(async () =>
        ctx.store.upsert([item('acme', 'BP', '7', 'THIRD'), { ...item('acme', 'BP', '8', 'X'), id: null as unknown as string }]),
      );
      assert.deepEqual(await now(), ['SECOND', 'SECOND'], 'a failed batch changed nothing');
      assert.equal(await ctx.store.remove(key), true);
      assert.deepEqual(await now(), [undefined, undefined], 'a removed key is not found');
    });

    it('finds by any field in key order, at most a limit; a delete removes one key and says whether there was one', async () => {
      await ctx.store.upsert([item('acme', 'UP', '2', 'B'), item('acme', 'BP', '9', 'A'), item('beta', 'BP', '1', 'A'), item('acme', 'BP', '1', 'A')]);
      assert.deepEqual(
        (await ctx.store.find({ id: 'A', limit: 10 })).map((r) => `${r.system}/${r.scheme}/${r.external}`),
        ['acme/BP/1', 'acme/BP/9', 'beta/BP/1'],
      );
      assert.equal((await ctx.store.find({ limit: 2 })).length, 2);
      assert.deepEqual(
        (await ctx.store.find({ kind: 'item', system: 'acme', scheme: 'BP', external: '9', limit: 5 })).map((r) => r.id),
        ['A'],
      );
      assert.equal(await ctx.store.remove({ kind: 'item', system: 'acme', scheme: 'BP', external: '9' }), true);
      assert.equal(await ctx.store.remove({ kind: 'item', system: 'acme', scheme: 'BP', external: '9' }), false);
      assert.equal((await ctx.store.find({ id: 'A', limit: 10 })).length, 2);
    });

    it("keeps an item's own units apart from each partner's, a save replacing the table, across a reopen", async () => {
      await ctx.store.saveUnits('ABC-100', '', { CA: 10 });
      await ctx.store.saveUnits('ABC-100', '', { CA: 12, PK: 6 });
      await ctx.store.saveUnits('ABC-100', 'acme', { CA: 24 });
      await ctx.store.upsert([item('acme', 'BP', '1', 'ABC-100')]);
      const again = await ctx.reopen();
      assert.deepEqual(await again.units(['XYZ-200', 'ABC-100']), [
        { sku: 'XYZ-200', units: {}, bySystem: {} },
        { sku: 'ABC-100', units: { CA: 12, PK: 6 }, bySystem: { acme: { CA: 24 } } },
      ]);
      assert.equal((await again.resolve([{ kind: 'item', system: 'acme', scheme: 'BP', external: '1' }]))[0]?.id, 'ABC-100');
    });
  });
}
