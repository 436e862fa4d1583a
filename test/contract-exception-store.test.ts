import { SqliteExceptionStore } from '../src/adapters/sqlite/sqlite-exception-store.js';
import { PgExceptionStore } from '../src/adapters/postgres/pg-exception-store.js';
import { describeExceptionStoreContract } from './contracts/exception-store.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeExceptionStoreContract(
  'sqlite',
  onSqlite((db) => new SqliteExceptionStore(db)),
);
describeExceptionStoreContract(
  'postgres',
  onPostgres((db) => new PgExceptionStore(db)),
  await postgresSkip(),
);
