import { SqliteControlNumbers } from '../src/adapters/sqlite/sqlite-control-numbers.js';
import { PgControlNumbers } from '../src/adapters/postgres/pg-control-numbers.js';
import { describeControlNumbersContract } from './contracts/control-numbers.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeControlNumbersContract(
  'sqlite',
  onSqlite((db) => new SqliteControlNumbers(db)),
);
describeControlNumbersContract(
  'postgres',
  onPostgres((db) => new PgControlNumbers(db)),
  await postgresSkip(),
);
