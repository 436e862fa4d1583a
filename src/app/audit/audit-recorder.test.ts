/**
 * The audit recorder and customer definition over the embedded stores (SQLite in memory): what
 * reaches the trail, in which batches and when (before a read, after a moment, at a full queue),
 * what a failed append reports, and retention.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Db } from '../../adapters/sqlite/open-database.js';
import { SqliteAuditTrail } from '../../adapters/sqlite/sqlite-audit-trail.js';
import type { AuditEntry, AuditTrail } from '../../ports/audit-trail.js';
import { AuditRecorder } from './audit-recorder.js';

const T0 = Date.parse('2026-12-06T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function memoryDb(): Db {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return db;
}

/** The real trail, recording the batches it was asked to append. */
class Trail implements AuditTrail {
  readonly batches: number[] = [];
  failNext?: Error;
  constructor(private readonly inner: SqliteAuditTrail) {}
  append(entries: readonly Omit<AuditEntry, 'id'>[]): void {
    this.batches.push(entries.length);
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    this.inner.append(entries);
  }
  entries(f: Parameters<AuditTrail['entries']>[0]) {
    return this.inner.entries(f);
  }
  forgetBefore(before: string) {
    return this.inner.forgetBefore(before);
  }
}

const entry = (n: number, at = iso(T0)): Omit<AuditEntry, 'id'> => ({
  at,
  actor: 'alice',
  apiKey: 'key_1',
  origin: '127.0.0.1',
  via: 'api',
  action: 'PUT /v1/customers/:id',
  entity: { kind: 'customer', id: `C${n}` },
  status: 200,
  correlationId: `corr-${n}`,
});

function rig() {
  const trail = new Trail(new SqliteAuditTrail(memoryDb()));
  const errors: [string, number][] = [];
  const recorder = new AuditRecorder({ trail, clock: { now: () => T0 }, onError: (err, lost) => errors.push([(err as Error).message, lost]) });
  return { trail, recorder, errors };
}

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const until = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('what was recorded is read back at once, newest first, in one append', async () => {
  const { trail, recorder } = rig();
  recorder.record(entry(1));
  recorder.record(entry(2));
  assert.deepEqual(trail.batches, [], 'nothing is written on the request path');
  const read = await recorder.entries({ limit: 10 });
  assert.deepEqual(
    read.map((e) => e.correlationId),
    ['corr-2', 'corr-1'],
  );
  assert.deepEqual(trail.batches, [2]);
  await recorder.entries({ limit: 10 });
  assert.deepEqual(trail.batches, [2], 'an empty queue appends nothing');
});

test('entries are appended together a moment after they were recorded', async () => {
  const { trail, recorder } = rig();
  recorder.record(entry(1));
  recorder.record(entry(2));
  await waitFor('the timed flush', () => trail.batches.length > 0);
  await recorder.flush();
  assert.deepEqual(trail.batches, [2]);
  recorder.record(entry(3));
  await waitFor('the next timed flush', () => trail.batches.length > 1);
  assert.deepEqual(trail.batches, [2, 1]);
});

test('a full queue is appended at once, without waiting for the moment', async () => {
  const { trail, recorder } = rig();
  for (let i = 0; i < 499; i++) recorder.record(entry(i));
  await Promise.resolve();
  assert.deepEqual(trail.batches, []);
  recorder.record(entry(499));
  await Promise.resolve();
  assert.deepEqual(trail.batches, [500]);
  recorder.record(entry(500));
  await recorder.flush();
  assert.deepEqual(trail.batches, [500, 1]);
  assert.equal((await recorder.entries({ limit: 1000 })).length, 501);
});

test('a failed append is reported with how many entries it lost; the next ones are still stored', async () => {
  const { trail, recorder, errors } = rig();
  trail.failNext = new Error('disk full');
  recorder.record(entry(1));
  recorder.record(entry(2));
  await recorder.flush();
  assert.deepEqual(errors, [['disk full', 2]]);
  recorder.record(entry(3));
  assert.deepEqual(
    (await recorder.entries({ limit: 10 })).map((e) => e.correlationId),
    ['corr-3'],
  );
});

test('flushes run one after another: a reader waits for the append already under way', async () => {
  const { recorder } = rig();
  recorder.record(entry(1));
  const first = recorder.flush();
  recorder.record(entry(2));
  const [, read] = await Promise.all([first, recorder.entries({ limit: 10 })]);
  assert.equal(read.length, 2);
});

test('retention drops the entries older than now minus the retention', async () => {
  const { recorder } = rig();
  recorder.record(entry(1, iso(T0 - 3_600_001)));
  recorder.record(entry(2, iso(T0 - 3_600_000)));
  recorder.record(entry(3, iso(T0)));
  await recorder.flush();
  assert.equal(await recorder.forgetOlderThan(3_600_000), 1);
  assert.deepEqual(
    (await recorder.entries({ limit: 10 })).map((e) => e.correlationId),
    ['corr-3', 'corr-2'],
  );
});
