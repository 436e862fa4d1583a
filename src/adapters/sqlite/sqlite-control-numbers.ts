/**
 * EDI control numbers in the hub's SQLite database: one counter row per partner and kind,
 * incremented in place; the transactions sent under them and the interchanges taken.
 */
import type { Statement } from 'better-sqlite3';
import { allocateEach, type ControlNumbers, type SentTransaction } from '../../ports/control-numbers.js';
import type { Db } from './open-database.js';

interface SentRow {
  interchange_control: number;
  group_control: number;
  functional_id: string;
  set_id: string;
  transaction_control: number;
  document: string;
  sent_at: string;
}

export class SqliteControlNumbers implements ControlNumbers {
  private readonly bump: Statement;
  private readonly insertSent: Statement;
  private readonly selectSent: Statement;
  private readonly selectReceived: Statement;
  private readonly insertReceived: Statement;
  private readonly deleteReceived: Statement;
  private readonly deleteSent: Statement;

  constructor(private readonly db: Db) {
    this.bump = db
      .prepare(`INSERT INTO edi_control_numbers (partner, kind, last) VALUES (?, ?, 1)
      ON CONFLICT (partner, kind) DO UPDATE SET last = last + 1 RETURNING last`)
      .pluck(true);
    this.insertSent = db.prepare(`INSERT OR REPLACE INTO edi_transactions_sent
      (partner, group_control, transaction_control, interchange_control, functional_id, set_id, document, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.selectSent = db.prepare('SELECT * FROM edi_transactions_sent WHERE partner = ? AND group_control = ? ORDER BY transaction_control');
    this.selectReceived = db.prepare('SELECT received_at FROM edi_interchanges_received WHERE partner = ? AND sender = ? AND control = ?').pluck(true);
    this.insertReceived = db.prepare('INSERT OR IGNORE INTO edi_interchanges_received (partner, sender, control, received_at) VALUES (?, ?, ?, ?)');
    // Times are stored as UTC ISO-8601 (toISOString), so they compare as text.
    this.deleteReceived = db.prepare('DELETE FROM edi_interchanges_received WHERE received_at < ?');
    this.deleteSent = db.prepare('DELETE FROM edi_transactions_sent WHERE sent_at < ?');
  }

  async allocate(partner: string, groups: readonly number[]): Promise<{ interchange: number; groups: number[]; transactions: number[][] }> {
    const next = (kind: string) => this.bump.get(partner, kind) as number;
    return allocateEach(next, groups);
  }

  async recordSent(partner: string, sent: readonly SentTransaction[]): Promise<void> {
    this.db.transaction(() => {
      for (const t of sent) this.insertSent.run(partner, t.group, t.transaction, t.interchange, t.functionalId, t.set, t.document, t.sentAt);
    })();
  }

  async sentInGroup(partner: string, group: number): Promise<SentTransaction[]> {
    return (this.selectSent.all(partner, group) as SentRow[]).map((r) => ({
      interchange: r.interchange_control,
      group: r.group_control,
      functionalId: r.functional_id,
      set: r.set_id,
      transaction: r.transaction_control,
      document: r.document,
      sentAt: r.sent_at,
    }));
  }

  async receivedAt(partner: string, sender: string, control: string): Promise<string | undefined> {
    return (this.selectReceived.get(partner, sender, control) as string | undefined) ?? undefined;
  }

  async recordReceived(partner: string, sender: string, control: string, at: string): Promise<void> {
    this.insertReceived.run(partner, sender, control, at);
  }

  async forgetBefore(beforeIso: string): Promise<{ received: number; sent: number }> {
    const before = new Date(beforeIso).toISOString();
    return this.db.transaction(() => ({ received: this.deleteReceived.run(before).changes, sent: this.deleteSent.run(before).changes }))();
  }
}
