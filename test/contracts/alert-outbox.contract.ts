/**
 * The behaviour every AlertOutbox must have (SQLite and PostgreSQL): one alert per exception,
 * kind and webhook however often it is written; due alerts claimed so that no second claim takes
 * them while the first holds them, and taken again once the claim runs out; a failure counted
 * and put off; a delivered alert never claimed again; all of it kept across a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertOutbox, NewAlert } from '../../src/ports/alert-outbox.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const T0 = '2026-12-06T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const alert = (exceptionId: number, kind: NewAlert['kind'], webhook = 'ops-slack'): NewAlert => ({
  exceptionId,
  kind,
  webhook,
  body: { text: `exception ${exceptionId} ${kind} – ünïcode`, exception: exceptionId },
  createdAt: T0,
});

export function describeAlertOutboxContract(name: string, make: MakeAdapter<AlertOutbox>, skip: Skip = false): void {
  describe(`AlertOutbox contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<AlertOutbox>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('writes one alert per exception, kind and webhook however often it is written', async () => {
      assert.equal(await ctx.store.add([alert(1, 'breach'), alert(1, 'breach', 'pager')]), 2);
      assert.equal(await ctx.store.add([alert(1, 'breach'), alert(1, 'resolved'), alert(2, 'breach')]), 2);
      assert.equal(await ctx.store.add([]), 0);
      assert.deepEqual([...(await ctx.store.written([1, 2, 3]))].sort(), ['1/breach', '1/resolved', '2/breach']);
      assert.deepEqual([...(await ctx.store.written([]))], []);
      const recent = await ctx.store.recent(10);
      assert.equal(recent.length, 4);
      assert.deepEqual(recent[0]!.body, alert(2, 'breach').body);
      assert.ok(recent[0]!.id > recent[1]!.id, 'newest first');
    });

    it('claims due alerts once until the claim runs out; a failure is counted and put off; a delivered one is done', async () => {
      await ctx.store.add([alert(1, 'breach'), alert(2, 'breach')]);
      const first = await ctx.store.claimDue(at(0), at(30), 10);
      assert.deepEqual(
        first.map((a) => [a.exceptionId, a.attempts, a.deliveredAt]),
        [
          [1, 0, null],
          [2, 0, null],
        ],
      );
      assert.deepEqual(await ctx.store.claimDue(at(1), at(31), 10), [], 'held by the first claim');
      await ctx.store.delivered(first[0]!.id, at(2));
      await ctx.store.failed(first[1]!.id, at(60), 'HTTP 503: down');
      assert.deepEqual(await ctx.store.claimDue(at(40), at(70), 10), [], 'the failed one is put off, the delivered one is done');
      const again = await ctx.store.claimDue(at(60), at(90), 10);
      assert.deepEqual(
        again.map((a) => [a.exceptionId, a.attempts, a.lastError]),
        [[2, 1, 'HTTP 503: down']],
      );
      // A claim whose holder died runs out, and the alert is taken again.
      assert.equal((await ctx.store.claimDue(at(91), at(121), 10)).length, 1);
      const kept = await ctx.reopen();
      const [delivered] = (await kept.recent(10)).filter((a) => a.exceptionId === 1);
      assert.equal(delivered!.deliveredAt, at(2));
      assert.equal(delivered!.attempts, 1);
      assert.deepEqual(
        (await kept.claimDue(at(1000), at(1030), 10)).map((a) => a.exceptionId),
        [2],
      );
    });

    it('takes at most the limit, oldest first', async () => {
      await ctx.store.add([alert(3, 'breach'), alert(1, 'breach'), alert(2, 'breach')]);
      assert.deepEqual(
        (await ctx.store.claimDue(at(0), at(30), 2)).map((a) => a.exceptionId),
        [3, 1],
      );
    });

    it("forgets an exception's alerts once all of them, its resolution among them, were delivered before the cut; nothing owed or open", async () => {
      // 1: breach and resolution delivered to both webhooks, long ago: forgotten whole.
      // 2: resolved, but the pager has not taken the resolution yet: kept.
      // 3: breach delivered, still open: kept (forgetting it would announce the breach again).
      // 4: resolved and delivered, but after the cut: kept.
      await ctx.store.add([
        alert(1, 'breach'),
        alert(1, 'breach', 'pager'),
        alert(1, 'resolved'),
        alert(1, 'resolved', 'pager'),
        alert(2, 'breach'),
        alert(2, 'resolved'),
        alert(2, 'resolved', 'pager'),
        alert(3, 'breach'),
        alert(4, 'breach'),
        alert(4, 'resolved'),
      ]);
      const all = await ctx.store.claimDue(at(0), at(30), 50);
      for (const a of all) {
        if (a.exceptionId === 2 && a.webhook === 'pager') continue;
        await ctx.store.delivered(a.id, a.exceptionId === 4 ? at(500) : at(10));
      }
      assert.equal(await ctx.store.forgetSettled(at(100)), 4);
      assert.deepEqual([...(await ctx.store.written([1, 2, 3, 4]))].sort(), ['2/breach', '2/resolved', '3/breach', '4/breach', '4/resolved']);
      assert.equal(await ctx.store.forgetSettled(at(100)), 0, 'a second sweep finds nothing');
      assert.equal(await ctx.store.forgetSettled(at(1000)), 2, 'exception 4 once the cut passes it');
      assert.equal((await ctx.store.recent(50)).length, 4);
    });
  });
}
