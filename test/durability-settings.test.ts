/**
 * The settings "durable before the answer" rests on, read back from the live connections the hub
 * writes through: SQLite in WAL mode with synchronous = FULL, PostgreSQL with synchronous_commit
 * on whatever the role's default; a connection that cannot have them is refused, naming the setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { UnsafeDurabilityError } from '../src/adapters/durability-settings.js';
import { dropSchema, openPostgres } from '../src/adapters/postgres/pg-database.js';
import { requireDurableSettings } from '../src/adapters/sqlite/open-database.js';
import { DATABASE_URL } from './support/backends.js';
import { postgresSkip } from './support/pg-schema.js';
import { startTestHub, tempDataDir } from './support/test-hub.js';

test('the embedded hub writes through a SQLite connection in WAL mode with synchronous = FULL', async () => {
  const hub = await startTestHub();
  try {
    assert.equal(hub.store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(hub.store.db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL');
  } finally {
    await hub.stop();
  }
});

test('a SQLite connection without WAL or synchronous = FULL is refused, naming the setting', () => {
  const dir = tempDataDir();
  const db = new Database(join(dir, 'weak.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    assert.throws(
      () => requireDurableSettings(db, 'weak.db'),
      (err: unknown) => err instanceof UnsafeDurabilityError && err.setting === 'synchronous',
    );
    db.pragma('synchronous = FULL');
    db.pragma('journal_mode = DELETE');
    assert.throws(
      () => requireDurableSettings(db, 'weak.db'),
      (err: unknown) => err instanceof UnsafeDurabilityError && err.setting === 'journal_mode',
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const pgSkip = await postgresSkip();

test('PostgreSQL connections commit with synchronous_commit on, even for a role whose default is off', { skip: pgSkip }, async () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `t_async_${suffix}`;
  const schema = `t_dur_${suffix}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`ALTER ROLE ${role} SET synchronous_commit = off`);
    await admin.query(`GRANT CREATE ON DATABASE ${admin.database} TO ${role}`);
    const asRole = new URL(DATABASE_URL);
    asRole.username = role;
    asRole.password = '';
    const bare = new pg.Client({ connectionString: asRole.toString() });
    await bare.connect();
    const roleDefault = (await bare.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
    await bare.end();
    assert.equal(roleDefault, 'off', 'the role asks for asynchronous commits');
    const db = await openPostgres(asRole.toString(), schema, 3);
    try {
      // Every connection of the pool, each read on its own live session.
      const clients = await Promise.all([db.pool.connect(), db.pool.connect(), db.pool.connect()]);
      const settings = await Promise.all(clients.map(async (c) => (await c.query('SHOW synchronous_commit')).rows[0].synchronous_commit));
      for (const c of clients) c.release();
      assert.deepEqual(settings, ['on', 'on', 'on']);
    } finally {
      await db.pool.end();
      await dropSchema(DATABASE_URL, schema);
    }
  } finally {
    await admin.query(`DROP OWNED BY ${role}`).catch(() => {});
    await admin.query(`REVOKE CREATE ON DATABASE ${admin.database} FROM ${role}`).catch(() => {});
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
    await admin.end();
  }
});

test('a DATABASE_URL whose options turn synchronous_commit off is refused at open, naming the setting', { skip: pgSkip }, async () => {
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', '-c synchronous_commit=off');
  const schema = `t_dur_${randomBytes(4).toString('hex')}`;
  await assert.rejects(openPostgres(url.toString(), schema, 2), (err: unknown) => {
    assert.ok(err instanceof UnsafeDurabilityError, String(err));
    assert.equal(err.setting, 'synchronous_commit');
    assert.equal(err.found, 'off');
    return true;
  });
  await dropSchema(DATABASE_URL, schema);
});
