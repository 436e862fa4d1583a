/**
 * PostgreSQL for adapter tests: whether it is here (a skip with the reason, or with CI=true a
 * failure), and a fresh schema per suite that can be reopened (a new pool, as after a restart)
 * and is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema, openPostgres, type PgDatabase } from '../../src/adapters/postgres/pg-database.js';
import { DATABASE_URL } from './backends.js';
import { reachable } from './reachable.js';

export async function postgresSkip(): Promise<string | false> {
  let reason: string | undefined;
  if (!(await reachable(DATABASE_URL, 5432))) reason = `PostgreSQL at ${DATABASE_URL} is not reachable`;
  else {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (err) {
      reason = `PostgreSQL login failed (${(err as Error).message})`;
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (!reason) return false;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it (set DATABASE_URL)`);
  return `${reason}: skipped (set DATABASE_URL)`;
}

export interface TestSchema {
  namespace: string;
  db: PgDatabase;
  /** Closes the pool and opens a new one on the same schema (migrations run again: none is due). */
  reopen(): Promise<PgDatabase>;
  drop(): Promise<void>;
}

export async function freshSchema(prefix: string): Promise<TestSchema> {
  const namespace = `t_${prefix}_${randomBytes(4).toString('hex')}`;
  const schema: TestSchema = {
    namespace,
    db: await openPostgres(DATABASE_URL, namespace, 4),
    async reopen() {
      await schema.db.pool.end();
      schema.db = await openPostgres(DATABASE_URL, namespace, 4);
      return schema.db;
    },
    async drop() {
      await schema.db.pool.end().catch(() => {});
      await dropSchema(DATABASE_URL, namespace);
    },
  };
  return schema;
}
