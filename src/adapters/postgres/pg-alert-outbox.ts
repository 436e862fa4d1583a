/** The scale-out AlertOutbox: unique by exception, kind and webhook; due alerts claimed with SKIP LOCKED so two processes never take one. */
import type { AlertOutbox, NewAlert, StoredAlert } from '../../ports/alert-outbox.js';
import type { PgDatabase } from './pg-database.js';

interface Row {
  id: string;
  exception_id: string;
  kind: StoredAlert['kind'];
  webhook: string;
  body: unknown;
  attempts: number;
  next_at: Date;
  delivered_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

const alertOf = (r: Row): StoredAlert => ({
  id: Number(r.id),
  exceptionId: Number(r.exception_id),
  kind: r.kind,
  webhook: r.webhook,
  body: r.body,
  attempts: r.attempts,
  nextAt: r.next_at.toISOString(),
  deliveredAt: r.delivered_at ? r.delivered_at.toISOString() : null,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
});

export class PgAlertOutbox implements AlertOutbox {
  constructor(private readonly db: PgDatabase) {}

  async add(alerts: readonly NewAlert[]): Promise<number> {
    if (alerts.length === 0) return 0;
    const { rowCount } = await this.db.pool.query(
      `INSERT INTO sla_alerts (exception_id, kind, webhook, body, attempts, next_at, created_at)
       SELECT (a->>'exceptionId')::bigint, a->>'kind', a->>'webhook', a->'body', 0, (a->>'createdAt')::timestamptz, (a->>'createdAt')::timestamptz
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(a, n) ORDER BY n
       ON CONFLICT (exception_id, kind, webhook) DO NOTHING`,
      [JSON.stringify(alerts)],
    );
    return rowCount ?? 0;
  }

  async written(exceptionIds: readonly number[]): Promise<Set<string>> {
    if (exceptionIds.length === 0) return new Set();
    const { rows } = await this.db.pool.query<{ exception_id: string; kind: string }>(
      'SELECT DISTINCT exception_id, kind FROM sla_alerts WHERE exception_id = ANY($1::bigint[])',
      [exceptionIds],
    );
    return new Set(rows.map((r) => `${r.exception_id}/${r.kind}`));
  }

  async claimDue(nowIso: string, untilIso: string, limit: number): Promise<StoredAlert[]> {
    const { rows } = await this.db.pool.query<Row>(
      `UPDATE sla_alerts SET next_at = $1 WHERE id IN
         (SELECT id FROM sla_alerts WHERE delivered_at IS NULL AND next_at <= $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [untilIso, nowIso, limit],
    );
    return rows.map(alertOf).sort((a, b) => a.id - b.id);
  }

  async delivered(id: number, atIso: string): Promise<void> {
    await this.db.pool.query('UPDATE sla_alerts SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2', [atIso, id]);
  }

  async failed(id: number, nextAtIso: string, error: string): Promise<void> {
    await this.db.pool.query('UPDATE sla_alerts SET attempts = attempts + 1, next_at = $1, last_error = $2 WHERE id = $3', [nextAtIso, error, id]);
  }

  async recent(limit: number): Promise<StoredAlert[]> {
    const { rows } = await this.db.pool.query<Row>('SELECT * FROM sla_alerts ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map(alertOf);
  }

  async forgetSettled(beforeIso: string): Promise<number> {
    const { rowCount } = await this.db.pool.query(
      `DELETE FROM sla_alerts WHERE exception_id IN
         (SELECT exception_id FROM sla_alerts GROUP BY exception_id
           HAVING bool_or(kind = 'resolved') AND bool_and(delivered_at IS NOT NULL) AND max(delivered_at) < $1)`,
      [beforeIso],
    );
    return rowCount ?? 0;
  }
}
