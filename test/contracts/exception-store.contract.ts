/**
 * The behaviour every ExceptionStore must have (SQLite and PostgreSQL), as one suite each adapter
 * runs: a problem opens one exception however often it is reported, a change applies only while
 * the status allows it and appends to the history, filters and newest-first pages, and all of it
 * kept across a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ExceptionStore, NewException } from '../../src/ports/exception-store.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const problem = (cls: string, key: string, extra: Partial<NewException> = {}): NewException => ({
  key,
  class: cls,
  severity: 'high',
  owner: 'ops',
  entity: { kind: 'destination', id: 'shop' },
  group: 'destination:shop',
  correlationId: null,
  error: `refused ${key}`,
  payload: { key, note: 'ünïcode kept' },
  system: 'shop',
  createdAt: '2026-12-01T10:00:00.000Z',
  opened: { at: '2026-12-01T10:00:01.000Z', actor: 'hub', action: 'opened', note: `refused ${key}`, status: 'open' },
  ...extra,
});

const entry = (action: 'acknowledge' | 'auto_resolved' | 'assign', status: 'acknowledged' | 'auto_resolved' | 'open', note: string = action) => ({
  at: '2026-12-01T10:05:00.000Z',
  actor: 'ops-key',
  action,
  note,
  status,
});

export function describeExceptionStoreContract(name: string, make: MakeAdapter<ExceptionStore>, skip: Skip = false): void {
  describe(`ExceptionStore contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<ExceptionStore>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('opens one exception per class and key, however often the problem is reported', async () => {
      const first = await ctx.store.open([problem('dead_letter', '1'), problem('dead_letter', '2')]);
      assert.equal(first.length, 2);
      const again = await ctx.store.open([problem('dead_letter', '1'), problem('parked_event', '1')]);
      assert.deepEqual(
        again.map((e) => [e.class, e.key]),
        [['parked_event', '1']],
        'a known key opens nothing; the same key of another class does',
      );
      const one = (await ctx.store.get(first[0]!.id))!;
      assert.equal(one.status, 'open');
      assert.deepEqual(one.payload, { key: '1', note: 'ünïcode kept' });
      assert.deepEqual(one.history, [problem('dead_letter', '1').opened]);
      assert.deepEqual([...(await ctx.store.known('dead_letter', ['1', '2', '3']))].sort(), ['1', '2']);
      assert.deepEqual(
        (await ctx.store.live()).map((l) => `${l.class}:${l.key}`),
        ['dead_letter:1', 'dead_letter:2', 'parked_event:1'],
      );
    });

    it('applies a change only while the status allows it, appending to the history', async () => {
      const [e] = await ctx.store.open([problem('dead_letter', '1')]);
      const acked = await ctx.store.change(e!.id, { status: 'acknowledged', entry: entry('acknowledge', 'acknowledged'), whileStatus: ['open'] });
      assert.equal(acked?.status, 'acknowledged');
      assert.equal(
        await ctx.store.change(e!.id, { status: 'acknowledged', entry: entry('acknowledge', 'acknowledged'), whileStatus: ['open'] }),
        undefined,
        'a change whose precondition no longer holds changes nothing',
      );
      const assigned = await ctx.store.change(e!.id, { owner: 'edi-team', entry: entry('assign', 'acknowledged'), whileStatus: ['open', 'acknowledged'] });
      assert.equal(assigned?.owner, 'edi-team');
      const gone = await ctx.store.change(e!.id, {
        status: 'auto_resolved',
        entry: entry('auto_resolved', 'auto_resolved', 'delivered on retry'),
        whileStatus: ['open', 'acknowledged'],
      });
      assert.equal(gone?.status, 'auto_resolved');
      assert.deepEqual(
        gone?.history.map((h) => h.action),
        ['opened', 'acknowledge', 'assign', 'auto_resolved'],
      );
      assert.equal(gone?.updatedAt, '2026-12-01T10:05:00.000Z');
      assert.deepEqual(await ctx.store.live(), []);
      assert.deepEqual([...(await ctx.store.known('dead_letter', ['1']))], ['1'], 'a resolved exception still holds its key');
      assert.equal(await ctx.store.change(e!.id + 1000, { status: 'resolved', entry: entry('acknowledge', 'acknowledged'), whileStatus: ['open'] }), undefined);
    });

    it('two changes at once under the same precondition: exactly one applies', async () => {
      const [e] = await ctx.store.open([problem('dead_letter', '1')]);
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          ctx.store.change(e!.id, { status: 'auto_resolved', entry: entry('auto_resolved', 'auto_resolved'), whileStatus: ['open'] }),
        ),
      );
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.equal((await ctx.store.get(e!.id))!.history.length, 2, 'one history entry, not one per attempt');
    });

    it('lists newest first by status, class, owner, entity and group, a page at a time', async () => {
      await ctx.store.open([
        problem('dead_letter', '1'),
        problem('dead_letter', '2', { owner: 'web-team', entity: { kind: 'destination', id: 'erp' }, group: 'destination:erp' }),
        problem('parked_event', '7', { entity: { kind: 'item', id: 'ABC' }, group: 'location:RNO' }),
      ]);
      const ids = async (f: Partial<Parameters<ExceptionStore['list']>[0]>) => (await ctx.store.list({ limit: 10, ...f })).map((e) => `${e.class}:${e.key}`);
      assert.deepEqual(await ids({}), ['parked_event:7', 'dead_letter:2', 'dead_letter:1']);
      assert.deepEqual(await ids({ class: 'dead_letter' }), ['dead_letter:2', 'dead_letter:1']);
      assert.deepEqual(await ids({ owner: 'web-team' }), ['dead_letter:2']);
      assert.deepEqual(await ids({ entity: 'item:ABC' }), ['parked_event:7']);
      assert.deepEqual(await ids({ group: 'destination:shop' }), ['dead_letter:1']);
      assert.deepEqual(await ids({ status: 'acknowledged' }), []);
      const [newest] = await ctx.store.list({ limit: 1 });
      assert.deepEqual(await ids({ beforeId: newest!.id, limit: 1 }), ['dead_letter:2']);
    });

    it('keeps exceptions and their history across a reopen, and numbers on after them', async () => {
      const [e] = await ctx.store.open([problem('dead_letter', '1')]);
      await ctx.store.change(e!.id, { status: 'acknowledged', entry: entry('acknowledge', 'acknowledged'), whileStatus: ['open'] });
      const again = await ctx.reopen();
      const kept = (await again.get(e!.id))!;
      assert.equal(kept.status, 'acknowledged');
      assert.equal(kept.history.length, 2);
      const [next] = await again.open([problem('dead_letter', '2')]);
      assert.ok(next!.id > e!.id);
    });
  });
}
