/**
 * Builds port adapters for the contract suites (test/contracts): each SQLite adapter on its own
 * database file under a temporary data directory, each PostgreSQL adapter in a fresh schema
 * dropped at the end.
 */
import { rmSync } from 'node:fs';
import { openDatabase, type Db } from '../../src/adapters/sqlite/open-database.js';
import type { PgDatabase } from '../../src/adapters/postgres/pg-database.js';
import type { MakeAdapter } from '../contracts/adapter-under-test.js';
import { freshSchema } from './pg-schema.js';
import { tempDataDir } from './test-hub.js';

export function onSqlite<T>(make: (db: Db) => T): MakeAdapter<T> {
  return async () => {
    const dir = tempDataDir();
    let db = openDatabase(dir);
    return {
      store: make(db),
      async reopen() {
        db.close();
        db = openDatabase(dir);
        return make(db);
      },
      async cleanup() {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

export function onPostgres<T>(make: (db: PgDatabase) => T): MakeAdapter<T> {
  return async () => {
    const schema = await freshSchema('port');
    return {
      store: make(schema.db),
      async reopen() {
        return make(await schema.reopen());
      },
      cleanup: () => schema.drop(),
    };
  };
}
