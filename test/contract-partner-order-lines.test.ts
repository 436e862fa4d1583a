import { SqlitePartnerOrderLines } from '../src/adapters/sqlite/sqlite-partner-order-lines.js';
import { PgPartnerOrderLines } from '../src/adapters/postgres/pg-partner-order-lines.js';
import { describePartnerOrderLinesContract } from './contracts/partner-order-lines.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describePartnerOrderLinesContract(
  'sqlite',
  onSqlite((db) => new SqlitePartnerOrderLines(db)),
);
describePartnerOrderLinesContract(
  'postgres',
  onPostgres((db) => new PgPartnerOrderLines(db)),
  await postgresSkip(),
);
