/**
 * Opens the scale-out database: a pool whose connections work in the namespace's own schema (so
 * several hubs can share one server), and the schema brought up to date. Migrations are numbered
 * and run under an advisory lock, each in its own transaction, so any number of processes may
 * start at once and a second run changes nothing.
 */
import pg from 'pg';
import { DatabaseUnavailableError } from '../../domain/errors.js';
import { UnsafeDurabilityError } from '../durability-settings.js';

export const MIGRATIONS: string[] = [
  `-- The inbox: every applied event by source + id and by source + seq, written in the same
   -- transaction as the state change, so a redelivered event changes nothing the second time.
   CREATE TABLE applied_event_ids (source TEXT NOT NULL, id TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (source, id));
   CREATE TABLE applied_sequences (source TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (source, seq));
   -- Items: a row per item ever named, locked while its stock and figures change.
   CREATE TABLE items (sku TEXT PRIMARY KEY, description TEXT, uom TEXT);
   CREATE TABLE locations (id TEXT PRIMARY KEY, name TEXT NOT NULL, authority TEXT NOT NULL);
   CREATE TABLE channels (id TEXT PRIMARY KEY, rule JSONB NOT NULL);
   -- One row: catalogue changes take it exclusively, event batches shared (see PgLedgerStore).
   CREATE TABLE catalog_lock (id INTEGER PRIMARY KEY, changed_at TIMESTAMPTZ NOT NULL DEFAULT now());
   INSERT INTO catalog_lock (id) VALUES (1);
   -- Each source's stock position per item x location (the domain's StockPosition as JSON).
   CREATE TABLE stock_positions (source TEXT NOT NULL, sku TEXT NOT NULL, location TEXT NOT NULL, state JSONB NOT NULL, PRIMARY KEY (sku, location, source));
   CREATE INDEX stock_positions_by_location ON stock_positions (location);
   CREATE TABLE parked_events (position BIGINT PRIMARY KEY, sku TEXT NOT NULL, location TEXT NOT NULL, reason TEXT NOT NULL, parked_at TIMESTAMPTZ NOT NULL, event JSONB NOT NULL);
   CREATE INDEX parked_events_by_location ON parked_events (location, position);
   -- Published figures and the change feed with its dense per-channel cursors.
   CREATE TABLE channel_figures (channel TEXT NOT NULL, sku TEXT NOT NULL, available BIGINT NOT NULL, PRIMARY KEY (channel, sku));
   CREATE TABLE channel_cursors (channel TEXT PRIMARY KEY, last BIGINT NOT NULL);
   CREATE TABLE channel_changes (channel TEXT NOT NULL, cursor BIGINT NOT NULL, sku TEXT NOT NULL, available BIGINT NOT NULL, previous BIGINT NOT NULL, position BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL, PRIMARY KEY (channel, cursor));
   -- Log entries a worker could not apply after every attempt, with the last error.
   CREATE TABLE dead_entries (position BIGINT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, at TIMESTAMPTZ NOT NULL);`,
  `-- Positions with dated inbound: their channels' figures move as ETAs enter the horizon.
   ALTER TABLE stock_positions ADD COLUMN dated_inbound BOOLEAN NOT NULL DEFAULT false;
   CREATE INDEX stock_positions_dated_inbound ON stock_positions (sku) WHERE dated_inbound;`,
  `-- Delivery: how far each destination's lanes have delivered, and the dead letters.
   CREATE TABLE delivery_cursors (destination TEXT NOT NULL, lane TEXT NOT NULL, cursor BIGINT NOT NULL, PRIMARY KEY (destination, lane));
   CREATE TABLE dead_letters (id BIGSERIAL PRIMARY KEY, destination TEXT NOT NULL, lane TEXT NOT NULL, status TEXT NOT NULL, record JSONB NOT NULL);
   CREATE INDEX dead_letters_by_status ON dead_letters (status, destination, id);`,
  `CREATE TABLE customers (id TEXT PRIMARY KEY, record JSONB NOT NULL);`,
  `-- Stock held for orders: per order (what to release) and per item x location (what availability subtracts).
   CREATE TABLE stock_holds (order_id TEXT NOT NULL, sku TEXT NOT NULL, location TEXT NOT NULL, units BIGINT NOT NULL, PRIMARY KEY (order_id, sku, location));
   CREATE TABLE reserved_stock (sku TEXT NOT NULL, location TEXT NOT NULL, units BIGINT NOT NULL, PRIMARY KEY (sku, location));`,
  `-- Entries for the shared log written with the state change they report (a transactional
   -- outbox); a relay appends them to the log and deletes them.
   CREATE TABLE log_outbox (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, body JSONB NOT NULL);`,
  `-- Orders: the facts as JSON, with the columns the ERP retries and the lookups need.
   CREATE TABLE orders (id TEXT PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL, customer TEXT NOT NULL,
     status TEXT NOT NULL, erp_state TEXT NOT NULL, erp_due TIMESTAMPTZ, erp_lease_until TIMESTAMPTZ, state JSONB NOT NULL);
   CREATE INDEX orders_erp_due ON orders (erp_due) WHERE erp_state = 'pending';
   CREATE INDEX orders_held ON orders (customer) WHERE erp_state = 'held';
   -- A channel's order number names one live hub order (released when the ERP refuses it).
   CREATE TABLE order_refs (channel TEXT NOT NULL, external_id TEXT NOT NULL, order_id TEXT NOT NULL, PRIMARY KEY (channel, external_id));
   CREATE TABLE order_timeline (id BIGSERIAL PRIMARY KEY, order_id TEXT NOT NULL, record JSONB NOT NULL);
   CREATE INDEX order_timeline_by_order ON order_timeline (order_id, id);
   -- Idempotency keys: claimed while their request runs, then bound to the order and its answer.
   CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, order_id TEXT, status_code INTEGER, response JSONB,
     created_at TIMESTAMPTZ NOT NULL DEFAULT now(), claimed_until TIMESTAMPTZ);
   CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
   -- Messages for other systems written with the order change they report (transactional outbox).
   CREATE TABLE order_outbox (id BIGSERIAL PRIMARY KEY, destination TEXT NOT NULL, topic TEXT NOT NULL, message_key TEXT NOT NULL,
     idempotency_key TEXT NOT NULL UNIQUE, lane TEXT NOT NULL, payload JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL);
   CREATE INDEX order_outbox_by_destination ON order_outbox (destination, id);`,
  `-- Inbound messages that could not be taken, kept whole with their reason until replayed.
   CREATE TABLE inbound_parked (id BIGSERIAL PRIMARY KEY, system TEXT NOT NULL, status TEXT NOT NULL, record JSONB NOT NULL);
   CREATE INDEX inbound_parked_by_system ON inbound_parked (system, id);`,
  `-- Orders owed units (backordered lines), for the workers to fill as stock arrives, oldest first.
   ALTER TABLE orders ADD COLUMN owes BOOLEAN NOT NULL DEFAULT false;
   ALTER TABLE orders ADD COLUMN created_at TIMESTAMPTZ;
   CREATE INDEX orders_owing ON orders (created_at) WHERE owes;`,
  `-- Order events waiting for a precondition (a shipment before its release), applied in log order once it comes.
   CREATE TABLE order_waiting (position BIGINT PRIMARY KEY, order_id TEXT NOT NULL, since TIMESTAMPTZ NOT NULL, record JSONB NOT NULL);
   CREATE INDEX order_waiting_by_order ON order_waiting (order_id, position);
   CREATE INDEX order_waiting_by_age ON order_waiting (since);
   -- Order events refused as illegal transitions or expired while waiting, for a person to look at.
   CREATE TABLE order_exceptions (id BIGSERIAL PRIMARY KEY, record JSONB NOT NULL);
   -- Item x location pairs where an order's shipped units stay held until the authority shows them gone.
   CREATE TABLE order_unconfirmed (sku TEXT NOT NULL, location TEXT NOT NULL, order_id TEXT NOT NULL, PRIMARY KEY (sku, location, order_id));
   CREATE INDEX order_unconfirmed_by_order ON order_unconfirmed (order_id);`,
  `-- EDI control numbers per trading partner and kind (ISA13, GS06, ST02): never reused, whichever process writes.
   CREATE TABLE edi_control_numbers (partner TEXT NOT NULL, kind TEXT NOT NULL, last BIGINT NOT NULL, PRIMARY KEY (partner, kind));`,
  `-- Which order shipped under a tracking number (carriers name parcels, not orders).
   CREATE TABLE order_tracking (tracking_number TEXT PRIMARY KEY, order_id TEXT NOT NULL);`,
  `-- Order listings (GET /v1/orders): newest first by capture instant then id, optionally for one
   -- channel, customer or status. Orders saved before created_at existed take it from their facts.
   UPDATE orders SET created_at = (state->>'createdAt')::timestamptz WHERE created_at IS NULL;
   ALTER TABLE orders ALTER COLUMN created_at SET NOT NULL;
   CREATE INDEX orders_by_age ON orders (created_at, id);
   CREATE INDEX orders_by_channel ON orders (channel, created_at, id);
   CREATE INDEX orders_by_customer ON orders (customer, created_at, id);
   CREATE INDEX orders_by_status ON orders (status, created_at, id);`,
  `-- Counts that came after more of their source's later movements than the ledger keeps (one per snapshot).
   CREATE TABLE IF NOT EXISTS overtaken_counts (position BIGINT PRIMARY KEY, record JSONB NOT NULL);`,
  `-- (Idempotent: tests that roll a database back to an older version run the later migrations again.)
   -- Cross-references: another system's id of an item, customer or location under a scheme, to the hub's id.
   CREATE TABLE IF NOT EXISTS xrefs (kind TEXT NOT NULL, system TEXT NOT NULL, scheme TEXT NOT NULL, external TEXT NOT NULL, id TEXT NOT NULL, ship_to TEXT,
     PRIMARY KEY (kind, system, scheme, external));
   CREATE INDEX IF NOT EXISTS xrefs_by_id ON xrefs (kind, system, id);
   -- Unit conversions of an item (system ''), and per partner: base units per unit.
   CREATE TABLE IF NOT EXISTS item_units (sku TEXT NOT NULL, system TEXT NOT NULL, units JSONB NOT NULL, PRIMARY KEY (sku, system));`,
  `-- API keys created through the API: the key's digest, never the key; every api process reads them.
   CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE, record JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL);`,
  `-- Webhook ids already received per system, so a webhook delivered again is taken once, by whichever process.
   CREATE TABLE IF NOT EXISTS webhook_receipts (system TEXT NOT NULL, webhook_id TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (system, webhook_id));
   CREATE INDEX IF NOT EXISTS webhook_receipts_by_age ON webhook_receipts (received_at);`,
  `-- (Safe to run again.) The exception queue: one row per problem a source reported (class + key), its history in the record.
   CREATE TABLE IF NOT EXISTS exceptions (id BIGSERIAL PRIMARY KEY, class TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL,
     group_key TEXT NOT NULL, entity TEXT NOT NULL, record JSONB NOT NULL, UNIQUE (class, key));
   CREATE INDEX IF NOT EXISTS exceptions_by_status ON exceptions (status, id);
   CREATE INDEX IF NOT EXISTS exceptions_by_group ON exceptions (group_key, id);
   -- The audit trail: append-only, dropped only by age.
   CREATE TABLE IF NOT EXISTS audit_trail (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, actor TEXT NOT NULL, entity TEXT, record JSONB NOT NULL);
   CREATE INDEX IF NOT EXISTS audit_trail_by_age ON audit_trail (at);`,
  `-- (Safe to run again.) sla_alerts: what SLA webhooks are owed, one row per breach exception, kind (breach, resolved) and webhook, until delivered.
   CREATE TABLE IF NOT EXISTS sla_alerts (id BIGSERIAL PRIMARY KEY, exception_id BIGINT NOT NULL, kind TEXT NOT NULL, webhook TEXT NOT NULL, body JSONB NOT NULL,
     attempts INTEGER NOT NULL, next_at TIMESTAMPTZ NOT NULL, delivered_at TIMESTAMPTZ, last_error TEXT, created_at TIMESTAMPTZ NOT NULL, UNIQUE (exception_id, kind, webhook));
   CREATE INDEX IF NOT EXISTS sla_alerts_due ON sla_alerts (next_at) WHERE delivered_at IS NULL;`,
  `-- (Safe to run again.) outbox_correlation_id: the correlation id of the request or event that wrote a message, sent on with it.
   ALTER TABLE order_outbox ADD COLUMN IF NOT EXISTS correlation_id TEXT;`,
  `-- EDI interchanges taken per partner and sender (ISA05:ISA06, ISA13), so one sent again is a duplicate;
   -- and what the hub sent under each group and transaction number, so a partner's 997 finds its document.
   CREATE TABLE IF NOT EXISTS edi_interchanges_received (partner TEXT NOT NULL, sender TEXT NOT NULL, control TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (partner, sender, control));
   CREATE TABLE IF NOT EXISTS edi_transactions_sent (partner TEXT NOT NULL, group_control BIGINT NOT NULL, transaction_control BIGINT NOT NULL,
     interchange_control BIGINT NOT NULL, functional_id TEXT NOT NULL, set_id TEXT NOT NULL, document TEXT NOT NULL, sent_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (partner, group_control, transaction_control));`,
  `-- (Safe to run again.) partner_order_lines: an EDI partner's own lines of each order it sent (850 PO1: line number,
   -- unit, qualifiers and ids), so the 856 and 810 answering the order echo them. Kept as long as orders are.
   CREATE TABLE IF NOT EXISTS partner_order_lines (order_id TEXT PRIMARY KEY, system TEXT NOT NULL, lines JSONB NOT NULL, kept_at TIMESTAMPTZ NOT NULL);`,
  `-- (Safe to run again.) orders_erp_change_due: committed orders whose amendment the ERP is still owed (erp_due set), for the ERP sweep.
   CREATE INDEX IF NOT EXISTS orders_erp_change_due ON orders (erp_due) WHERE erp_state = 'committed' AND erp_due IS NOT NULL;`,
];

