/**
 * The behaviour every delivery ledger must have (the embedded SQLite store and the PostgreSQL
 * one), as one suite each adapter runs: each destination lane's cursor is its own and survives a
 * reopen; dead letters keep the message whole with the last error, are listed in the order they
 * died by destination and status, and move through retry (queued, delivered or dead again with
 * the attempts and error) and discard (with the reason).
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { DeadLetter, DeliveryLedger } from '../../src/ports/delivery-store.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const letter = (destination: string, n: number, extra: Partial<DeadLetter> = {}): Omit<DeadLetter, 'id' | 'status'> => ({
  destination,
  lane: 'orders',
  attempts: 5,
  lastError: `HTTP 503 from ${destination} (${n})`,
  deadAt: '2026-12-01T10:00:00.000Z',
  message: {
    idempotencyKey: `ord_${n}:erp.order`,
    topic: 'order.accepted',
    key: `ord_${n}`,
    payload: { id: `ord_${n}`, lines: [{ sku: 'ABC-100', qty: n }], note: 'ünïcode' },
  },
  ...extra,
});

export function describeDeliveryStoreContract(name: string, make: MakeAdapter<DeliveryLedger>, skip: Skip = false): void {
  describe(`DeliveryStore contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<DeliveryLedger>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('keeps a cursor per destination and lane, 0 before any, the last one saved after', async () => {
      assert.equal(await ctx.store.cursor('erp', 'orders'), 0);
      await ctx.store.saveCursor('erp', 'orders', 7);
      await ctx.store.saveCursor('erp', 'bulk', 3);
      await ctx.store.saveCursor('web', 'orders', 11);
      await ctx.store.saveCursor('erp', 'orders', 9);
      assert.deepEqual(
        [
          await ctx.store.cursor('erp', 'orders'),
          await ctx.store.cursor('erp', 'bulk'),
          await ctx.store.cursor('web', 'orders'),
          await ctx.store.cursor('web', 'bulk'),
        ],
        [9, 3, 11, 0],
      );
    });

    it('keeps a dead letter whole with its last error, dead, under an id that grows with each one', async () => {
      const first = await ctx.store.addDeadLetter(letter('erp', 1));
      const second = await ctx.store.addDeadLetter(letter('erp', 2, { lane: 'bulk' }));
      assert.ok(second > first, `ids increase (${first}, ${second})`);
      assert.deepEqual(await ctx.store.deadLetter(first), { ...letter('erp', 1), id: first, status: 'dead' });
      assert.deepEqual(await ctx.store.deadLetter(second), { ...letter('erp', 2, { lane: 'bulk' }), id: second, status: 'dead' });
      assert.equal(await ctx.store.deadLetter(second + 1000), undefined);
    });

    it('lists dead letters in the order they died, by destination and status, after an id, at most a limit', async () => {
      const e1 = await ctx.store.addDeadLetter(letter('erp', 1));
      const w1 = await ctx.store.addDeadLetter(letter('web', 2));
      const e2 = await ctx.store.addDeadLetter(letter('erp', 3));
      const e3 = await ctx.store.addDeadLetter(letter('erp', 4));
      await ctx.store.setDeadLetterStatus(e2, 'discarded', 'order was cancelled');
      const ids = async (f: Parameters<DeliveryLedger['deadLetters']>[0]) => (await ctx.store.deadLetters(f)).map((d) => d.id);
      assert.deepEqual(await ids({ limit: 10 }), [e1, w1, e2, e3]);
      assert.deepEqual(await ids({ destination: 'erp', limit: 10 }), [e1, e2, e3]);
      assert.deepEqual(await ids({ status: 'dead', limit: 10 }), [e1, w1, e3]);
      assert.deepEqual(await ids({ destination: 'erp', status: 'dead', limit: 10 }), [e1, e3]);
      assert.deepEqual(await ids({ status: 'discarded', limit: 10 }), [e2]);
      assert.deepEqual(await ids({ afterId: e1, limit: 2 }), [w1, e2]);
    });

    it('a retry queues the letter; it ends delivered with a note, or dead again with the attempts and error', async () => {
      const ok = await ctx.store.addDeadLetter(letter('erp', 1));
      const bad = await ctx.store.addDeadLetter(letter('erp', 2));
      await ctx.store.setDeadLetterStatus(ok, 'queued');
      await ctx.store.setDeadLetterStatus(bad, 'queued');
      assert.deepEqual(
        (await ctx.store.deadLetters({ status: 'queued', limit: 10 })).map((d) => d.id),
        [ok, bad],
      );
      await ctx.store.setDeadLetterStatus(ok, 'delivered', 'delivered on retry at 2026-12-01T11:00:00.000Z');
      await ctx.store.setDeadLetterStatus(bad, 'dead', undefined, 8, 'HTTP 400: unknown customer');
      assert.deepEqual(await ctx.store.deadLetter(ok), {
        ...letter('erp', 1),
        id: ok,
        status: 'delivered',
        note: 'delivered on retry at 2026-12-01T11:00:00.000Z',
      });
      assert.deepEqual(await ctx.store.deadLetter(bad), { ...letter('erp', 2), id: bad, status: 'dead', attempts: 8, lastError: 'HTTP 400: unknown customer' });
      assert.deepEqual(await ctx.store.deadLetters({ status: 'queued', limit: 10 }), []);
    });

    it('a discard keeps the letter with the reason, and changing an unknown id makes nothing', async () => {
      const id = await ctx.store.addDeadLetter(letter('erp', 1));
      await ctx.store.setDeadLetterStatus(id, 'discarded', 'sent by hand');
      assert.deepEqual(await ctx.store.deadLetter(id), { ...letter('erp', 1), id, status: 'discarded', note: 'sent by hand' });
      await ctx.store.setDeadLetterStatus(id + 1000, 'queued');
      assert.equal(await ctx.store.deadLetter(id + 1000), undefined);
      assert.deepEqual(
        (await ctx.store.deadLetters({ limit: 10 })).map((d) => d.id),
        [id],
      );
    });

    it('keeps cursors and dead letters across a reopen, and numbers on after them', async () => {
      await ctx.store.saveCursor('erp', 'orders', 42);
      const id = await ctx.store.addDeadLetter(letter('erp', 1));
      await ctx.store.setDeadLetterStatus(id, 'discarded', 'duplicate');
      const again = await ctx.reopen();
      assert.equal(await again.cursor('erp', 'orders'), 42);
      assert.deepEqual(await again.deadLetter(id), { ...letter('erp', 1), id, status: 'discarded', note: 'duplicate' });
      assert.ok((await again.addDeadLetter(letter('erp', 2))) > id, 'no id is given twice');
    });
  });
}
