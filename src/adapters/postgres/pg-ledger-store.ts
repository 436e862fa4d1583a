/**
 * The shared inventory state on PostgreSQL (see ports/ledger-store.ts for the lock order).
 * Bulk statements take arrays (unnest) so a batch of a thousand events is a handful of round
 * trips, not thousands.
 */
import type pg from 'pg';
import type { Channel } from '../../model/catalog.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { LocationDef } from '../../domain/inventory/availability-book.js';
import type { StockPosition } from '../../domain/inventory/stock-position.js';
import type { ItemRecord, OvertakenCount, ParkedEvent, RecordedChange } from '../../ports/inventory-store.js';
import type {
  ChangeAppend,
  DeadEntry,
  FigureRow,
  InboxClaim,
  LedgerTransaction,
  PositionState,
  QueuedEntry,
  LedgerStore,
  StockHold,
} from '../../ports/ledger-store.js';
import { asUnavailable, type PgDatabase } from './pg-database.js';
import { PgOrderWrites } from './pg-order-store.js';

const SEP = '\u001f';
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class PgLedgerTransaction implements LedgerTransaction {
  readonly orders: PgOrderWrites;

  constructor(private readonly c: pg.PoolClient) {
    this.orders = new PgOrderWrites(c);
  }

  async claim(events: readonly InboxClaim[]): Promise<boolean[]> {
    // Sorted, so that two workers holding the same entries wait for each other in one order.
    const order = events.map((_, i) => i).sort((a, b) => byText(events[a]!.source + SEP + events[a]!.id, events[b]!.source + SEP + events[b]!.id));
    const ids = await this.c.query<{ source: string; id: string }>(
      `INSERT INTO applied_event_ids (source, id, position)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING RETURNING source, id`,
      [order.map((i) => events[i]!.source), order.map((i) => events[i]!.id), order.map((i) => events[i]!.position)],
    );
    const newIds = new Set(ids.rows.map((r) => r.source + SEP + r.id));
    // The first copy of an id in this batch is the one that counts.
    const byId = events.map((e) => newIds.delete(e.source + SEP + e.id));
    const candidates = events
      .map((_, i) => i)
      .filter((i) => byId[i])
      .sort((a, b) => byText(events[a]!.source, events[b]!.source) || events[a]!.seq - events[b]!.seq);
    if (candidates.length === 0) return byId;
    const seqs = await this.c.query<{ source: string; seq: string }>(
      `INSERT INTO applied_sequences (source, seq)
       SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING source, seq`,
      [candidates.map((i) => events[i]!.source), candidates.map((i) => events[i]!.seq)],
    );
    const newSeqs = new Set(seqs.rows.map((r) => r.source + SEP + r.seq));
    return events.map((e, i) => byId[i]! && newSeqs.delete(e.source + SEP + e.seq));
  }

  async lockItems(skus: readonly string[]): Promise<void> {
    const sorted = [...new Set(skus)].sort(byText);
    if (sorted.length === 0) return;
    await this.c.query('INSERT INTO items (sku) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [sorted]);
    await this.c.query('SELECT sku FROM items WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [sorted]);
  }

  async itemsState(
    skus: readonly string[],
  ): Promise<{ locations: LocationDef[]; channels: Channel[]; positions: PositionState[]; figures: FigureRow[]; reserved: StockHold[] }> {
    const { rows } = await this.c.query<{
      locations: LocationDef[];
      channels: Channel[];
      positions: PositionState[];
      figures: FigureRow[];
      reserved: StockHold[];
    }>(
      `SELECT
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name, 'authority', authority)), '[]') FROM locations) AS locations,
         (SELECT coalesce(jsonb_agg(rule ORDER BY id), '[]') FROM channels) AS channels,
         (SELECT coalesce(jsonb_agg(state), '[]') FROM stock_positions WHERE sku = ANY($1::text[])) AS positions,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', channel, 'sku', sku, 'available', available)), '[]') FROM channel_figures WHERE sku = ANY($1::text[])) AS figures,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('sku', sku, 'location', location, 'units', units)), '[]') FROM reserved_stock WHERE sku = ANY($1::text[]) AND units <> 0) AS reserved`,
      [skus],
    );
    return rows[0]!;
  }

  async skusAt(locations: readonly string[]): Promise<string[]> {
    const { rows } = await this.c.query<{ sku: string }>('SELECT DISTINCT sku FROM stock_positions WHERE location = ANY($1::text[])', [locations]);
    return rows.map((r) => r.sku);
  }

  async queueForLog(kind: 'holds', key: string, body: object): Promise<number> {
    const { rows } = await this.c.query<{ id: string }>('INSERT INTO log_outbox (kind, key, body) VALUES ($1, $2, $3::jsonb) RETURNING id', [
      kind,
      key,
      JSON.stringify(body),
    ]);
    return Number(rows[0]!.id);
  }

  async addHolds(holds: readonly (StockHold & { orderId: string })[]): Promise<void> {
    if (holds.length === 0) return;
    await this.c.query(
      `INSERT INTO stock_holds (order_id, sku, location, units)
       SELECT h->>'orderId', h->>'sku', h->>'location', sum((h->>'units')::bigint) FROM jsonb_array_elements($1::jsonb) h GROUP BY 1, 2, 3
       ON CONFLICT (order_id, sku, location) DO UPDATE SET units = stock_holds.units + EXCLUDED.units`,
      [JSON.stringify(holds)],
    );
    // One row per item x location, summed here: several holds of one batch may share it.
    await this.c.query(
      `INSERT INTO reserved_stock (sku, location, units)
       SELECT h->>'sku', h->>'location', sum((h->>'units')::bigint) FROM jsonb_array_elements($1::jsonb) h GROUP BY 1, 2
       ON CONFLICT (sku, location) DO UPDATE SET units = reserved_stock.units + EXCLUDED.units`,
      [JSON.stringify(holds)],
    );
  }

  async holdsOf(orderIds: readonly string[]): Promise<(StockHold & { orderId: string })[]> {
    const { rows } = await this.c.query<{ order_id: string; sku: string; location: string; units: string }>(
      'SELECT order_id, sku, location, units FROM stock_holds WHERE order_id = ANY($1::text[]) AND units <> 0 ORDER BY order_id, sku, location FOR UPDATE',
      [orderIds],
    );
    return rows.map((r) => ({ orderId: r.order_id, sku: r.sku, location: r.location, units: Number(r.units) }));
  }

  async skusPublished(channel: string): Promise<string[]> {
    const { rows } = await this.c.query<{ sku: string }>('SELECT sku FROM channel_figures WHERE channel = $1', [channel]);
    return rows.map((r) => r.sku);
  }

  async savePositions(positions: readonly StockPosition[]): Promise<void> {
    if (positions.length === 0) return;
    // One JSON document rather than a jsonb[] parameter: pg escapes every element of an array
    // parameter again, which cost more than the rest of the statement.
    await this.c.query(
      `INSERT INTO stock_positions (source, sku, location, state, dated_inbound)
       SELECT p->'s'->>'source', p->'s'->>'sku', p->'s'->>'location', p->'s', (p->>'d')::boolean FROM jsonb_array_elements($1::jsonb) p
       ON CONFLICT (sku, location, source) DO UPDATE SET state = EXCLUDED.state, dated_inbound = EXCLUDED.dated_inbound`,
      [JSON.stringify(positions.map((p) => ({ s: p.toJSON(), d: p.hasDatedInbound() })))],
    );
  }

  async skusWithDatedInbound(): Promise<string[]> {
    const { rows } = await this.c.query<{ sku: string }>('SELECT DISTINCT sku FROM stock_positions WHERE dated_inbound ORDER BY sku');
    return rows.map((r) => r.sku);
  }

  async appendChanges(appends: readonly ChangeAppend[]): Promise<void> {
    const sorted = [...appends].filter((a) => a.changes.length > 0).sort((a, b) => byText(a.channel, b.channel));
    if (sorted.length === 0) return;
    // One statement for every channel: the published figures (the last change per item wins),
    // the cursors (taken in channel order; each row is the last lock taken and is held only until
    // commit) and the feed rows numbered densely after each channel's cursor.
    await this.c.query(
      `WITH input AS (
         SELECT a->>'channel' AS channel, jsonb_array_length(a->'changes') AS n, (a->>'position')::bigint AS position, (a->>'at')::timestamptz AS at, a->'changes' AS changes
         FROM jsonb_array_elements($1::jsonb) a),
       figures AS (
         INSERT INTO channel_figures (channel, sku, available)
         SELECT DISTINCT ON (i.channel, ch->>'sku') i.channel, ch->>'sku', (ch->>'available')::bigint
         FROM input i, jsonb_array_elements(i.changes) WITH ORDINALITY AS t(ch, k) ORDER BY i.channel, ch->>'sku', k DESC
         ON CONFLICT (channel, sku) DO UPDATE SET available = EXCLUDED.available),
       cursors AS (
         INSERT INTO channel_cursors (channel, last) SELECT channel, n FROM input ORDER BY channel
         ON CONFLICT (channel) DO UPDATE SET last = channel_cursors.last + EXCLUDED.last RETURNING channel, last)
       INSERT INTO channel_changes (channel, cursor, sku, available, previous, position, at)
       SELECT i.channel, c.last - i.n + t.k, t.ch->>'sku', (t.ch->>'available')::bigint, (t.ch->>'previous')::bigint, i.position, i.at
       FROM input i JOIN cursors c USING (channel), jsonb_array_elements(i.changes) WITH ORDINALITY AS t(ch, k)`,
      [JSON.stringify(sorted)],
    );
  }

  async park(parked: readonly (ParkedEvent & { event: HubEvent })[]): Promise<void> {
    if (parked.length === 0) return;
    await this.c.query(
      `INSERT INTO parked_events (position, sku, location, reason, parked_at, event)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[]) ON CONFLICT DO NOTHING`,
      [
        parked.map((p) => p.position),
        parked.map((p) => p.sku),
        parked.map((p) => p.location),
        parked.map((p) => p.reason),
        parked.map((p) => p.parkedAt),
        parked.map((p) => JSON.stringify(p.event)),
      ],
    );
  }

  async recordOvertaken(counts: readonly OvertakenCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.c.query(
      "INSERT INTO overtaken_counts (position, record) SELECT (r->>'position')::bigint, r FROM jsonb_array_elements($1::jsonb) r ON CONFLICT DO NOTHING",
      [JSON.stringify(counts)],
    );
  }

  async unpark(location: string): Promise<{ position: number; event: HubEvent }[]> {
    const { rows } = await this.c.query<{ position: string; event: HubEvent }>('DELETE FROM parked_events WHERE location = $1 RETURNING position, event', [
      location,
    ]);
    return rows.map((r) => ({ position: Number(r.position), event: r.event })).sort((a, b) => a.position - b.position);
  }

  async saveLocation(def: LocationDef): Promise<void> {
    await this.c.query(
      'INSERT INTO locations (id, name, authority) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, authority = EXCLUDED.authority',
      [def.id, def.name, def.authority],
    );
  }

  async saveChannel(channel: Channel): Promise<void> {
    await this.c.query('INSERT INTO channels (id, rule) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE SET rule = EXCLUDED.rule', [
      channel.id,
      JSON.stringify(channel),
    ]);
  }

  async saveItem(item: ItemRecord): Promise<void> {
    await this.c.query(
      'INSERT INTO items (sku, description, uom) VALUES ($1, $2, $3) ON CONFLICT (sku) DO UPDATE SET description = EXCLUDED.description, uom = EXCLUDED.uom',
      [item.sku, item.description, item.uom],
    );
  }
}

export class PgLedgerStore implements LedgerStore {
  constructor(private readonly db: PgDatabase) {}

  eventBatch<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    return this.transaction('FOR SHARE', fn);
  }

  catalogChange<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    return this.transaction('FOR UPDATE', fn);
  }

  private async transaction<T>(catalogLock: 'FOR SHARE' | 'FOR UPDATE', fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    const client = await this.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT id FROM catalog_lock WHERE id = 1 ${catalogLock}`);
      const result = await fn(new PgLedgerTransaction(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw asUnavailable(err);
    } finally {
      client.release();
    }
  }

  async readChanges(channel: string, afterCursor: number, limit: number): Promise<RecordedChange[]> {
    const { rows } = await this.db.pool.query<{ cursor: string; sku: string; available: string; previous: string; position: string; at: Date }>(
      'SELECT cursor, sku, available, previous, position, at FROM channel_changes WHERE channel = $1 AND cursor > $2 ORDER BY cursor LIMIT $3',
      [channel, afterCursor, limit],
    );
    return rows.map((r) => ({
      channel,
      cursor: Number(r.cursor),
      sku: r.sku,
      available: Number(r.available),
      previous: Number(r.previous),
      position: Number(r.position),
      at: r.at.toISOString(),
    }));
  }

  async parkedEvents(location: string | undefined, limit: number): Promise<ParkedEvent[]> {
    // The event is kept as its log entry carried it: with its own correlation id, else its request's (publish-to-log.ts).
    const { rows } = await this.db.pool.query<{
      position: string;
      sku: string;
      location: string;
      reason: string;
      parked_at: Date;
      correlation_id: string | null;
    }>(
      `SELECT position, sku, location, reason, parked_at, event->>'correlationId' AS correlation_id
       FROM parked_events ${location === undefined ? '' : 'WHERE location = $2'} ORDER BY position LIMIT $1`,
      location === undefined ? [limit] : [limit, location],
    );
    return rows.map((r) => ({
      position: Number(r.position),
      sku: r.sku,
      location: r.location,
      reason: r.reason,
      parkedAt: r.parked_at.toISOString(),
      ...(r.correlation_id !== null ? { correlationId: r.correlation_id } : {}),
    }));
  }

  async overtakenCounts(afterPosition: number, limit: number): Promise<OvertakenCount[]> {
    const { rows } = await this.db.pool.query<{ record: OvertakenCount }>(
      'SELECT record FROM overtaken_counts WHERE position > $1 ORDER BY position LIMIT $2',
      [afterPosition, limit],
    );
    return rows.map((r) => r.record);
  }

  async figure(channel: string, sku: string): Promise<number> {
    const { rows } = await this.db.pool.query<{ available: string }>('SELECT available FROM channel_figures WHERE channel = $1 AND sku = $2', [channel, sku]);
    return rows.length === 0 ? 0 : Number(rows[0]!.available);
  }

  async relayToLog(limit: number, append: (entries: QueuedEntry[]) => Promise<void>): Promise<number> {
    const client = await this.db.pool.connect();
    try {
      await client.query('BEGIN');
      // SKIP LOCKED: relays in several processes take different entries rather than wait.
      const { rows } = await client.query<{ id: string; kind: 'holds'; key: string; body: object }>(
        'SELECT id, kind, key, body FROM log_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [limit],
      );
      if (rows.length > 0) {
        await append(rows.map((r) => ({ id: Number(r.id), kind: r.kind, key: r.key, body: r.body })));
        await client.query('DELETE FROM log_outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw asUnavailable(err);
    } finally {
      client.release();
    }
  }

  /** Entries queued for the log that no relay has appended yet. */
  async queuedForLog(): Promise<number> {
    const { rows } = await this.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM log_outbox');
    return Number(rows[0]!.n);
  }

  async deadLetter(entry: DeadEntry): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO dead_entries (position, kind, body, error, attempts, at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (position) DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, at = EXCLUDED.at`,
      [entry.position, entry.kind, entry.body, entry.error, entry.attempts, entry.at],
    );
  }

  async deadEntries(limit: number): Promise<DeadEntry[]> {
    const { rows } = await this.db.pool.query<{ position: string; kind: string; body: string; error: string; attempts: number; at: Date }>(
      'SELECT position, kind, body, error, attempts, at FROM dead_entries ORDER BY position LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ position: Number(r.position), kind: r.kind, body: r.body, error: r.error, attempts: r.attempts, at: r.at.toISOString() }));
  }

  async deadEntry(position: number): Promise<DeadEntry | undefined> {
    const { rows } = await this.db.pool.query<{ position: string; kind: string; body: string; error: string; attempts: number; at: Date }>(
      'SELECT position, kind, body, error, attempts, at FROM dead_entries WHERE position = $1',
      [position],
    );
    const r = rows[0];
    return r ? { position: Number(r.position), kind: r.kind, body: r.body, error: r.error, attempts: r.attempts, at: r.at.toISOString() } : undefined;
  }

  async forgetDeadEntry(position: number): Promise<void> {
    await this.db.pool.query('DELETE FROM dead_entries WHERE position = $1', [position]);
  }

  async close(): Promise<void> {
    await this.db.pool.end();
  }
}
