/** The embedded AlertOutbox: one row per alert, unique by exception, kind and webhook. */
import type { AlertOutbox, NewAlert, StoredAlert } from '../../ports/alert-outbox.js';
import type { Db } from './open-database.js';

interface Row {
  id: number;
  exception_id: number;
  kind: StoredAlert['kind'];
  webhook: string;
  body: string;
  attempts: number;
  next_at: string;
  delivered_at: string | null;
  last_error: string | null;
  created_at: string;
}

const alertOf = (r: Row): StoredAlert => ({
  id: r.id,
  exceptionId: r.exception_id,
  kind: r.kind,
  webhook: r.webhook,
  body: JSON.parse(r.body) as unknown,
  attempts: r.attempts,
  nextAt: r.next_at,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
  createdAt: r.created_at,
});

export class SqliteAlertOutbox implements AlertOutbox {
  constructor(private readonly db: Db) {}

  add(alerts: readonly NewAlert[]): number {
    const insert = this.db.prepare(
      `INSERT INTO sla_alerts (exception_id, kind, webhook, body, attempts, next_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)
       ON CONFLICT (exception_id, kind, webhook) DO NOTHING`,
    );
    return this.db.transaction(() => {
      let n = 0;
      for (const a of alerts) n += insert.run(a.exceptionId, a.kind, a.webhook, JSON.stringify(a.body), a.createdAt, a.createdAt).changes;
      return n;
    })();
  }

  written(exceptionIds: readonly number[]): Set<string> {
    if (exceptionIds.length === 0) return new Set();
    const rows = this.db
      .prepare(`SELECT DISTINCT exception_id, kind FROM sla_alerts WHERE exception_id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(exceptionIds)) as { exception_id: number; kind: string }[];
    return new Set(rows.map((r) => `${r.exception_id}/${r.kind}`));
  }

  claimDue(nowIso: string, untilIso: string, limit: number): StoredAlert[] {
    const rows = this.db
      .prepare(
        `UPDATE sla_alerts SET next_at = ? WHERE id IN
           (SELECT id FROM sla_alerts WHERE delivered_at IS NULL AND next_at <= ? ORDER BY id LIMIT ?)
         RETURNING *`,
      )
      .all(untilIso, nowIso, limit) as Row[];
    return rows.map(alertOf).sort((a, b) => a.id - b.id);
  }

  delivered(id: number, atIso: string): void {
    this.db.prepare('UPDATE sla_alerts SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?').run(atIso, id);
  }

  failed(id: number, nextAtIso: string, error: string): void {
    this.db.prepare('UPDATE sla_alerts SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?').run(nextAtIso, error, id);
  }

  recent(limit: number): StoredAlert[] {
    return (this.db.prepare('SELECT * FROM sla_alerts ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(alertOf);
  }

  forgetSettled(beforeIso: string): number {
    return this.db
      .prepare(
        `DELETE FROM sla_alerts WHERE exception_id IN
           (SELECT exception_id FROM sla_alerts GROUP BY exception_id
             HAVING SUM(kind = 'resolved') > 0 AND SUM(delivered_at IS NULL) = 0 AND MAX(delivered_at) < ?)`,
      )
      .run(beforeIso).changes;
  }
}
