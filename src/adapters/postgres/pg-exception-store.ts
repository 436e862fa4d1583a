/**
 * The scale-out ExceptionStore: one row per exception, filters as columns, the rest (history too)
 * as JSONB. Every process reconciles; the (class, key) constraint opens a problem once, and a
 * change applies in one statement guarded by the status, so two processes never both resolve one.
 */
import type { HubException } from '../../domain/exceptions/exception-rules.js';
import type { ExceptionChange, ExceptionFilter, ExceptionStore, NewException } from '../../ports/exception-store.js';
import type { PgDatabase } from './pg-database.js';

interface Row {
  id: string;
  status: HubException['status'];
  owner: string;
  record: Omit<HubException, 'id' | 'status' | 'owner'>;
}

const toException = (r: Row): HubException => ({ id: Number(r.id), status: r.status, owner: r.owner, ...r.record });

export class PgExceptionStore implements ExceptionStore {
  constructor(private readonly db: PgDatabase) {}

  async open(problems: readonly NewException[]): Promise<HubException[]> {
    if (problems.length === 0) return [];
    const rows = problems.map((p) => {
      const { opened: entry, owner, ...rest } = p;
      return {
        class: p.class,
        key: p.key,
        owner,
        group: p.group,
        entity: `${p.entity.kind}:${p.entity.id}`,
        record: { ...rest, updatedAt: entry.at, history: [entry] },
      };
    });
    const { rows: opened } = await this.db.pool.query<Row>(
      `INSERT INTO exceptions (class, key, status, owner, group_key, entity, record)
       SELECT r.class, r.key, 'open', r.owner, r.group, r.entity, r.record FROM jsonb_to_recordset($1::jsonb)
         AS r(class TEXT, key TEXT, owner TEXT, "group" TEXT, entity TEXT, record JSONB)
       ON CONFLICT (class, key) DO NOTHING RETURNING id, status, owner, record`,
      [JSON.stringify(rows)],
    );
    return opened.map(toException);
  }

  async known(cls: string, keys: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.db.pool.query<{ key: string }>('SELECT key FROM exceptions WHERE class = $1 AND key = ANY($2::text[])', [cls, keys]);
    return new Set(rows.map((r) => r.key));
  }

  async live(): Promise<{ id: number; class: string; key: string }[]> {
    const { rows } = await this.db.pool.query<{ id: string; class: string; key: string }>(
      "SELECT id, class, key FROM exceptions WHERE status IN ('open', 'acknowledged') ORDER BY id",
    );
    return rows.map((r) => ({ id: Number(r.id), class: r.class, key: r.key }));
  }

  async get(id: number): Promise<HubException | undefined> {
    const { rows } = await this.db.pool.query<Row>('SELECT id, status, owner, record FROM exceptions WHERE id = $1', [id]);
    return rows[0] ? toException(rows[0]) : undefined;
  }

  async list(f: ExceptionFilter): Promise<HubException[]> {
    const { rows } = await this.db.pool.query<Row>(
      `SELECT id, status, owner, record FROM exceptions
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR class = $2) AND ($3::text IS NULL OR owner = $3)
         AND ($4::text IS NULL OR entity = $4) AND ($5::text IS NULL OR group_key = $5) AND ($6::bigint IS NULL OR id < $6)
       ORDER BY id DESC LIMIT $7`,
      [f.status ?? null, f.class ?? null, f.owner ?? null, f.entity ?? null, f.group ?? null, f.beforeId ?? null, f.limit],
    );
    return rows.map(toException);
  }

  async change(id: number, c: ExceptionChange): Promise<HubException | undefined> {
    const patch = {
      ...(c.payload !== undefined ? { payload: c.payload } : {}),
      ...(c.error !== undefined ? { error: c.error } : {}),
      updatedAt: c.entry.at,
    };
    const { rows } = await this.db.pool.query<Row>(
      `UPDATE exceptions SET status = coalesce($2, status), owner = coalesce($3, owner),
         record = jsonb_set(record || $4::jsonb, '{history}', (record->'history') || jsonb_build_array($5::jsonb))
       WHERE id = $1 AND status = ANY($6::text[]) RETURNING id, status, owner, record`,
      [id, c.status ?? null, c.owner ?? null, JSON.stringify(patch), JSON.stringify(c.entry), c.whileStatus],
    );
    return rows[0] ? toException(rows[0]) : undefined;
  }
}
