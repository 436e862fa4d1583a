import { SqliteAlertOutbox } from '../src/adapters/sqlite/sqlite-alert-outbox.js';
import { PgAlertOutbox } from '../src/adapters/postgres/pg-alert-outbox.js';
import { describeAlertOutboxContract } from './contracts/alert-outbox.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeAlertOutboxContract(
  'sqlite',
  onSqlite((db) => new SqliteAlertOutbox(db)),
);
describeAlertOutboxContract(
  'postgres',
  onPostgres((db) => new PgAlertOutbox(db)),
  await postgresSkip(),
);