export interface PgDatabase {
  pool: pg.Pool;
  schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(url: string, schema: string, poolSize = 10): Promise<PgDatabase> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`CROSSDOCK_NAMESPACE '${schema}' must be lower-case letters, digits and _ (it names the PostgreSQL schema)`);
  // Named so that pg_stat_activity shows which hub namespace holds which connections. A commit is
  // acknowledged only once flushed, whatever the server, database or role default says.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: `-c search_path=${schema} -c synchronous_commit=on`,
    application_name: `crossdock ${schema}`,
  });
  // A client that loses its server emits 'error': while idle the pool handles it, while checked out
  // nothing would, and the process would end. The query in flight fails on its own, and the pool
  // drops a client that is no longer queryable when it is released.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  reportUnavailability(pool);
  try {
    await requireSessionSettings(pool, schema, url);
    await migrate(pool, schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return { pool, schema };
}

/** SQLSTATEs of a server going away or refusing work for now: connection exceptions, shutdowns, no slots. */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;
/** How node-postgres and Node report a connection that ended or never opened (no SQLSTATE). */
const CONNECTION_LOST = /Connection terminated|not queryable|Client was closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/;

/**
 * The error a caller should see: the database going away (a restart, a failover, terminated
 * connections, no connection slots) becomes one typed, retryable DatabaseUnavailableError;
 * anything else (a constraint, a bug) is returned as it is.
 */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if ((typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || CONNECTION_LOST.test(code))) || CONNECTION_LOST.test(message)) {
    return new DatabaseUnavailableError(message, err);
  }
  return err;
}

