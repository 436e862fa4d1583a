/** WebhookReceipts on the scale-out backend: the primary key decides the first claim, whichever process receives the repeat. */
import type { WebhookReceipts } from '../../ports/webhook-receipts.js';
import type { PgDatabase } from './pg-database.js';

export class PgWebhookReceipts implements WebhookReceipts {
  constructor(private readonly db: PgDatabase) {}

  async claim(system: string, webhookId: string, receivedAt: string): Promise<boolean> {
    const r = await this.db.pool.query('INSERT INTO webhook_receipts (system, webhook_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      system,
      webhookId,
      receivedAt,
    ]);
    return r.rowCount === 1;
  }

  async release(system: string, webhookId: string): Promise<void> {
    await this.db.pool.query('DELETE FROM webhook_receipts WHERE system = $1 AND webhook_id = $2', [system, webhookId]);
  }

  async forgetBefore(before: string): Promise<number> {
    return (await this.db.pool.query('DELETE FROM webhook_receipts WHERE received_at < $1', [before])).rowCount ?? 0;
  }
}
