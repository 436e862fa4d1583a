/** Control numbers in the hub's SQLite database: one counter row per partner and kind, incremented in place. */
import type { Statement } from 'better-sqlite3';
import type { ControlNumbers } from '../../ports/control-numbers.js';
import type { Db } from './open-database.js';

export class SqliteControlNumbers implements ControlNumbers {
  private readonly bump: Statement;

  constructor(db: Db) {
    this.bump = db.prepare(`INSERT INTO edi_control_numbers (partner, kind, last) VALUES (?, ?, 1)
      ON CONFLICT (partner, kind) DO UPDATE SET last = last + 1 RETURNING last`).pluck(true);
  }

  next(partner: string, kind: 'interchange' | 'group' | 'transaction'): number {
    return this.bump.get(partner, kind) as number;
  }
}
