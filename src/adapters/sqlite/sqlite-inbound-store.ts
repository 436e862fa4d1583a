/** The embedded InboundStore: one row per parked inbound message. */
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import type { InboundStore, ParkedInbound, ParkedInboundStatus } from '../../ports/inbound-store.js';
import type { Db } from './open-database.js';

export class SqliteInboundStore implements InboundStore {
  constructor(private readonly db: Db) {}

  park(p: Omit<ParkedInbound, 'id' | 'status'>): number {
    return Number(
      this.db.prepare('INSERT INTO inbound_parked (system, status, record) VALUES (?, ?, ?)').run(p.system, 'parked', JSON.stringify(p)).lastInsertRowid,
    );
  }

  parked(f: { system?: string; status?: ParkedInboundStatus; afterId?: number; limit: number }): ParkedInbound[] {
    const where = ['id > ?'];
    const args: unknown[] = [f.afterId ?? 0];
    if (f.system !== undefined) {
      where.push('system = ?');
      args.push(f.system);
    }
    if (f.status !== undefined) {
      where.push('status = ?');
      args.push(f.status);
    }
    return (
      this.db.prepare(`SELECT id, status, record FROM inbound_parked WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...args, f.limit) as Row[]
    ).map(toParked);
  }

  get(id: number): ParkedInbound | undefined {
    const row = this.db.prepare('SELECT id, status, record FROM inbound_parked WHERE id = ?').get(id) as Row | undefined;
    return row ? toParked(row) : undefined;
  }

  update(
    id: number,
    change: { status?: ParkedInboundStatus; reason?: string; errors?: ParkedInbound['errors']; outcome?: string; unknownReferences?: XrefKey[]; body?: string },
  ): void {
    const current = this.get(id);
    if (!current) return;
    const { id: _, status, ...record } = current;
    const next = {
      ...record,
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(change.errors ? { errors: change.errors } : {}),
      ...(change.outcome !== undefined ? { outcome: change.outcome } : {}),
      ...(change.unknownReferences ? { unknownReferences: change.unknownReferences } : {}),
      ...(change.body !== undefined ? { body: change.body } : {}),
    };
    this.db.prepare('UPDATE inbound_parked SET status = ?, record = ? WHERE id = ?').run(change.status ?? status, JSON.stringify(next), id);
  }
}

interface Row {
  id: number;
  status: string;
  record: string;
}

function toParked(r: Row): ParkedInbound {
  return { id: r.id, status: r.status as ParkedInboundStatus, ...(JSON.parse(r.record) as Omit<ParkedInbound, 'id' | 'status'>) };
}
