import { SqliteApiKeyStore } from '../src/adapters/sqlite/sqlite-api-key-store.js';
import { PgApiKeyStore } from '../src/adapters/postgres/pg-api-key-store.js';
import { describeApiKeyStoreContract } from './contracts/api-key-store.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeApiKeyStoreContract(
  'sqlite',
  onSqlite((db) => new SqliteApiKeyStore(db)),
);
describeApiKeyStoreContract(
  'postgres',
  onPostgres((db) => new PgApiKeyStore(db)),
  await postgresSkip(),
);
