/**
 * PostgreSQL refusing connections (out of connection slots, restarting): every query through the
 * hub's pool fails with one typed, retryable error that HTTP answers as 503; a worker keeps the
 * log entries it holds through the outage, without using their attempts, and applies them once
 * when the database is back. The refusal is real: the pool's connections are terminated and new
 * ones log in as a role whose connection limit is 0.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DATABASE_URL, scaleOut, skipReason } from './support/backends.js';
import { snapshot } from './support/test-hub.js';
import { until } from './support/until.js';
import { dropSchema, openPostgres, type PgDatabase } from '../src/adapters/postgres/pg-database.js';
import { PgLedgerStore } from '../src/adapters/postgres/pg-ledger-store.js';
import { LedgerWorker } from '../src/app/log/ledger-worker.js';
import { DatabaseUnavailableError } from '../src/domain/errors.js';
import { toProblem } from '../src/interfaces/http/problem.js';
import type { LogEntry, WorkItem } from '../src/ports/event-log.js';

const skip = await skipReason(scaleOut);
const suffix = randomBytes(4).toString('hex');
const namespace = `t_conn_${suffix}`;
const limitedRole = `crossdock_t_nologin_${suffix}`;
let db: PgDatabase;
let admin: pg.Client;
let position = 0;

before(async () => {
  if (skip) return;
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE ${limitedRole} LOGIN CONNECTION LIMIT 0`);
  db = await openPostgres(DATABASE_URL, namespace, 4);
});

after(async () => {
  if (skip) return;
  await db.pool.end();
  await dropSchema(DATABASE_URL, namespace);
  await admin.query(`DROP ROLE IF EXISTS ${limitedRole}`);
  await admin.end();
});

/** New connections of the pool log in as `user` from now on (the pool reads its options per connection). */
function connectAs(user: string): void {
  const url = new URL(DATABASE_URL);
  url.username = user;
  (db.pool as unknown as { options: { connectionString: string } }).options.connectionString = url.toString();
}

/** The outage: the pool's open connections are cut and new ones are refused. */
async function databaseGoesAway(): Promise<void> {
  connectAs(limitedRole);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'`, [`crossdock ${namespace}`]);
  await until(
    'the pool to notice its connections were cut',
    async () => db.pool.idleCount,
    (n) => n === 0,
  );
}

function databaseComesBack(): void {
  connectAs(new URL(DATABASE_URL).username || 'postgres');
}

function workItem(entry: LogEntry, attempt: number) {
  const record = { outcome: undefined as string | undefined, stillWorking: 0 };
  const item: WorkItem = {
    entry,
    attempt,
    done: () => {
      record.outcome = 'done';
    },
    retry: () => {
      record.outcome = 'retry';
    },
    discard: () => {
      record.outcome = 'discard';
    },
    stillWorking: () => {
      record.stillWorking++;
    },
  };
  return { item, record };
}

test('a refused connection is DatabaseUnavailableError for both pool forms, answered 503 retryable; the pool recovers', { skip }, async () => {
  await databaseGoesAway();
  try {
    const viaQuery = await db.pool.query('SELECT 1').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(viaQuery instanceof DatabaseUnavailableError, `pool.query failed with ${String(viaQuery)}`);
    assert.match(viaQuery.message, /too many connections/);
    assert.equal((viaQuery.cause as { code?: string }).code, '53300');
    const viaConnect = await db.pool.connect().then(
      (c) => {
        c.release();
        return undefined;
      },
      (err: unknown) => err,
    );
    assert.ok(viaConnect instanceof DatabaseUnavailableError, `pool.connect failed with ${String(viaConnect)}`);

    const problem = toProblem(viaQuery);
    assert.equal(problem.status, 503);
    assert.equal(problem.type, 'urn:crossdock:problem:database_unavailable');
    assert.equal(problem.retryable, true);
    assert.match(problem.detail, /max_connections/);
  } finally {
    databaseComesBack();
  }
  const { rows } = await db.pool.query<{ one: number }>('SELECT 1 AS one');
  assert.equal(rows[0]!.one, 1);
});

test('a worker holds its entries through an outage longer than their attempts and applies them once when the database is back', { skip }, async () => {
  const store = new PgLedgerStore(db);
  let waits = 0;
  const worker = new LedgerWorker({
    store,
    clock: { now: () => Date.parse('2026-12-02T12:00:00Z') },
    maxAttempts: 1,
    outageWaitMs: { first: 10, max: 40 },
    observer: {
      applied: () => {},
      failed: () => {},
      databaseUnavailable: () => {
        waits++;
      },
    },
  });
  const entry = (kind: LogEntry['kind'], body: object): LogEntry => ({ position: ++position, kind, body: JSON.stringify(body) });
  await worker.applyAll([
    entry('catalog', { kind: 'location', def: { id: 'DAL', name: 'Dallas', authority: 'wms-dal' } }),
    entry('catalog', { kind: 'channel', channel: { id: 'web', locations: ['DAL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' } }),
  ]);

  await databaseGoesAway();
  // Its one attempt is this delivery: judged as failing, it would go to the dead letters (or back to the log).
  const counted = workItem(entry('inventory', snapshot({ source: 'wms-dal', seq: 1, sku: 'OUT-1', location: 'DAL', onHand: 10 })), 1);
  const handling = worker.handle([counted.item]);
  await until(
    'the worker to try again through the outage',
    async () => waits,
    (n) => n >= 10,
  );
  assert.equal(counted.record.outcome, undefined, 'the entry is neither acknowledged, handed back nor dead-lettered during the outage');
  assert.ok(counted.record.stillWorking > 0, 'the log is told the entry is still being worked on');
  databaseComesBack();
  await handling;
  assert.equal(counted.record.outcome, 'done');
  assert.equal(await store.figure('web', 'OUT-1'), 10);
  assert.equal((await db.pool.query('SELECT count(*)::int AS n FROM dead_entries')).rows[0].n, 0);

  // A worker that stops during an outage hands its entries back unjudged.
  await databaseGoesAway();
  const stranded = workItem(entry('inventory', snapshot({ source: 'wms-dal', seq: 2, sku: 'OUT-1', location: 'DAL', onHand: 7 })), 1);
  const stopping = worker.handle([stranded.item]);
  const before = waits;
  await until(
    'the worker to meet the outage',
    async () => waits,
    (n) => n > before,
  );
  worker.stop();
  await stopping;
  databaseComesBack();
  assert.equal(stranded.record.outcome, 'retry');
  assert.equal(await store.figure('web', 'OUT-1'), 10, 'nothing of the handed-back entry applied');
});
