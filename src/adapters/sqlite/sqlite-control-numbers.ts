/** Control numbers in the hub's SQLite database: one counter row per partner and kind, incremented in place. */
import type { Statement } from 'better-sqlite3';
import { allocateEach, type ControlNumbers } from '../../ports/control-numbers.js';
import type { Db } from './open-database.js';

export class SqliteControlNumbers implements ControlNumbers {
  private readonly bump: Statement;

  constructor(db: Db) {
    this.bump = db
      .prepare(`INSERT INTO edi_control_numbers (partner, kind, last) VALUES (?, ?, 1)
      ON CONFLICT (partner, kind) DO UPDATE SET last = last + 1 RETURNING last`)
      .pluck(true);
  }

  async allocate(partner: string, groups: readonly number[]): Promise<{ interchange: number; groups: number[]; transactions: number[][] }> {
    const next = (kind: string) => this.bump.get(partner, kind) as number;
    return allocateEach(next, groups);
  }
}
