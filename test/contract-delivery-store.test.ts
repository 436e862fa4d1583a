import { SqliteDeliveryStore } from '../src/adapters/sqlite/sqlite-delivery-store.js';
import { PgDeliveryLedger } from '../src/adapters/postgres/pg-delivery.js';
import { describeDeliveryStoreContract } from './contracts/delivery-store.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeDeliveryStoreContract(
  'sqlite',
  onSqlite((db) => new SqliteDeliveryStore(db)),
);
describeDeliveryStoreContract(
  'postgres',
  onPostgres((db) => new PgDeliveryLedger(db)),
  await postgresSkip(),
);
