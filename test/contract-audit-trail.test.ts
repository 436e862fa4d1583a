import { SqliteAuditTrail } from '../src/adapters/sqlite/sqlite-audit-trail.js';
import { PgAuditTrail } from '../src/adapters/postgres/pg-audit-trail.js';
import { describeAuditTrailContract } from './contracts/audit-trail.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeAuditTrailContract(
  'sqlite',
  onSqlite((db) => new SqliteAuditTrail(db)),
);
describeAuditTrailContract(
  'postgres',
  onPostgres((db) => new PgAuditTrail(db)),
  await postgresSkip(),
);
