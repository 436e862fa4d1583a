import { SqliteCrossReferenceStore } from '../src/adapters/sqlite/sqlite-cross-reference-store.js';
import { PgCrossReferenceStore } from '../src/adapters/postgres/pg-cross-reference-store.js';
import { describeCrossReferenceStoreContract } from './contracts/cross-reference-store.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

// Asked before any suite is declared: the SQLite suites start at once and, blocking the event loop
// with their fsyncs, could outlast the reachability check's 1 s timeout on a loaded machine.
const pgSkip = await postgresSkip();

describeCrossReferenceStoreContract(
  'sqlite',
  onSqlite((db) => new SqliteCrossReferenceStore(db)),
);
// Remembering two keys at most: every look-up past them reads the table again, and must agree.
describeCrossReferenceStoreContract(
  'sqlite, remembering 2 keys',
  onSqlite((db) => new SqliteCrossReferenceStore(db, 2)),
);
describeCrossReferenceStoreContract(
  'postgres',
  onPostgres((db) => new PgCrossReferenceStore(db)),
  pgSkip,
);
