import { SqliteWebhookReceipts } from '../src/adapters/sqlite/sqlite-webhook-receipts.js';
import { PgWebhookReceipts } from '../src/adapters/postgres/pg-webhook-receipts.js';
import { describeWebhookReceiptsContract } from './contracts/webhook-receipts.contract.js';
import { onPostgres, onSqlite } from './support/adapters.js';
import { postgresSkip } from './support/pg-schema.js';

describeWebhookReceiptsContract(
  'sqlite',
  onSqlite((db) => new SqliteWebhookReceipts(db)),
);
describeWebhookReceiptsContract(
  'postgres',
  onPostgres((db) => new PgWebhookReceipts(db)),
  await postgresSkip(),
);
