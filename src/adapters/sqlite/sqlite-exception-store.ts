/** The embedded ExceptionStore: one row per exception, filters as columns, the rest (history too) as JSON. */
import type { HubException } from '../../domain/exceptions/exception-rules.js';
import type { ExceptionChange, ExceptionFilter, ExceptionStore, NewException } from '../../ports/exception-store.js';
import type { Db } from './open-database.js';

interface Row {
  id: number;
  status: string;
  owner: string;
  record: string;
}

type Stored = Omit<HubException, 'id' | 'status' | 'owner'>;

const toException = (r: Row): HubException => ({ id: r.id, status: r.status as HubException['status'], owner: r.owner, ...(JSON.parse(r.record) as Stored) });

export class SqliteExceptionStore implements ExceptionStore {
  constructor(private readonly db: Db) {}

  open(problems: readonly NewException[]): HubException[] {
    const insert = this.db.prepare(
      `INSERT INTO exceptions (class, key, status, owner, group_key, entity, record) VALUES (?, ?, 'open', ?, ?, ?, ?)
       ON CONFLICT (class, key) DO NOTHING`,
    );
    const opened: number[] = [];
    this.db.transaction(() => {
      for (const p of problems) {
        const { opened: entry, owner, ...rest } = p;
        const record: Stored = { ...rest, updatedAt: entry.at, history: [entry] };
        const r = insert.run(p.class, p.key, owner, p.group, `${p.entity.kind}:${p.entity.id}`, JSON.stringify(record));
        if (r.changes === 1) opened.push(Number(r.lastInsertRowid));
      }
    })();
    return opened.map((id) => this.get(id)!);
  }

  known(cls: string, keys: readonly string[]): Set<string> {
    const found = new Set<string>();
    const select = this.db.prepare('SELECT key FROM exceptions WHERE class = ? AND key IN (SELECT value FROM json_each(?))').pluck(true);
    for (let i = 0; i < keys.length; i += 1000) {
      for (const k of select.all(cls, JSON.stringify(keys.slice(i, i + 1000))) as string[]) found.add(k);
    }
    return found;
  }

  live(): { id: number; class: string; key: string }[] {
    return this.db.prepare("SELECT id, class, key FROM exceptions WHERE status IN ('open', 'acknowledged') ORDER BY id").all() as {
      id: number;
      class: string;
      key: string;
    }[];
  }

  get(id: number): HubException | undefined {
    const row = this.db.prepare('SELECT id, status, owner, record FROM exceptions WHERE id = ?').get(id) as Row | undefined;
    return row ? toException(row) : undefined;
  }

  list(f: ExceptionFilter): HubException[] {
    const where = ['1 = 1'];
    const args: unknown[] = [];
    const eq = (column: string, value: unknown) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      args.push(value);
    };
    eq('status', f.status);
    eq('class', f.class);
    eq('owner', f.owner);
    eq('entity', f.entity);
    eq('group_key', f.group);
    if (f.beforeId !== undefined) {
      where.push('id < ?');
      args.push(f.beforeId);
    }
    const rows = this.db
      .prepare(`SELECT id, status, owner, record FROM exceptions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
      .all(...args, f.limit) as Row[];
    return rows.map(toException);
  }

  change(id: number, c: ExceptionChange): HubException | undefined {
    return this.db.transaction(() => {
      const current = this.get(id);
      if (!current || !c.whileStatus.includes(current.status)) return undefined;
      const { id: _, status: __, owner: ___, ...record } = current;
      const next: Stored = {
        ...record,
        ...(c.payload !== undefined ? { payload: c.payload } : {}),
        ...(c.error !== undefined ? { error: c.error } : {}),
        updatedAt: c.entry.at,
        history: [...record.history, c.entry],
      };
      this.db
        .prepare('UPDATE exceptions SET status = ?, owner = ?, record = ? WHERE id = ?')
        .run(c.status ?? current.status, c.owner ?? current.owner, JSON.stringify(next), id);
      return this.get(id);
    })();
  }
}
