/**
 * When PostgreSQL refuses a connection (out of connection slots, down), every query through the
 * hub's pool fails with one typed, retryable error that HTTP answers as 503, and the pool works
 * again once connections are possible. The refusal is real: a role whose connection limit is 0.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DATABASE_URL, scaleOut, skipReason } from './support/backends.js';
import { dropSchema, openPostgres, type PgDatabase } from '../src/adapters/postgres/pg-database.js';
import { DatabaseUnavailableError } from '../src/domain/errors.js';
import { toProblem } from '../src/interfaces/http/problem.js';

const skip = await skipReason(scaleOut);
const suffix = randomBytes(4).toString('hex');
const namespace = `t_conn_${suffix}`;
const limitedRole = `crossdock_t_nolimit_${suffix}`;
let db: PgDatabase;
let admin: pg.Client;

before(async () => {
  if (skip) return;
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE ${limitedRole} LOGIN CONNECTION LIMIT 0`);
  db = await openPostgres(DATABASE_URL, namespace, 2);
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

test('a refused connection is DatabaseUnavailableError for both pool forms, answered 503 retryable; the pool recovers', { skip }, async () => {
  // The pool keeps the migration's connection idle: hold it, so the next query must connect anew.
  const held = await db.pool.connect();
  try {
    connectAs(limitedRole);
    const viaQuery = await db.pool.query('SELECT 1').then(() => undefined, (err: unknown) => err);
    assert.ok(viaQuery instanceof DatabaseUnavailableError, `pool.query failed with ${String(viaQuery)}`);
    assert.match(viaQuery.message, /too many connections/);
    assert.equal((viaQuery.cause as { code?: string }).code, '53300');
    const viaConnect = await db.pool.connect().then((c) => { c.release(); return undefined; }, (err: unknown) => err);
    assert.ok(viaConnect instanceof DatabaseUnavailableError, `pool.connect failed with ${String(viaConnect)}`);

    const problem = toProblem(viaQuery);
    assert.equal(problem.status, 503);
    assert.equal(problem.type, 'urn:crossdock:problem:database_unavailable');
    assert.equal(problem.retryable, true);
    assert.match(problem.detail, /max_connections/);

    connectAs(new URL(DATABASE_URL).username || 'postgres');
    const { rows } = await db.pool.query<{ one: number }>('SELECT 1 AS one');
    assert.equal(rows[0]!.one, 1);
  } finally {
    held.release();
  }
});
