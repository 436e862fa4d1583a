/** The embedded DeliveryStore: one cursor row per destination lane, one row per dead letter. */
import type { Statement } from 'better-sqlite3';
import type { DeadLetter, DeadLetterStatus, DeliveryStore, Lane } from '../../ports/delivery-store.js';
import type { Db } from './open-database.js';

export class SqliteDeliveryStore implements DeliveryStore {
  private readonly selectCursor: Statement;
  private readonly upsertCursor: Statement;

  constructor(private readonly db: Db) {
    this.selectCursor = db.prepare('SELECT cursor FROM delivery_cursors WHERE destination = ? AND lane = ?').pluck(true);
    this.upsertCursor = db.prepare('INSERT OR REPLACE INTO delivery_cursors (destination, lane, cursor) VALUES (?, ?, ?)');
  }

  cursor(destination: string, lane: Lane): number {
    return (this.selectCursor.get(destination, lane) as number | undefined) ?? 0;
  }

  saveCursor(destination: string, lane: Lane, cursor: number): void {
    this.upsertCursor.run(destination, lane, cursor);
  }

  addDeadLetter(d: Omit<DeadLetter, 'id' | 'status'>): number {
    return Number(
      this.db.prepare('INSERT INTO dead_letters (destination, lane, status, record) VALUES (?, ?, ?, ?)').run(d.destination, d.lane, 'dead', JSON.stringify(d))
        .lastInsertRowid,
    );
  }

  deadLetters(f: { destination?: string; status?: DeadLetterStatus; afterId?: number; limit: number }): DeadLetter[] {
    const where: string[] = ['id > ?'];
    const args: unknown[] = [f.afterId ?? 0];
    if (f.destination !== undefined) {
      where.push('destination = ?');
      args.push(f.destination);
    }
    if (f.status !== undefined) {
      where.push('status = ?');
      args.push(f.status);
    }
    const rows = this.db.prepare(`SELECT id, status, record FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...args, f.limit) as Row[];
    return rows.map(toDeadLetter);
  }

  deadLetter(id: number): DeadLetter | undefined {
    const row = this.db.prepare('SELECT id, status, record FROM dead_letters WHERE id = ?').get(id) as Row | undefined;
    return row ? toDeadLetter(row) : undefined;
  }

  setDeadLetterStatus(id: number, status: DeadLetterStatus, note?: string, attempts?: number, lastError?: string): void {
    const current = this.deadLetter(id);
    if (!current) return;
    const { id: _, status: __, ...record } = current;
    const next = {
      ...record,
      ...(note !== undefined ? { note } : {}),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(lastError !== undefined ? { lastError } : {}),
    };
    this.db.prepare('UPDATE dead_letters SET status = ?, record = ? WHERE id = ?').run(status, JSON.stringify(next), id);
  }
}

interface Row {
  id: number;
  status: string;
  record: string;
}

function toDeadLetter(r: Row): DeadLetter {
  return { id: r.id, status: r.status as DeadLetterStatus, ...(JSON.parse(r.record) as Omit<DeadLetter, 'id' | 'status'>) };
}
