import { SqliteInboundStore } from '../src/adapters/sqlite/sqlite-inbound-store.js';
import { PgInboundStore } from '../src/adapters/postgres/pg-inbound-store.js';
import { describeInboundStoreContract } from './contracts/inbound-store.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeInboundStoreContract(
  'sqlite',
  onSqlite((db) => new SqliteInboundStore(db)),
);
describeInboundStoreContract(
  'postgres',
  onPostgres((db) => new PgInboundStore(db)),
  await postgresSkip(),
);