/**
 * A connection that cannot be had is the database being unavailable, whichever query asked for
 * it: callers (and the HTTP layer) see one typed, retryable error instead of a raw driver error.
 * pg's own pool.query asks through connect's callback form, so both forms are covered; a
 * pool.query whose connection is lost mid-way is reported the same way.
 */
function reportUnavailability(pool: pg.Pool): void {
  type Callback = (err: Error | undefined, client?: pg.PoolClient, done?: (release?: unknown) => void) => void;
  const connect = pool.connect.bind(pool) as (cb?: Callback) => unknown;
  const unavailable = (err: unknown) =>
    err instanceof DatabaseUnavailableError ? err : new DatabaseUnavailableError(err instanceof Error ? err.message : String(err), err);
  (pool as { connect: unknown }).connect = (cb?: Callback) => {
    if (cb) return connect((err, client, done) => cb(err ? unavailable(err) : undefined, client, done));
    return (connect() as Promise<pg.PoolClient>).catch((err: unknown) => {
      throw unavailable(err);
    });
  };
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { query: unknown }).query = (...args: unknown[]) => {
    const answer = query(...args);
    return answer instanceof Promise
      ? answer.catch((err: unknown) => {
          throw asUnavailable(err);
        })
      : answer;
  };
}

/**
 * Reads the settings back from a live connection: options in the URL replace the ones set above
 * (node-postgres lets the connection string win), and nothing else would notice.
 */
async function requireSessionSettings(pool: pg.Pool, schema: string, url: string): Promise<void> {
  const where = `PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//')}`;
  const { rows } = await pool.query<{ synchronous_commit: string; search_path: string }>(
    "SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('search_path') AS search_path",
  );
  const settings = rows[0]!;
  if (settings.synchronous_commit !== 'on') throw new UnsafeDurabilityError(where, 'synchronous_commit', settings.synchronous_commit, 'on');
  if (settings.search_path !== schema)
    throw new Error(`${where}: search_path is ${settings.search_path}, not the namespace's schema ${schema} (remove options from DATABASE_URL)`);
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`crossdock:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    for (let v = rows[0]?.v ?? 0; v < MIGRATIONS.length; v++) {
      await client.query('BEGIN');
      await client.query(MIGRATIONS[v]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
      await client.query('COMMIT');
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`crossdock:${schema}`]).catch(() => {});
    client.release();
  }
}

/** Drops the namespace's schema (tests and teardown). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`bad schema name '${schema}'`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
