/**
 * The behaviour every control number store must have (the embedded SQLite counters and the
 * PostgreSQL ones), as one suite each adapter runs: per partner and kind the numbers start at 1,
 * increase, are never handed out twice (not by concurrent interchanges, not after a reopen), and
 * one partner's numbers do not move another's. What was sent under a group number is found again
 * by it, and an interchange taken is remembered (per partner and sender) across a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlNumbers } from '../../src/ports/control-numbers.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

export function describeControlNumbersContract(name: string, make: MakeAdapter<ControlNumbers>, skip: Skip = false): void {
  describe(`ControlNumbers contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<ControlNumbers>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('numbers an interchange, its groups and their transactions from 1, and the next interchange after them', async () => {
      assert.deepEqual(await ctx.store.allocate('ACME', [2, 1]), { interchange: 1, groups: [1, 2], transactions: [[1, 2], [3]] });
      assert.deepEqual(await ctx.store.allocate('ACME', [1]), { interchange: 2, groups: [3], transactions: [[4]] });
      assert.deepEqual(await ctx.store.allocate('ACME', []), { interchange: 3, groups: [], transactions: [] });
      assert.deepEqual(await ctx.store.allocate('ACME', [0, 2]), { interchange: 4, groups: [4, 5], transactions: [[], [5, 6]] });
    });

    it('counts each partner on its own', async () => {
      await ctx.store.allocate('ACME', [3]);
      assert.deepEqual(await ctx.store.allocate('GLOBEX', [1]), { interchange: 1, groups: [1], transactions: [[1]] });
      assert.deepEqual(await ctx.store.allocate('ACME', [1]), { interchange: 2, groups: [2], transactions: [[4]] });
    });

    it('never hands out a number twice to interchanges allocated at once', async () => {
      const all = await Promise.all(Array.from({ length: 25 }, (_, i) => ctx.store.allocate('ACME', [1 + (i % 3), 2])));
      const unique = (numbers: number[]) => new Set(numbers).size === numbers.length;
      const interchanges = all.map((a) => a.interchange);
      const groups = all.flatMap((a) => a.groups);
      const transactions = all.flatMap((a) => a.transactions.flat());
      assert.ok(unique(interchanges) && unique(groups) && unique(transactions), 'no number twice');
      assert.deepEqual(
        [...interchanges].sort((a, b) => a - b),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      for (const a of all) {
        const t = a.transactions.flat();
        assert.ok(
          t.every((n, i) => i === 0 || n > t[i - 1]!),
          'increasing within an interchange',
        );
        assert.ok(a.groups.every((n, i) => i === 0 || n > a.groups[i - 1]!));
      }
    });

    it('goes on after the last number handed out when reopened', async () => {
      await ctx.store.allocate('ACME', [2]);
      await ctx.store.allocate('ACME', [1]);
      const again = await ctx.reopen();
      assert.deepEqual(await again.allocate('ACME', [1]), { interchange: 3, groups: [3], transactions: [[4]] });
    });

    it('finds what was sent under a group number, transaction by transaction, and nothing of another partner', async () => {
      const at = '2026-12-06T10:00:00.000Z';
      await ctx.store.recordSent('ACME', [
        { interchange: 7, group: 3, functionalId: 'SH', set: '856', transaction: 5, document: 'order O-1', sentAt: at },
        { interchange: 7, group: 3, functionalId: 'SH', set: '856', transaction: 4, document: 'order O-0', sentAt: at },
        { interchange: 7, group: 4, functionalId: 'IN', set: '810', transaction: 6, document: 'invoice INV-1', sentAt: at },
      ]);
      await ctx.store.recordSent('GLOBEX', [{ interchange: 1, group: 3, functionalId: 'PR', set: '855', transaction: 1, document: 'PO P-1', sentAt: at }]);
      const again = await ctx.reopen();
      assert.deepEqual(
        (await again.sentInGroup('ACME', 3)).map((t) => [t.interchange, t.set, t.transaction, t.document, t.sentAt]),
        [
          [7, '856', 4, 'order O-0', at],
          [7, '856', 5, 'order O-1', at],
        ],
      );
      assert.deepEqual(await again.sentInGroup('ACME', 99), []);
    });

    it('remembers an interchange taken, per partner and sender, after a reopen; recording it again keeps the first time', async () => {
      assert.equal(await ctx.store.receivedAt('ACME', '12:4405197800', '000003438'), undefined);
      await ctx.store.recordReceived('ACME', '12:4405197800', '000003438', '2026-12-06T10:00:00.000Z');
      await ctx.store.recordReceived('ACME', '12:4405197800', '000003438', '2026-12-06T11:00:00.000Z');
      const again = await ctx.reopen();
      assert.equal(await again.receivedAt('ACME', '12:4405197800', '000003438'), '2026-12-06T10:00:00.000Z');
      assert.equal(await again.receivedAt('ACME', 'ZZ:OTHER', '000003438'), undefined);
      assert.equal(await again.receivedAt('GLOBEX', '12:4405197800', '000003438'), undefined);
    });

    it('the retention sweep forgets interchanges taken and transactions sent before the cut-off, of every partner, and nothing after it', async () => {
      await ctx.store.recordReceived('ACME', 'ZZ:ACME', '000000001', '2026-09-01T10:00:00.000Z');
      await ctx.store.recordReceived('GLOBEX', 'ZZ:GLOBEX', '000000002', '2026-09-01T10:00:00.000Z');
      await ctx.store.recordReceived('ACME', 'ZZ:ACME', '000000003', '2026-12-01T10:00:00.000Z');
      await ctx.store.recordSent('ACME', [
        { interchange: 1, group: 1, functionalId: 'PR', set: '855', transaction: 1, document: 'PO old', sentAt: '2026-09-01T10:00:00.000Z' },
        { interchange: 2, group: 2, functionalId: 'PR', set: '855', transaction: 2, document: 'PO new', sentAt: '2026-12-01T10:00:00.000Z' },
      ]);
      assert.deepEqual(await ctx.store.forgetBefore('2026-10-01T00:00:00.000Z'), { received: 2, sent: 1 });
      const again = await ctx.reopen();
      assert.equal(await again.receivedAt('ACME', 'ZZ:ACME', '000000001'), undefined, 'an old interchange is forgotten');
      assert.equal(await again.receivedAt('GLOBEX', 'ZZ:GLOBEX', '000000002'), undefined);
      assert.equal(await again.receivedAt('ACME', 'ZZ:ACME', '000000003'), '2026-12-01T10:00:00.000Z', 'a recent one is still a duplicate');
      assert.deepEqual(await again.sentInGroup('ACME', 1), []);
      assert.deepEqual(
        (await again.sentInGroup('ACME', 2)).map((t) => t.document),
        ['PO new'],
      );
      assert.deepEqual(await again.forgetBefore('2026-10-01T00:00:00.000Z'), { received: 0, sent: 0 }, 'sweeping again forgets nothing more');
    });
  });
}
