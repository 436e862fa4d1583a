/** The scale-out AuditTrail: rows only ever inserted, and deleted whole by age. */
import type { AuditEntry, AuditFilter, AuditTrail } from '../../ports/audit-trail.js';
import type { PgDatabase } from './pg-database.js';

export class PgAuditTrail implements AuditTrail {
  constructor(private readonly db: PgDatabase) {}

  async append(entries: readonly Omit<AuditEntry, 'id'>[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => ({ at: e.at, actor: e.actor, entity: e.entity ? `${e.entity.kind}:${e.entity.id}` : null, record: e }));
    // WITH ORDINALITY keeps the ids in the order the entries were given.
    await this.db.pool.query(
      `INSERT INTO audit_trail (at, actor, entity, record)
       SELECT (r->>'at')::timestamptz, r->>'actor', r->>'entity', r->'record' FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(r, n) ORDER BY n`,
      [JSON.stringify(rows)],
    );
  }

  async entries(f: AuditFilter): Promise<AuditEntry[]> {
    const { rows } = await this.db.pool.query<{ id: string; record: Omit<AuditEntry, 'id'> }>(
      `SELECT id, record FROM audit_trail
       WHERE ($1::text IS NULL OR actor = $1)
         AND ($2::text IS NULL OR entity = $2 OR left(entity, length($2) + 1) = $2 || ':')
         AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4) AND ($5::bigint IS NULL OR id < $5)
       ORDER BY id DESC LIMIT $6`,
      [f.actor ?? null, f.entity ?? null, f.since ?? null, f.until ?? null, f.beforeId ?? null, f.limit],
    );
    return rows.map((r) => ({ ...r.record, id: Number(r.id) }));
  }

  async forgetBefore(beforeIso: string): Promise<number> {
    const { rowCount } = await this.db.pool.query('DELETE FROM audit_trail WHERE at < $1', [beforeIso]);
    return rowCount ?? 0;
  }
}
