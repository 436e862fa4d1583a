import { SqliteCrossReferenceStore } from '../src/adapters/sqlite/sqlite-cross-reference-store.js';
import { PgCrossReferenceStore } from '../src/adapters/postgres/pg-cross-reference-store.js';
import { describeCrossReferenceStoreContract } from './contracts/cross-reference-store.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeCrossReferenceStoreContract(
  'sqlite',
  onSqlite((db) => new SqliteCrossReferenceStore(db)),
);
describeCrossReferenceStoreContract(
  'postgres',
  onPostgres((db) => new PgCrossReferenceStore(db)),
  await postgresSkip(),
);
