/**
 * The embedded InventoryStore on SQLite. The hot path writes one log row per ingest (all its
 * events), one key per new event id (multi-row insert that returns only the keys not seen
 * before) and one change-feed row per channel; ledger state is checkpointed, not written per
 * event, and rebuilt from the log tail on start.
 */
import type { Statement } from 'better-sqlite3';
import type { HubEvent } from '../../model/hub-event.js';
import type {
  Checkpoint,
  FeedAppend,
  IngestRecord,
  InventoryStore,
  ItemRecord,
  LoggedEvent,
  OvertakenCount,
  ParkedEvent,
  RecordedChange,
  SavedCheckpoint,
} from '../../ports/inventory-store.js';
import type { Channel } from '../../model/catalog.js';
import type { LocationDef } from '../../domain/inventory/availability-book.js';
import { openDatabase, type Db } from './open-database.js';

const ID_CHUNK = 500;
const BATCH_CACHE = 16;

export class SqliteInventoryStore implements InventoryStore {
  readonly db: Db;
  private readonly insertIds: Statement;
  private readonly insertIdsTail = new Map<number, Statement>();
  private readonly insertBatch: Statement;
  private readonly insertChanges: Statement;
  private readonly insertParked: Statement;
  private readonly batchAt: Statement;
  private readonly batchesAfter: Statement;
  private readonly changesAfter: Statement;
  private readonly recentBatches = new Map<number, { first: number; events: HubEvent[] }>();
  private readonly cacheLimit = BATCH_CACHE;
  private head: number;

