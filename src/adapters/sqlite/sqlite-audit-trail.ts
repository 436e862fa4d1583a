/** The embedded AuditTrail: rows only ever inserted, and deleted whole by age. */
import type { AuditEntry, AuditFilter, AuditTrail } from '../../ports/audit-trail.js';
import type { Db } from './open-database.js';

export class SqliteAuditTrail implements AuditTrail {
  constructor(private readonly db: Db) {}

  append(entries: readonly Omit<AuditEntry, 'id'>[]): void {
    const insert = this.db.prepare('INSERT INTO audit_trail (at, actor, entity, record) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const e of entries) insert.run(e.at, e.actor, e.entity ? `${e.entity.kind}:${e.entity.id}` : null, JSON.stringify(e));
    })();
  }

  entries(f: AuditFilter): AuditEntry[] {
    const where = ['1 = 1'];
    const args: unknown[] = [];
    if (f.actor !== undefined) {
      where.push('actor = ?');
      args.push(f.actor);
    }
    if (f.entity !== undefined) {
      // `kind:id` finds one entity; `kind` alone every entity of that kind.
      where.push("(entity = ? OR substr(entity, 1, length(?) + 1) = ? || ':')");
      args.push(f.entity, f.entity, f.entity);
    }
    if (f.since !== undefined) {
      where.push('at >= ?');
      args.push(f.since);
    }
    if (f.until !== undefined) {
      where.push('at < ?');
      args.push(f.until);
    }
    if (f.beforeId !== undefined) {
      where.push('id < ?');
      args.push(f.beforeId);
    }
    const rows = this.db.prepare(`SELECT id, record FROM audit_trail WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...args, f.limit) as {
      id: number;
      record: string;
    }[];
    return rows.map((r) => ({ ...(JSON.parse(r.record) as Omit<AuditEntry, 'id'>), id: r.id }));
  }

  forgetBefore(beforeIso: string): number {
    return this.db.prepare('DELETE FROM audit_trail WHERE at < ?').run(beforeIso).changes;
  }
}
