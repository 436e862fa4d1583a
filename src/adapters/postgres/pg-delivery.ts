/**
 * Delivery on the scale-out backend: the delivery ledger (cursors and dead letters) in
 * PostgreSQL, the channels' change feeds read from the shared state, and destination leases as
 * session advisory locks, which PostgreSQL releases by itself when their holder's connection ends
 * (a worker that dies loses its leases at once, with nothing to clean up).
 */
import pg from 'pg';
import type { DeadLetter, DeadLetterStatus, DeliveryLedger, Lane } from '../../ports/delivery-store.js';
import type { DestinationLeases, Lease } from '../../ports/destination-leases.js';
import type { PgDatabase } from './pg-database.js';

export class PgDeliveryLedger implements DeliveryLedger {
  constructor(private readonly db: PgDatabase) {}

  async cursor(destination: string, lane: Lane): Promise<number> {
    const { rows } = await this.db.pool.query<{ cursor: string }>('SELECT cursor FROM delivery_cursors WHERE destination = $1 AND lane = $2', [
      destination,
      lane,
    ]);
    return rows.length === 0 ? 0 : Number(rows[0]!.cursor);
  }

  async saveCursor(destination: string, lane: Lane, cursor: number): Promise<void> {
    await this.db.pool.query(
      'INSERT INTO delivery_cursors (destination, lane, cursor) VALUES ($1, $2, $3) ON CONFLICT (destination, lane) DO UPDATE SET cursor = EXCLUDED.cursor',
      [destination, lane, cursor],
    );
  }

  async addDeadLetter(d: Omit<DeadLetter, 'id' | 'status'>): Promise<number> {
    const { rows } = await this.db.pool.query<{ id: string }>(
      'INSERT INTO dead_letters (destination, lane, status, record) VALUES ($1, $2, $3, $4::jsonb) RETURNING id',
      [d.destination, d.lane, 'dead', JSON.stringify(d)],
    );
    return Number(rows[0]!.id);
  }

  async deadLetters(f: { destination?: string; status?: DeadLetterStatus; afterId?: number; limit: number }): Promise<DeadLetter[]> {
    const where = ['id > $1'];
    const args: unknown[] = [f.afterId ?? 0];
    if (f.destination !== undefined) {
      args.push(f.destination);
      where.push(`destination = $${args.length}`);
    }
    if (f.status !== undefined) {
      args.push(f.status);
      where.push(`status = $${args.length}`);
    }
    args.push(f.limit);
    const { rows } = await this.db.pool.query<{ id: string; status: DeadLetterStatus; record: Omit<DeadLetter, 'id' | 'status'> }>(
      `SELECT id, status, record FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${args.length}`,
      args,
    );
    return rows.map((r) => ({ id: Number(r.id), status: r.status, ...r.record }));
  }

  async deadLetter(id: number): Promise<DeadLetter | undefined> {
    const { rows } = await this.db.pool.query<{ id: string; status: DeadLetterStatus; record: Omit<DeadLetter, 'id' | 'status'> }>(
      'SELECT id, status, record FROM dead_letters WHERE id = $1',
      [id],
    );
    return rows[0] ? { id: Number(rows[0].id), status: rows[0].status, ...rows[0].record } : undefined;
  }

  async setDeadLetterStatus(id: number, status: DeadLetterStatus, note?: string, attempts?: number, lastError?: string): Promise<void> {
    const patch = {
      ...(note !== undefined ? { note } : {}),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(lastError !== undefined ? { lastError } : {}),
    };
    await this.db.pool.query('UPDATE dead_letters SET status = $2, record = record || $3::jsonb WHERE id = $1', [id, status, JSON.stringify(patch)]);
  }
}

/** Leases as advisory locks held on one dedicated connection per process. */
export class PgDestinationLeases implements DestinationLeases {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private lostSignal: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly url: string,
    private readonly namespace: string,
  ) {}

  private async connection(): Promise<{ client: pg.Client; lost: Promise<void> }> {
    if (!this.client) {
      this.connecting ??= (async () => {
        const client = new pg.Client({ connectionString: this.url, application_name: `crossdock ${this.namespace} leases` });
        let resolve!: () => void;
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        this.lostSignal = { promise, resolve };
        // Whatever ends the connection ends every lease held on it.
        const lose = () => {
          if (this.client === client) this.client = undefined;
          resolve();
        };
        client.on('error', lose);
        client.on('end', lose);
        await client.connect();
        this.client = client;
        return client;
      })().finally(() => {
        this.connecting = undefined;
      });
      await this.connecting;
    }
    return { client: this.client!, lost: this.lostSignal!.promise };
  }

  async tryAcquire(destination: string): Promise<Lease | undefined> {
    const { client, lost } = await this.connection();
    const key = `crossdock:${this.namespace}:deliver:${destination}`;
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [key]);
    if (!rows[0]?.held) return undefined;
    return {
      lost,
      release: async () => {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
