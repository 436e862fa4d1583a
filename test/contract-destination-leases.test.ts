import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgDestinationLeases } from '../src/adapters/postgres/pg-delivery.js';
import { describeDestinationLeasesContract } from './contracts/destination-leases.contract.js';
import { DATABASE_URL } from './support/backends.js';
import { postgresSkip } from './support/pg-schema.js';

describeDestinationLeasesContract(
  'postgres',
  async () => {
    const namespace = `t_lease_${randomBytes(4).toString('hex')}`;
    return {
      open: () => new PgDestinationLeases(DATABASE_URL, namespace),
      async killHolder(destination) {
        // The session holding the advisory lock is the holder's lease connection: end it as a crash would.
        const admin = new pg.Client({ connectionString: DATABASE_URL });
        await admin.connect();
        try {
          const { rowCount } = await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND objsubid = 1
             AND objid::bigint = (hashtext($1)::bigint & 4294967295) AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            [`crossdock:${namespace}:deliver:${destination}`],
          );
          if (rowCount !== 1) throw new Error(`expected one holder of ${destination}, found ${rowCount}`);
        } finally {
          await admin.end();
        }
      },
      async cleanup() {},
    };
  },
  await postgresSkip(),
);
