/**
 * Opens the embedded database under the data directory with the settings durability needs
 * (WAL, synchronous=FULL: an acknowledged batch survives power loss) and brings the schema up to
 * date. Migrations are idempotent and numbered; each runs once in its own transaction.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnsafeDurabilityError } from '../durability-settings.js';

export type Db = Database.Database;

/**
 * A column added to a table that exists: SQLite has no ADD COLUMN IF NOT EXISTS, so the runner
 * looks first, and the migration stays safe to run again like the others.
 */
interface AddedColumn {
  note: string;
  table: string;
  /** The column's name and definition, as ALTER TABLE takes them. */
  addColumn: string;
}

export type Migration = string | AddedColumn;

/** What a migration says, for finding one by a word it contains. */
export function migrationText(m: Migration): string {
  return typeof m === 'string' ? m : `${m.note} ${m.table} ${m.addColumn}`;
}

export const MIGRATIONS: Migration[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   -- The event log: each submission's payload as it arrived; its accepted events (all, or those listed
   -- in accepted) hold positions first_position..last_position in order.
   CREATE TABLE log_batches (first_position INTEGER PRIMARY KEY, last_position INTEGER NOT NULL, received_at TEXT NOT NULL, payload TEXT NOT NULL, accepted TEXT);
   -- source + id of every accepted event, for duplicate detection by id.
   CREATE TABLE event_ids (key TEXT PRIMARY KEY) WITHOUT ROWID;
   CREATE TABLE parked_events (position INTEGER PRIMARY KEY, sku TEXT NOT NULL, location TEXT NOT NULL, reason TEXT NOT NULL, parked_at TEXT NOT NULL);
   CREATE INDEX parked_events_by_location ON parked_events(location, position);
   -- The change feed: per channel, one row per commit: {position, at, changes: [sku, available, previous, ...]}
   -- for cursors first_cursor..last_cursor.
   CREATE TABLE channel_changes (channel TEXT NOT NULL, last_cursor INTEGER NOT NULL, first_cursor INTEGER NOT NULL, changes TEXT NOT NULL, PRIMARY KEY (channel, last_cursor)) WITHOUT ROWID;
   -- Checkpoint of the in-memory ledger and published figures, as of meta.checkpoint.
   CREATE TABLE stock_positions (key TEXT PRIMARY KEY, state TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE source_sequences (source TEXT PRIMARY KEY, spans TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE channel_figures (channel TEXT NOT NULL, sku TEXT NOT NULL, available INTEGER NOT NULL, PRIMARY KEY (channel, sku)) WITHOUT ROWID;
   CREATE TABLE locations (id TEXT PRIMARY KEY, name TEXT NOT NULL, authority TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE channels (id TEXT PRIMARY KEY, rule TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE items (sku TEXT PRIMARY KEY, description TEXT NOT NULL, uom TEXT NOT NULL) WITHOUT ROWID;`,
  `CREATE TABLE customers (id TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;`,
  `-- Orders as facts (JSON); open = 1 while the order holds stock, owes units or waits for the ERP.
   CREATE TABLE orders (id TEXT PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL, status TEXT NOT NULL, open INTEGER NOT NULL, updated_at TEXT NOT NULL, state TEXT NOT NULL);
   CREATE INDEX orders_open ON orders(open) WHERE open = 1;
   CREATE TABLE order_refs (channel TEXT NOT NULL, external_id TEXT NOT NULL, order_id TEXT NOT NULL, PRIMARY KEY (channel, external_id)) WITHOUT ROWID;
   CREATE TABLE order_timeline (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, entry TEXT NOT NULL);
   CREATE INDEX order_timeline_by_order ON order_timeline(order_id, id);
   -- The transactional outbox: messages for other systems, written with the state change that caused them.
   CREATE TABLE outbox (id INTEGER PRIMARY KEY, destination TEXT NOT NULL, topic TEXT NOT NULL, lane TEXT NOT NULL, message_key TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE INDEX outbox_by_destination ON outbox(destination, id);
   CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, order_id TEXT NOT NULL, status_code INTEGER, response TEXT, created_at TEXT NOT NULL) WITHOUT ROWID;
   CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
   CREATE TABLE waiting_order_events (position INTEGER PRIMARY KEY, order_id TEXT NOT NULL, record TEXT NOT NULL);
   CREATE TABLE order_exceptions (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, record TEXT NOT NULL);`,
  `-- How far each destination's lanes have delivered (an outbox id or a change-feed cursor).
   CREATE TABLE delivery_cursors (destination TEXT NOT NULL, lane TEXT NOT NULL, cursor INTEGER NOT NULL, PRIMARY KEY (destination, lane)) WITHOUT ROWID;
   CREATE TABLE dead_letters (id INTEGER PRIMARY KEY, destination TEXT NOT NULL, lane TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL);
   CREATE INDEX dead_letters_by_status ON dead_letters(status, destination, id);`,
  `-- Inbound messages that could not be taken, kept whole with their reason until replayed.
   CREATE TABLE inbound_parked (id INTEGER PRIMARY KEY, system TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL);
   CREATE INDEX inbound_parked_by_status ON inbound_parked(status, system, id);`,
  `CREATE TABLE edi_control_numbers (partner TEXT NOT NULL, kind TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (partner, kind)) WITHOUT ROWID;`,
  `-- Which order shipped under a tracking number (carriers name parcels, not orders); filled from
   -- the orders already stored, a later order taking a reused number (as the order store does).
   CREATE TABLE order_tracking (tracking_number TEXT PRIMARY KEY, order_id TEXT NOT NULL) WITHOUT ROWID;
   INSERT OR REPLACE INTO order_tracking (tracking_number, order_id)
     SELECT number, id FROM (
       SELECT o.id AS id, o.rowid AS capture, CASE
         WHEN json_type(s.value, '$.tracking') = 'text' THEN json_extract(s.value, '$.tracking')
         WHEN json_type(s.value, '$.tracking.number') = 'text' THEN json_extract(s.value, '$.tracking.number') END AS number
       FROM orders o, json_each(o.state, '$.shipments') s)
     WHERE number IS NOT NULL ORDER BY capture;`,
  `-- Order listings (GET /v1/orders): newest first by capture instant then id, optionally for one
   -- channel, customer or status; filled from the orders already stored.
   ALTER TABLE orders ADD COLUMN customer TEXT NOT NULL DEFAULT '';
   ALTER TABLE orders ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
   UPDATE orders SET customer = json_extract(state, '$.customer'),
     created_at = strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(state, '$.createdAt'));
   CREATE INDEX orders_by_age ON orders(created_at, id);
   CREATE INDEX orders_by_channel ON orders(channel, created_at, id);
   CREATE INDEX orders_by_customer ON orders(customer, created_at, id);
   CREATE INDEX orders_by_status ON orders(status, created_at, id);`,
  `-- Counts that came after more of their source's later movements than the ledger keeps (one per snapshot).
   CREATE TABLE IF NOT EXISTS overtaken_counts (position INTEGER PRIMARY KEY, record TEXT NOT NULL);`,
  `-- (Idempotent: tests that roll a database back to an older version run the later migrations again.)
   -- Cross-references: another system's id of an item, customer or location under a scheme, to the hub's id.
   CREATE TABLE IF NOT EXISTS xrefs (kind TEXT NOT NULL, system TEXT NOT NULL, scheme TEXT NOT NULL, external TEXT NOT NULL, id TEXT NOT NULL, ship_to TEXT,
     PRIMARY KEY (kind, system, scheme, external)) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS xrefs_by_id ON xrefs(kind, system, id);
   -- Unit conversions of an item (system ''), and per partner: base units per unit.
   CREATE TABLE IF NOT EXISTS item_units (sku TEXT NOT NULL, system TEXT NOT NULL, units TEXT NOT NULL, PRIMARY KEY (sku, system)) WITHOUT ROWID;`,
  `-- API keys created through the API: the key's digest, never the key (docs/REFERENCE.md "API keys").
   CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE, record TEXT NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID;`,
  `-- Webhook ids already received per system, so a webhook delivered again is taken once.
   CREATE TABLE IF NOT EXISTS webhook_receipts (system TEXT NOT NULL, webhook_id TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (system, webhook_id)) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS webhook_receipts_by_age ON webhook_receipts(received_at);`,
  `-- (Safe to run again.) The exception queue: one row per problem a source reported (class + key), its history in the record.
   CREATE TABLE IF NOT EXISTS exceptions (id INTEGER PRIMARY KEY, class TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL,
     group_key TEXT NOT NULL, entity TEXT NOT NULL, record TEXT NOT NULL, UNIQUE (class, key));
   CREATE INDEX IF NOT EXISTS exceptions_by_status ON exceptions(status, id);
   CREATE INDEX IF NOT EXISTS exceptions_by_group ON exceptions(group_key, id);
   -- The audit trail: append-only, dropped only by age.
   CREATE TABLE IF NOT EXISTS audit_trail (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, entity TEXT, record TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS audit_trail_by_age ON audit_trail(at);`,
  `-- (Safe to run again.) sla_alerts: what SLA webhooks are owed, one row per breach exception, kind (breach, resolved) and webhook, until delivered.
   CREATE TABLE IF NOT EXISTS sla_alerts (id INTEGER PRIMARY KEY, exception_id INTEGER NOT NULL, kind TEXT NOT NULL, webhook TEXT NOT NULL, body TEXT NOT NULL,
     attempts INTEGER NOT NULL, next_at TEXT NOT NULL, delivered_at TEXT, last_error TEXT, created_at TEXT NOT NULL, UNIQUE (exception_id, kind, webhook));
   CREATE INDEX IF NOT EXISTS sla_alerts_due ON sla_alerts(delivered_at, next_at);`,
  {
    note: 'outbox_correlation_id: the correlation id of the request or event that wrote a message, sent on with it.',
    table: 'outbox',
    addColumn: 'correlation_id TEXT',
  },
  `-- EDI interchanges taken per partner and sender (ISA05:ISA06, ISA13), so one sent again is a duplicate;
   -- and what the hub sent under each group and transaction number, so a partner's 997 finds its document.
   CREATE TABLE IF NOT EXISTS edi_interchanges_received (partner TEXT NOT NULL, sender TEXT NOT NULL, control TEXT NOT NULL, received_at TEXT NOT NULL,
     PRIMARY KEY (partner, sender, control)) WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS edi_transactions_sent (partner TEXT NOT NULL, group_control INTEGER NOT NULL, transaction_control INTEGER NOT NULL,
     interchange_control INTEGER NOT NULL, functional_id TEXT NOT NULL, set_id TEXT NOT NULL, document TEXT NOT NULL, sent_at TEXT NOT NULL,
     PRIMARY KEY (partner, group_control, transaction_control)) WITHOUT ROWID;`,
  {
    note: 'parked_events_correlation_id: the correlation id of the event, else of the request that submitted it, for its exception.',
    table: 'parked_events',
    addColumn: 'correlation_id TEXT',
  },
  `-- (Idempotent.) partner_order_lines: an EDI partner's own lines of each order it sent (850 PO1: line number, unit,
   -- qualifiers and ids), as JSON, so the 856 and 810 answering the order echo them. Kept as long as orders are.
   CREATE TABLE IF NOT EXISTS partner_order_lines (order_id TEXT PRIMARY KEY, system TEXT NOT NULL, lines TEXT NOT NULL, kept_at TEXT NOT NULL) WITHOUT ROWID;`,
];

export function openDatabase(dataDir: string, file = 'crossdock.db'): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, file));
  // Larger pages suit the log's big batch rows (measured ~15% less time per batch commit than
  // 4 KiB). Only takes effect on a new, empty database, so it must come before WAL mode.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  try {
    requireDurableSettings(db, join(dataDir, file));
  } catch (err) {
    db.close();
    throw err;
  }
  migrate(db);
  return db;
}

/** SQLite ignores a journal mode it cannot use (WAL on some network file systems): read both settings back. */
export function requireDurableSettings(db: Db, where: string): void {
  const journal = String(db.pragma('journal_mode', { simple: true }));
  if (journal !== 'wal') throw new UnsafeDurabilityError(where, 'journal_mode', journal, 'wal');
  // 2 is FULL: the WAL is fsynced at every commit.
  const synchronous = Number(db.pragma('synchronous', { simple: true }));
  if (synchronous !== 2) throw new UnsafeDurabilityError(where, 'synchronous', String(synchronous), '2 (FULL)');
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      apply(db, MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

function apply(db: Db, m: Migration): void {
  if (typeof m === 'string') {
    db.exec(m);
    return;
  }
  const column = m.addColumn.split(/\s+/)[0]!;
  const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(m.table) as string[];
  if (!columns.includes(column)) db.exec(`ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
}
