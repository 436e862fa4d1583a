import { SqliteCustomerStore } from '../src/adapters/sqlite/sqlite-customer-store.js';
import { PgCustomerStore } from '../src/adapters/postgres/pg-customer-store.js';
import { describeCustomerStoreContract } from './contracts/customer-store.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeCustomerStoreContract(
  'sqlite',
  onSqlite((db) => new SqliteCustomerStore(db)),
);
describeCustomerStoreContract(
  'postgres',
  onPostgres((db) => new PgCustomerStore(db)),
  await postgresSkip(),
);
