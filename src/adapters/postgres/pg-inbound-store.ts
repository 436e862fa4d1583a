/** Parked inbound messages on the scale-out backend: one row per message, the record as JSON. */
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import type { InboundStore, ParkedInbound, ParkedInboundStatus } from '../../ports/inbound-store.js';
import type { PgDatabase } from './pg-database.js';

interface Row {
  id: string;
  status: ParkedInboundStatus;
  record: Omit<ParkedInbound, 'id' | 'status'>;
}

const toParked = (r: Row): ParkedInbound => ({ id: Number(r.id), status: r.status, ...r.record });

export class PgInboundStore implements InboundStore {
  constructor(private readonly db: PgDatabase) {}

  async park(p: Omit<ParkedInbound, 'id' | 'status'>): Promise<number> {
    const { rows } = await this.db.pool.query<{ id: string }>(
      "INSERT INTO inbound_parked (system, status, record) VALUES ($1, 'parked', $2::jsonb) RETURNING id",
      [p.system, JSON.stringify(p)],
    );
    return Number(rows[0]!.id);
  }

  async parked(f: { system?: string; status?: ParkedInboundStatus; afterId?: number; limit: number }): Promise<ParkedInbound[]> {
    const { rows } = await this.db.pool.query<Row>(
      'SELECT id, status, record FROM inbound_parked WHERE id > $1 AND ($2::text IS NULL OR system = $2) AND ($3::text IS NULL OR status = $3) ORDER BY id LIMIT $4',
      [f.afterId ?? 0, f.system ?? null, f.status ?? null, f.limit],
    );
    return rows.map(toParked);
  }

  async get(id: number): Promise<ParkedInbound | undefined> {
    const { rows } = await this.db.pool.query<Row>('SELECT id, status, record FROM inbound_parked WHERE id = $1', [id]);
    return rows[0] ? toParked(rows[0]) : undefined;
  }

  async update(
    id: number,
    change: { status?: ParkedInboundStatus; reason?: string; errors?: ParkedInbound['errors']; outcome?: string; unknownReferences?: XrefKey[]; body?: string },
  ): Promise<void> {
    // One statement, so two processes replaying at once cannot lose each other's change.
    const patch = {
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(change.errors ? { errors: change.errors } : {}),
      ...(change.outcome !== undefined ? { outcome: change.outcome } : {}),
      ...(change.unknownReferences ? { unknownReferences: change.unknownReferences } : {}),
      ...(change.body !== undefined ? { body: change.body } : {}),
    };
    await this.db.pool.query('UPDATE inbound_parked SET status = coalesce($2, status), record = record || $3::jsonb WHERE id = $1', [
      id,
      change.status ?? null,
      JSON.stringify(patch),
    ]);
  }
}