  constructor(dataDir: string) {
    this.db = openDatabase(dataDir);
    this.insertIds = this.db.prepare(idInsertSql(ID_CHUNK)).pluck(true);
    this.insertBatch = this.db.prepare('INSERT INTO log_batches (first_position, last_position, received_at, payload, accepted) VALUES (?, ?, ?, ?, ?)');
    this.insertChanges = this.db.prepare('INSERT INTO channel_changes (channel, last_cursor, first_cursor, changes) VALUES (?, ?, ?, ?)');
    this.insertParked = this.db.prepare(
      'INSERT OR IGNORE INTO parked_events (position, sku, location, reason, parked_at, correlation_id) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.batchAt = this.db.prepare('SELECT first_position, payload, accepted FROM log_batches WHERE first_position <= ? ORDER BY first_position DESC LIMIT 1');
    this.changesAfter = this.db.prepare(
      'SELECT first_cursor, last_cursor, changes FROM channel_changes WHERE channel = ? AND last_cursor > ? ORDER BY last_cursor LIMIT 32',
    );
    this.batchesAfter = this.db.prepare(
      'SELECT first_position, last_position, payload, accepted FROM log_batches WHERE last_position > ? ORDER BY first_position LIMIT ?',
    );
    const row = this.db.prepare('SELECT max(last_position) AS head FROM log_batches').get() as { head: number | null };
    this.head = row.head ?? 0;
  }

  commitIngest(candidateKeys: string[], decide: (newKeys: Set<string>) => IngestRecord | undefined): void {
    let newHead = this.head;
    this.db.transaction(() => {
      const fresh = new Set<string>();
      for (let i = 0; i < candidateKeys.length; i += ID_CHUNK) {
        const chunk = candidateKeys.slice(i, i + ID_CHUNK);
        const stmt = chunk.length === ID_CHUNK ? this.insertIds : this.idStatement(chunk.length);
        for (const key of stmt.all(chunk) as string[]) fresh.add(key);
      }
      const record = decide(fresh);
      if (!record) return;
      for (const b of record.batches) {
        if (b.count === 0) continue;
        const last = b.firstPosition + b.count - 1;
        this.insertBatch.run(b.firstPosition, last, record.receivedAt, b.payload, b.accepted ? JSON.stringify(b.accepted) : null);
        newHead = Math.max(newHead, last);
      }
      this.parkEvents(record.parked);
      this.recordOvertaken(record.overtaken);
      this.appendChanges(record.feed);
    })();
    this.head = newHead;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  headPosition(): number {
    return this.head;
  }

  readEvents(afterPosition: number, limit: number): LoggedEvent[] {
    const out: LoggedEvent[] = [];
    let cursor = afterPosition;
    for (;;) {
      const rows = this.batchesAfter.all(cursor, 64) as BatchRow[];
      if (rows.length === 0) return out;
      for (const row of rows) {
        const events = acceptedEvents(row);
        for (let i = 0; i < events.length; i++) {
          const position = row.first_position + i;
          if (position <= afterPosition) continue;
          out.push({ position, event: events[i]! });
          if (out.length >= limit) return out;
        }
        cursor = row.last_position;
      }
    }
  }

  eventAt(position: number): HubEvent | undefined {
    for (const cached of this.recentBatches.values()) {
      if (position >= cached.first && position < cached.first + cached.events.length) return cached.events[position - cached.first];
    }
    const row = this.batchAt.get(position) as BatchRow | undefined;
    if (!row) return undefined;
    const events = acceptedEvents(row);
    if (this.recentBatches.size >= this.cacheLimit) this.recentBatches.delete(this.recentBatches.keys().next().value!);
    this.recentBatches.set(row.first_position, { first: row.first_position, events });
    return events[position - row.first_position];
  }

  parkEvents(parked: ParkedEvent[]): void {
    for (const p of parked) this.insertParked.run(p.position, p.sku, p.location, p.reason, p.parkedAt, p.correlationId ?? null);
  }

  parkedEvents(location?: string, limit = 1000): ParkedEvent[] {
    const rows =
      location === undefined
        ? this.db.prepare('SELECT * FROM parked_events ORDER BY position LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM parked_events WHERE location = ? ORDER BY position LIMIT ?').all(location, limit);
    return (rows as { position: number; sku: string; location: string; reason: string; parked_at: string; correlation_id: string | null }[]).map((r) => ({
      position: r.position,
      sku: r.sku,
      location: r.location,
      reason: r.reason,
      parkedAt: r.parked_at,
      ...(r.correlation_id !== null ? { correlationId: r.correlation_id } : {}),
    }));
  }

  unparkLocation(location: string): ParkedEvent[] {
    const parked = this.parkedEvents(location, Number.MAX_SAFE_INTEGER);
    this.db.prepare('DELETE FROM parked_events WHERE location = ?').run(location);
    return parked;
  }

  recordOvertaken(counts: readonly OvertakenCount[]): void {
    if (counts.length === 0) return;
    const insert = this.db.prepare('INSERT OR IGNORE INTO overtaken_counts (position, record) VALUES (?, ?)');
    for (const c of counts) insert.run(c.position, JSON.stringify(c));
  }

  overtakenCounts(afterPosition: number, limit: number): OvertakenCount[] {
    const rows = this.db.prepare('SELECT record FROM overtaken_counts WHERE position > ? ORDER BY position LIMIT ?').all(afterPosition, limit) as {
      record: string;
    }[];
    return rows.map((r) => JSON.parse(r.record) as OvertakenCount);
  }

  appendChanges(feed: FeedAppend[]): void {
    for (const f of feed) {
      if (f.changes.length === 0) continue;
      const flat: (string | number)[] = new Array(f.changes.length * 3);
      let k = 0;
      for (const c of f.changes) {
        flat[k++] = c.sku;
        flat[k++] = c.available;
        flat[k++] = c.previous;
      }
      this.insertChanges.run(f.channel, f.firstCursor + f.changes.length - 1, f.firstCursor, JSON.stringify({ position: f.position, at: f.at, changes: flat }));
    }
  }

  readChanges(channel: string, afterCursor: number, limit: number): RecordedChange[] {
    const out: RecordedChange[] = [];
    const stmt = this.changesAfter;
    let cursor = afterCursor;
    for (;;) {
      const rows = stmt.all(channel, cursor) as { first_cursor: number; last_cursor: number; changes: string }[];
      if (rows.length === 0) return out;
      for (const row of rows) {
        const { position, at, changes } = JSON.parse(row.changes) as { position: number; at: string; changes: (string | number)[] };
        for (let i = 0; i < changes.length; i += 3) {
          const c = row.first_cursor + i / 3;
          if (c <= afterCursor) continue;
          out.push({ channel, cursor: c, sku: changes[i] as string, available: changes[i + 1] as number, previous: changes[i + 2] as number, position, at });
          if (out.length >= limit) return out;
        }
        cursor = row.last_cursor;
      }
    }
  }

  lastCursors(): Record<string, number> {
    const rows = this.db.prepare('SELECT channel, max(last_cursor) AS c FROM channel_changes GROUP BY channel').all() as { channel: string; c: number }[];
    return Object.fromEntries(rows.map((r) => [r.channel, r.c]));
  }

  saveCheckpoint(c: Checkpoint): void {
    this.db.transaction(() => {
      const pos = this.db.prepare('INSERT OR REPLACE INTO stock_positions (key, state) VALUES (?, ?)');
      for (const p of c.positions) pos.run(p.key, p.state);
      const seq = this.db.prepare('INSERT OR REPLACE INTO source_sequences (source, spans) VALUES (?, ?)');
      for (const s of c.sequences) seq.run(s.source, JSON.stringify(s.spans));
      const fig = this.db.prepare('INSERT OR REPLACE INTO channel_figures (channel, sku, available) VALUES (?, ?, ?)');
      const del = this.db.prepare('DELETE FROM channel_figures WHERE channel = ? AND sku = ?');
      for (const f of c.figures) {
        if (f.available === 0) del.run(f.channel, f.sku);
        else fig.run(f.channel, f.sku, f.available);
      }
      this.db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('checkpoint', ?)")
        .run(JSON.stringify({ position: c.position, feedCursors: c.feedCursors }));
    })();
  }

  loadCheckpoint(): SavedCheckpoint {
    const meta = this.db.prepare("SELECT value FROM meta WHERE key = 'checkpoint'").get() as { value: string } | undefined;
    const saved = meta ? (JSON.parse(meta.value) as { position: number; feedCursors: Record<string, number> }) : { position: 0, feedCursors: {} };
    const db = this.db;
    return {
      position: saved.position,
      feedCursors: saved.feedCursors,
      positions: (function* () {
        for (const r of db.prepare('SELECT state FROM stock_positions').iterate() as Iterable<{ state: string }>) yield r.state;
      })(),
      sequences: (db.prepare('SELECT source, spans FROM source_sequences').all() as { source: string; spans: string }[]).map((r) => ({
        source: r.source,
        spans: JSON.parse(r.spans) as number[],
      })),
      figures: db.prepare('SELECT channel, sku, available FROM channel_figures').iterate() as Iterable<{ channel: string; sku: string; available: number }>,
    };
  }

  saveLocation(def: LocationDef): void {
    this.db.prepare('INSERT OR REPLACE INTO locations (id, name, authority) VALUES (?, ?, ?)').run(def.id, def.name, def.authority);
  }

  loadLocations(): LocationDef[] {
    return this.db.prepare('SELECT id, name, authority FROM locations ORDER BY id').all() as LocationDef[];
  }

  saveChannel(channel: Channel): void {
    this.db.prepare('INSERT OR REPLACE INTO channels (id, rule) VALUES (?, ?)').run(channel.id, JSON.stringify(channel));
  }

  loadChannels(): Channel[] {
    return (this.db.prepare('SELECT rule FROM channels ORDER BY id').all() as { rule: string }[]).map((r) => JSON.parse(r.rule));
  }

  saveItem(item: ItemRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO items (sku, description, uom) VALUES (?, ?, ?)').run(item.sku, item.description, item.uom);
  }

  loadItems(): ItemRecord[] {
    return this.db.prepare('SELECT sku, description, uom FROM items').all() as ItemRecord[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private idStatement(n: number): Statement {
    let stmt = this.insertIdsTail.get(n);
    if (!stmt) {
      stmt = this.db.prepare(idInsertSql(n)).pluck(true);
      this.insertIdsTail.set(n, stmt);
    }
    return stmt;
  }
}

interface BatchRow {
  first_position: number;
  last_position: number;
  payload: string;
  accepted: string | null;
}

function acceptedEvents(row: BatchRow): HubEvent[] {
  const all = JSON.parse(row.payload) as HubEvent[];
  if (row.accepted === null) return all;
  return (JSON.parse(row.accepted) as number[]).map((i) => all[i]!);
}

function idInsertSql(n: number): string {
  return `INSERT OR IGNORE INTO event_ids (key) VALUES ${'(?),'.repeat(n - 1)}(?) RETURNING key`;
}
