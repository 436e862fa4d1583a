/**
 * Orders on PostgreSQL (see ports/locking-order-store.ts): writes that join a ledger transaction,
 * and the reads, key claims and ERP leases that stand alone.
 */
import type pg from 'pg';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { OrderException, OrderListing, OutboxRecord, StoredKey, StoredOutboxMessage, TimelineRecord, WaitingRecord } from '../../ports/order-store.js';
import type { ChannelReference, KeyClaim, OrderWrites, SavedOrder, LockingOrderStore } from '../../ports/locking-order-store.js';
import type { PgDatabase } from './pg-database.js';
import { trackingParts } from '../../domain/orders/tracking.js';

const SEP = '\u001f';
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PgOrderWrites implements OrderWrites {
  constructor(private readonly c: Queryable) {}

  async claimReferences(refs: readonly ChannelReference[]): Promise<Map<string, string>> {
    const taken = new Map<string, string>();
    if (refs.length === 0) return taken;
    // Sorted: two api processes claiming overlapping references wait for each other in one order.
    const sorted = [...refs].sort((a, b) => byText(a.channel + SEP + a.externalId, b.channel + SEP + b.externalId));
    const { rows } = await this.c.query<{ channel: string; external_id: string; order_id: string }>(
      `INSERT INTO order_refs (channel, external_id, order_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT DO NOTHING RETURNING channel, external_id, order_id`,
      [sorted.map((r) => r.channel), sorted.map((r) => r.externalId), sorted.map((r) => r.orderId)],
    );
    const mine = new Set(rows.map((r) => r.channel + SEP + r.external_id + SEP + r.order_id));
    const lost = sorted.filter((r) => !mine.has(r.channel + SEP + r.externalId + SEP + r.orderId));
    if (lost.length === 0) return taken;
    const holders = await this.c.query<{ channel: string; external_id: string; order_id: string }>(
      'SELECT channel, external_id, order_id FROM order_refs WHERE (channel, external_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
      [lost.map((r) => r.channel), lost.map((r) => r.externalId)],
    );
    for (const h of holders.rows) taken.set(h.channel + SEP + h.external_id, h.order_id);
    // A reference claimed twice in one batch: the later request loses to the earlier one.
    for (const r of lost) if (!taken.has(r.channel + SEP + r.externalId)) taken.set(r.channel + SEP + r.externalId, '(being captured now)');
    return taken;
  }

  async dropReferences(refs: readonly { channel: string; externalId: string }[]): Promise<void> {
    if (refs.length === 0) return;
    await this.c.query('DELETE FROM order_refs WHERE (channel, external_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))', [
      refs.map((r) => r.channel),
      refs.map((r) => r.externalId),
    ]);
  }

  async saveOrders(orders: readonly SavedOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await this.c.query(
      `INSERT INTO orders (id, channel, external_id, customer, status, erp_state, erp_due, erp_lease_until, state, owes, created_at)
       SELECT o->'s'->>'id', o->'s'->>'channel', o->'s'->>'externalId', o->'s'->>'customer', o->>'status', o->'s'->'erp'->>'state',
              CASE WHEN o->'s'->'erp'->>'state' = 'pending' AND NOT coalesce((o->'s'->>'cancelled')::boolean, false) THEN to_timestamp(coalesce((o->'s'->'erp'->>'nextAttemptAt')::double precision, 0) / 1000)
                   WHEN o->'s'->'erp'->>'state' = 'committed' AND o->'s'->'erp'->'change' IS NOT NULL AND NOT coalesce((o->'s'->>'cancelled')::boolean, false)
                   THEN to_timestamp(coalesce((o->'s'->'erp'->'change'->>'nextAttemptAt')::double precision, 0) / 1000) END,
              CASE WHEN o->>'lease' IS NOT NULL THEN now() + make_interval(secs => (o->>'lease')::double precision / 1000) END,
              o->'s', (o->>'owes')::boolean, (o->'s'->>'createdAt')::timestamptz
       FROM jsonb_array_elements($1::jsonb) o
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, erp_state = EXCLUDED.erp_state, erp_due = EXCLUDED.erp_due,
         erp_lease_until = EXCLUDED.erp_lease_until, state = EXCLUDED.state, owes = EXCLUDED.owes`,
      [JSON.stringify(orders.map((o) => ({ s: o.order, status: o.status, owes: o.owes, ...(o.erpLeaseMs !== undefined ? { lease: o.erpLeaseMs } : {}) })))],
    );
    await this.indexTracking(orders);
  }

  async appendTimeline(records: readonly TimelineRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.c.query(`INSERT INTO order_timeline (order_id, record) SELECT r->>'orderId', r FROM jsonb_array_elements($1::jsonb) r`, [
      JSON.stringify(records),
    ]);
  }

  async appendOutbox(messages: readonly OutboxRecord[]): Promise<void> {
    if (messages.length === 0) return;
    // Readers follow the outbox by id: transactions that write it commit one at a time, so no
    // message can appear later below an id a reader has passed.
    await this.c.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':order_outbox'))`);
    await this.c.query(
      `INSERT INTO order_outbox (destination, topic, message_key, idempotency_key, lane, payload, created_at, correlation_id)
       SELECT m->>'destination', m->>'topic', m->>'messageKey', m->>'idempotencyKey', m->>'lane', m->'payload', (m->>'createdAt')::timestamptz, m->>'correlationId'
       FROM jsonb_array_elements($1::jsonb) m ON CONFLICT (idempotency_key) DO NOTHING`,
      [JSON.stringify(messages)],
    );
  }

  async bindKeys(bindings: readonly { key: string; orderId: string }[]): Promise<void> {
    if (bindings.length === 0) return;
    await this.c.query('UPDATE idempotency_keys k SET order_id = b.order_id FROM unnest($1::text[], $2::text[]) AS b(key, order_id) WHERE k.key = b.key', [
      bindings.map((b) => b.key),
      bindings.map((b) => b.orderId),
    ]);
  }

  async forgetKey(key: string): Promise<void> {
    await this.c.query('DELETE FROM idempotency_keys WHERE key = $1', [key]);
  }

  async lockOrders(ids: readonly string[]): Promise<OrderState[]> {
    const { rows } = await this.c.query<{ state: OrderState }>('SELECT state FROM orders WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [ids]);
    return rows.map((r) => r.state);
  }

  async waitingFor(orderIds: readonly string[]): Promise<WaitingRecord[]> {
    if (orderIds.length === 0) return [];
    const { rows } = await this.c.query<{ record: WaitingRecord }>('SELECT record FROM order_waiting WHERE order_id = ANY($1::text[]) ORDER BY position', [
      orderIds,
    ]);
    return rows.map((r) => r.record);
  }

  async saveWaiting(records: readonly WaitingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.c.query(
      `INSERT INTO order_waiting (position, order_id, since, record)
       SELECT (r->>'position')::bigint, r->>'orderId', (r->>'since')::timestamptz, r FROM jsonb_array_elements($1::jsonb) r
       ON CONFLICT (position) DO NOTHING`,
      [JSON.stringify(records)],
    );
  }

  async removeWaiting(positions: readonly number[]): Promise<number[]> {
    if (positions.length === 0) return [];
    const { rows } = await this.c.query<{ position: string }>('DELETE FROM order_waiting WHERE position = ANY($1::bigint[]) RETURNING position', [positions]);
    return rows.map((r) => Number(r.position));
  }

  async raiseExceptions(exceptions: readonly Omit<OrderException, 'id'>[]): Promise<void> {
    if (exceptions.length === 0) return;
    await this.c.query('INSERT INTO order_exceptions (record) SELECT e FROM jsonb_array_elements($1::jsonb) e', [JSON.stringify(exceptions)]);
  }

  async unconfirmedAt(pairs: readonly { sku: string; location: string }[]): Promise<string[]> {
    if (pairs.length === 0) return [];
    const { rows } = await this.c.query<{ order_id: string }>(
      'SELECT DISTINCT order_id FROM order_unconfirmed WHERE (sku, location) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
      [pairs.map((p) => p.sku), pairs.map((p) => p.location)],
    );
    return rows.map((r) => r.order_id);
  }

  private async indexTracking(orders: readonly SavedOrder[]): Promise<void> {
    const shipped = orders.flatMap((o) =>
      o.order.shipments.flatMap((s) => {
        const { number } = trackingParts(s.tracking);
        return number === undefined ? [] : [{ trackingNumber: number, orderId: o.order.id }];
      }),
    );
    if (shipped.length === 0) return;
    await this.c.query(
      `INSERT INTO order_tracking (tracking_number, order_id) SELECT DISTINCT ON (t) t, o FROM unnest($1::text[], $2::text[]) AS x(t, o)
       ON CONFLICT (tracking_number) DO UPDATE SET order_id = EXCLUDED.order_id`,
      [shipped.map((s) => s.trackingNumber), shipped.map((s) => s.orderId)],
    );
  }

  async replaceUnconfirmed(orderIds: readonly string[], pairs: readonly { orderId: string; sku: string; location: string }[]): Promise<void> {
    if (orderIds.length === 0) return;
    await this.c.query('DELETE FROM order_unconfirmed WHERE order_id = ANY($1::text[])', [orderIds]);
    if (pairs.length === 0) return;
    await this.c.query(
      'INSERT INTO order_unconfirmed (sku, location, order_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING',
      [pairs.map((p) => p.sku), pairs.map((p) => p.location), pairs.map((p) => p.orderId)],
    );
  }
}

interface OutboxRow {
  id: string;
  destination: string;
  topic: string;
  message_key: string;
  idempotency_key: string;
  lane: 'orders' | 'bulk';
  payload: unknown;
  created_at: Date;
  correlation_id: string | null;
}

const toMessage = (r: OutboxRow): StoredOutboxMessage => ({
  id: Number(r.id),
  destination: r.destination,
  topic: r.topic,
  messageKey: r.message_key,
  idempotencyKey: r.idempotency_key,
  lane: r.lane,
  payload: r.payload,
  createdAt: r.created_at.toISOString(),
  ...(r.correlation_id ? { correlationId: r.correlation_id } : {}),
});

export class PgOrderStore implements LockingOrderStore {
  constructor(private readonly db: PgDatabase) {}

  async claimKeys(claims: readonly { key: string; fingerprint: string }[], leaseMs: number): Promise<KeyClaim[]> {
    const first = new Map<string, string>();
    for (const c of claims) if (!first.has(c.key)) first.set(c.key, c.fingerprint);
    // Sorted: two processes claiming overlapping keys wait for each other in one order.
    const keys = [...first.keys()].sort(byText);
    const { rows } = await this.db.pool.query<{ key: string }>(
      `INSERT INTO idempotency_keys (key, fingerprint, claimed_until)
       SELECT k, f, now() + make_interval(secs => $3::double precision / 1000) FROM unnest($1::text[], $2::text[]) AS t(k, f)
       ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, created_at = now(), claimed_until = EXCLUDED.claimed_until
         WHERE idempotency_keys.order_id IS NULL AND idempotency_keys.claimed_until < now()
       RETURNING key`,
      [keys, keys.map((k) => first.get(k)!), leaseMs],
    );
    const claimed = new Set(rows.map((r) => r.key));
    const held = new Map<string, KeyClaim>();
    const others = keys.filter((k) => !claimed.has(k));
    if (others.length > 0) {
      const found = await this.db.pool.query<{
        key: string;
        fingerprint: string;
        order_id: string | null;
        status_code: number | null;
        response: unknown;
        created_at: Date;
        in_flight: boolean;
      }>(
        'SELECT key, fingerprint, order_id, status_code, response, created_at, claimed_until > now() AS in_flight FROM idempotency_keys WHERE key = ANY($1::text[])',
        [others],
      );
      for (const r of found.rows) {
        const stored: StoredKey | undefined =
          r.order_id === null
            ? undefined
            : {
                fingerprint: r.fingerprint,
                orderId: r.order_id,
                createdAt: r.created_at.toISOString(),
                ...(r.status_code !== null ? { statusCode: r.status_code } : {}),
                ...(r.response !== null ? { response: r.response } : {}),
              };
        held.set(r.key, { claimed: false, stored, inFlight: r.in_flight && r.status_code === null });
      }
    }
    const seen = new Set<string>();
    return claims.map((c): KeyClaim => {
      const repeat = seen.has(c.key);
      seen.add(c.key);
      if (claimed.has(c.key) && !repeat) return { claimed: true };
      if (repeat && claimed.has(c.key)) return { claimed: false, stored: undefined, inFlight: true };
      // Gone between the two statements (forgotten as expired): the caller may retry.
      return held.get(c.key) ?? { claimed: false, stored: undefined, inFlight: true };
    });
  }

  async dropKeyClaim(key: string): Promise<void> {
    await this.db.pool.query('DELETE FROM idempotency_keys WHERE key = $1 AND order_id IS NULL', [key]);
  }

  async storeAnswers(answers: readonly { key: string; statusCode: number; response: unknown }[]): Promise<void> {
    if (answers.length === 0) return;
    await this.db.pool.query(
      `UPDATE idempotency_keys k SET status_code = (a->>'statusCode')::int, response = a->'response', claimed_until = NULL
       FROM jsonb_array_elements($1::jsonb) a WHERE k.key = a->>'key'`,
      [JSON.stringify(answers)],
    );
  }

  async forgetKeysBefore(iso: string): Promise<number> {
    const { rowCount } = await this.db.pool.query('DELETE FROM idempotency_keys WHERE created_at < $1 AND (claimed_until IS NULL OR claimed_until < now())', [
      iso,
    ]);
    return rowCount ?? 0;
  }

  async order(id: string): Promise<OrderState | undefined> {
    const { rows } = await this.db.pool.query<{ state: OrderState }>('SELECT state FROM orders WHERE id = $1', [id]);
    return rows[0]?.state;
  }

  async orderByReference(channel: string, externalId: string): Promise<OrderState | undefined> {
    const { rows } = await this.db.pool.query<{ state: OrderState }>(
      'SELECT o.state FROM order_refs r JOIN orders o ON o.id = r.order_id WHERE r.channel = $1 AND r.external_id = $2',
      [channel, externalId],
    );
    return rows[0]?.state;
  }

  async owingErpChange(limit: number): Promise<OrderState[]> {
    const { rows } = await this.db.pool.query<{ state: OrderState }>(
      `SELECT state FROM orders WHERE erp_state = 'committed' AND erp_due IS NOT NULL ORDER BY state->'erp'->'change'->>'since', id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.state);
  }

  async listOrders(listing: OrderListing): Promise<{ order: OrderState; waiting: number }[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (value: unknown) => {
      args.push(value);
      return `$${args.length}`;
    };
    // Only the filters asked for appear, so the planner can pick the index for the one there is.
    if (listing.channel !== undefined) where.push(`channel = ${arg(listing.channel)}`);
    if (listing.customer !== undefined) where.push(`customer = ${arg(listing.customer)}`);
    if (listing.status !== undefined) where.push(`status = ${arg(listing.status)}`);
    if (listing.since !== undefined) where.push(`created_at >= ${arg(listing.since)}::timestamptz`);
    if (listing.before !== undefined) where.push(`(created_at, id) < (${arg(listing.before.createdAt)}::timestamptz, ${arg(listing.before.id)})`);
    const { rows } = await this.db.pool.query<{ state: OrderState; waiting: string }>(
      `SELECT o.state, (SELECT count(*) FROM order_waiting w WHERE w.order_id = o.id) AS waiting FROM orders o
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ${arg(listing.limit)}`,
      args,
    );
    return rows.map((r) => ({ order: r.state, waiting: Number(r.waiting) }));
  }

  async timeline(orderId: string): Promise<TimelineRecord[]> {
    const { rows } = await this.db.pool.query<{ record: TimelineRecord }>('SELECT record FROM order_timeline WHERE order_id = $1 ORDER BY id', [orderId]);
    return rows.map((r) => r.record);
  }

  async outbox(afterId: number, limit: number, destination?: string): Promise<StoredOutboxMessage[]> {
    const { rows } = await this.db.pool.query<OutboxRow>(
      `SELECT * FROM order_outbox WHERE id > $1 ${destination === undefined ? '' : 'AND destination = $3'} ORDER BY id LIMIT $2`,
      destination === undefined ? [afterId, limit] : [afterId, limit, destination],
    );
    return rows.map(toMessage);
  }

  async outboxFor(destinations: readonly string[], afterId: number, limit: number): Promise<StoredOutboxMessage[]> {
    if (destinations.length === 0) return [];
    const { rows } = await this.db.pool.query<OutboxRow>('SELECT * FROM order_outbox WHERE destination = ANY($1::text[]) AND id > $2 ORDER BY id LIMIT $3', [
      destinations,
      afterId,
      limit,
    ]);
    return rows.map(toMessage);
  }

  async outboxBetween(destinations: readonly string[], fromIso: string, toIso: string, limit: number): Promise<StoredOutboxMessage[]> {
    if (destinations.length === 0) return [];
    const { rows } = await this.db.pool.query<OutboxRow>(
      'SELECT * FROM order_outbox WHERE destination = ANY($1::text[]) AND created_at >= $2 AND created_at <= $3 ORDER BY id LIMIT $4',
      [destinations, fromIso, toIso, limit],
    );
    return rows.map(toMessage);
  }

  async openByStatus(): Promise<Map<string, number>> {
    const { rows } = await this.db.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM orders WHERE status NOT IN ('cancelled', 'erp_failed', 'invoiced', 'returned') GROUP BY status`,
    );
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  }

  async leaseDueForErp(limit: number, leaseMs: number): Promise<OrderState[]> {
    const { rows } = await this.db.pool.query<{ state: OrderState }>(
      `UPDATE orders SET erp_lease_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE id IN (SELECT id FROM orders WHERE (erp_state = 'pending' OR (erp_state = 'committed' AND erp_due IS NOT NULL)) AND erp_due <= now()
                      AND (erp_lease_until IS NULL OR erp_lease_until < now())
                    ORDER BY erp_due LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING state`,
      [limit, leaseMs],
    );
    return rows.map((r) => r.state);
  }

  async owingOrders(limit: number, skus?: readonly string[]): Promise<string[]> {
    // Few orders owe at a time: looking into their lines is cheaper than keeping an index of them.
    const { rows } = await this.db.pool.query<{ id: string }>(
      `SELECT id FROM orders WHERE owes AND ($2::text[] IS NULL OR EXISTS (SELECT 1 FROM jsonb_array_elements(state->'lines') l WHERE l->>'sku' = ANY($2::text[])))
       ORDER BY created_at, id LIMIT $1`,
      [limit, skus ?? null],
    );
    return rows.map((r) => r.id);
  }

  async exceptions(afterId: number, limit: number): Promise<OrderException[]> {
    const { rows } = await this.db.pool.query<{ id: string; record: Omit<OrderException, 'id'> }>(
      'SELECT id, record FROM order_exceptions WHERE id > $1 ORDER BY id LIMIT $2',
      [afterId, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), ...r.record }));
  }

  async waitingCount(orderId: string): Promise<number> {
    const { rows } = await this.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM order_waiting WHERE order_id = $1', [orderId]);
    return Number(rows[0]!.n);
  }

  async orderByTracking(trackingNumber: string): Promise<string | undefined> {
    const { rows } = await this.db.pool.query<{ order_id: string }>('SELECT order_id FROM order_tracking WHERE tracking_number = $1', [trackingNumber]);
    return rows[0]?.order_id;
  }

  async waitingSince(iso: string, limit: number): Promise<WaitingRecord[]> {
    const { rows } = await this.db.pool.query<{ record: WaitingRecord }>(
      'SELECT record FROM order_waiting WHERE since < $1 ORDER BY since, position LIMIT $2',
      [iso, limit],
    );
    return rows.map((r) => r.record);
  }

  async heldFor(customer: string): Promise<string[]> {
    const { rows } = await this.db.pool.query<{ id: string }>(`SELECT id FROM orders WHERE customer = $1 AND erp_state = 'held' ORDER BY id`, [customer]);
    return rows.map((r) => r.id);
  }
}
