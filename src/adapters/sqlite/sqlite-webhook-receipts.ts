/** The embedded WebhookReceipts: one row per system and webhook id, the primary key deciding the first claim. */
import type { WebhookReceipts } from '../../ports/webhook-receipts.js';
import type { Db } from './open-database.js';

export class SqliteWebhookReceipts implements WebhookReceipts {
  constructor(private readonly db: Db) {}

  claim(system: string, webhookId: string, receivedAt: string): boolean {
    const r = this.db
      .prepare('INSERT INTO webhook_receipts (system, webhook_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(system, webhookId, receivedAt);
    return r.changes === 1;
  }

  release(system: string, webhookId: string): void {
    this.db.prepare('DELETE FROM webhook_receipts WHERE system = ? AND webhook_id = ?').run(system, webhookId);
  }

  forgetBefore(before: string): number {
    return this.db.prepare('DELETE FROM webhook_receipts WHERE received_at < ?').run(before).changes;
  }
}
