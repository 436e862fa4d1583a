/**
 * The embedded OrderStore on the same SQLite database as the inventory store, so an order change,
 * its effect on channel figures and its outbox messages share one transaction. Orders are kept
 * as JSON facts; timeline, outbox and exceptions are append-only.
 */
import type { Statement } from 'better-sqlite3';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { OrderStatus } from '../../model/order.js';
import type {
  OrderException,
  OrderListing,
  OrderStore,
  OutboxRecord,
  StoredKey,
  StoredOutboxMessage,
  TimelineRecord,
  WaitingRecord,
} from '../../ports/order-store.js';
import type { Db } from './open-database.js';
import { trackingParts } from '../../domain/orders/tracking.js';

export class SqliteOrderStore implements OrderStore {
  private readonly upsertOrder: Statement;
  private readonly selectOrder: Statement;
  private readonly insertTimeline: Statement;
  private readonly insertOutbox: Statement;
  private readonly insertRef: Statement;
  private readonly selectRef: Statement;
  private readonly insertKey: Statement;
  private readonly selectKey: Statement;
  private readonly updateKey: Statement;
  private readonly upsertTracking: Statement;
  private readonly selectTracking: Statement;

  constructor(private readonly db: Db) {
    this.upsertOrder = db.prepare(
      'INSERT INTO orders (id, channel, external_id, customer, created_at, status, open, updated_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
        // An upsert keeps the rowid, which is capture order (backorders fill oldest first).
        'ON CONFLICT (id) DO UPDATE SET status = excluded.status, open = excluded.open, updated_at = excluded.updated_at, state = excluded.state',
    );
    this.selectOrder = db.prepare('SELECT state FROM orders WHERE id = ?').pluck(true);
    this.insertTimeline = db.prepare('INSERT INTO order_timeline (order_id, entry) VALUES (?, ?)');
    this.insertOutbox = db.prepare(
      'INSERT OR IGNORE INTO outbox (destination, topic, lane, message_key, idempotency_key, payload, created_at, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertRef = db.prepare('INSERT OR IGNORE INTO order_refs (channel, external_id, order_id) VALUES (?, ?, ?)');
    this.selectRef = db.prepare('SELECT order_id FROM order_refs WHERE channel = ? AND external_id = ?').pluck(true);
    this.insertKey = db.prepare('INSERT INTO idempotency_keys (key, fingerprint, order_id, created_at) VALUES (?, ?, ?, ?)');
    this.selectKey = db.prepare('SELECT fingerprint, order_id, status_code, response, created_at FROM idempotency_keys WHERE key = ?');
    this.updateKey = db.prepare('UPDATE idempotency_keys SET status_code = ?, response = ? WHERE key = ?');
    this.upsertTracking = db.prepare(
      'INSERT INTO order_tracking (tracking_number, order_id) VALUES (?, ?) ON CONFLICT (tracking_number) DO UPDATE SET order_id = excluded.order_id',
    );
    this.selectTracking = db.prepare('SELECT order_id FROM order_tracking WHERE tracking_number = ?').pluck(true);
  }

  saveOrder(order: OrderState, status: OrderStatus, open: boolean): void {
    this.upsertOrder.run(
      order.id,
      order.channel,
      order.externalId,
      order.customer,
      instant(order.createdAt),
      status,
      open ? 1 : 0,
      order.updatedAt,
      JSON.stringify(order),
    );
    for (const shipment of order.shipments) {
      const { number } = trackingParts(shipment.tracking);
      if (number !== undefined) this.upsertTracking.run(number, order.id);
    }
  }

  order(id: string): OrderState | undefined {
    const state = this.selectOrder.get(id) as string | undefined;
    return state === undefined ? undefined : (JSON.parse(state) as OrderState);
  }

  orderByTracking(trackingNumber: string): string | undefined {
    return this.selectTracking.get(trackingNumber) as string | undefined;
  }

  openOrders(): OrderState[] {
    return (this.db.prepare('SELECT state FROM orders WHERE open = 1 ORDER BY rowid').pluck(true).all() as string[]).map((s) => JSON.parse(s) as OrderState);
  }

  listOrders(listing: OrderListing): OrderState[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (listing.channel !== undefined) {
      where.push('channel = ?');
      args.push(listing.channel);
    }
    if (listing.customer !== undefined) {
      where.push('customer = ?');
      args.push(listing.customer);
    }
    if (listing.status !== undefined) {
      where.push('status = ?');
      args.push(listing.status);
    }
    if (listing.since !== undefined) {
      where.push('created_at >= ?');
      args.push(instant(listing.since));
    }
    if (listing.before !== undefined) {
      where.push('(created_at, id) < (?, ?)');
      args.push(instant(listing.before.createdAt), listing.before.id);
    }
    const sql = `SELECT state FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (
      this.db
        .prepare(sql)
        .pluck(true)
        .all(...args, listing.limit) as string[]
    ).map((s) => JSON.parse(s) as OrderState);
  }

  claimReference(channel: string, externalId: string, orderId: string): string | undefined {
    if (this.insertRef.run(channel, externalId, orderId).changes === 1) return undefined;
    return this.selectRef.get(channel, externalId) as string;
  }

  releaseReference(channel: string, externalId: string): void {
    this.db.prepare('DELETE FROM order_refs WHERE channel = ? AND external_id = ?').run(channel, externalId);
  }

  claimedBy(channel: string, externalId: string): string | undefined {
    return this.selectRef.get(channel, externalId) as string | undefined;
  }

  appendTimeline(entries: TimelineRecord[]): void {
    for (const e of entries) this.insertTimeline.run(e.orderId, JSON.stringify(e));
  }

  timeline(orderId: string): TimelineRecord[] {
    return (this.db.prepare('SELECT entry FROM order_timeline WHERE order_id = ? ORDER BY id').pluck(true).all(orderId) as string[]).map(
      (e) => JSON.parse(e) as TimelineRecord,
    );
  }

  appendOutbox(messages: OutboxRecord[]): void {
    for (const m of messages)
      this.insertOutbox.run(m.destination, m.topic, m.lane, m.messageKey, m.idempotencyKey, JSON.stringify(m.payload), m.createdAt, m.correlationId ?? null);
  }

  outbox(afterId: number, limit: number, destination?: string): StoredOutboxMessage[] {
    const rows = (
      destination === undefined
        ? this.db.prepare('SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit)
        : this.db.prepare('SELECT * FROM outbox WHERE destination = ? AND id > ? ORDER BY id LIMIT ?').all(destination, afterId, limit)
    ) as OutboxRow[];
    return rows.map(toOutboxMessage);
  }

  outboxFor(destinations: readonly string[], afterId: number, limit: number): StoredOutboxMessage[] {
    if (destinations.length === 0) return [];
    const marks = destinations.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT * FROM outbox WHERE destination IN (${marks}) AND id > ? ORDER BY id LIMIT ?`)
      .all(...destinations, afterId, limit) as OutboxRow[];
    return rows.map(toOutboxMessage);
  }

  outboxBetween(destinations: readonly string[], fromIso: string, toIso: string, limit: number): StoredOutboxMessage[] {
    if (destinations.length === 0) return [];
    const marks = destinations.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT * FROM outbox WHERE destination IN (${marks}) AND created_at >= ? AND created_at <= ? ORDER BY id LIMIT ?`)
      .all(...destinations, fromIso, toIso, limit) as OutboxRow[];
    return rows.map(toOutboxMessage);
  }

  rememberKey(key: string, fingerprint: string, orderId: string, createdAt: string): void {
    this.insertKey.run(key, fingerprint, orderId, createdAt);
  }

  storeAnswer(key: string, statusCode: number, response: unknown): void {
    this.updateKey.run(statusCode, JSON.stringify(response), key);
  }

  keyFor(key: string): StoredKey | undefined {
    const row = this.selectKey.get(key) as
      | { fingerprint: string; order_id: string; status_code: number | null; response: string | null; created_at: string }
      | undefined;
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint,
      orderId: row.order_id,
      createdAt: row.created_at,
      ...(row.status_code !== null ? { statusCode: row.status_code } : {}),
      ...(row.response !== null ? { response: JSON.parse(row.response) } : {}),
    };
  }

  forgetKey(key: string): void {
    this.db.prepare('DELETE FROM idempotency_keys WHERE key = ?').run(key);
  }

  forgetKeysBefore(iso: string): number {
    return this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(iso).changes;
  }

  saveWaiting(records: WaitingRecord[]): void {
    const stmt = this.db.prepare('INSERT OR REPLACE INTO waiting_order_events (position, order_id, record) VALUES (?, ?, ?)');
    for (const r of records) stmt.run(r.position, r.orderId, JSON.stringify(r));
  }

  removeWaiting(positions: number[]): void {
    const stmt = this.db.prepare('DELETE FROM waiting_order_events WHERE position = ?');
    for (const p of positions) stmt.run(p);
  }

  waitingEvents(): WaitingRecord[] {
    return (this.db.prepare('SELECT record FROM waiting_order_events ORDER BY position').pluck(true).all() as string[]).map(
      (r) => JSON.parse(r) as WaitingRecord,
    );
  }

  raiseException(e: Omit<OrderException, 'id'>): void {
    this.db.prepare('INSERT INTO order_exceptions (order_id, record) VALUES (?, ?)').run(e.orderId, JSON.stringify(e));
  }

  exceptions(afterId: number, limit: number): OrderException[] {
    return (
      this.db.prepare('SELECT id, record FROM order_exceptions WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as { id: number; record: string }[]
    ).map((r) => ({ id: r.id, ...(JSON.parse(r.record) as Omit<OrderException, 'id'>) }));
  }
}

/** One text form per instant (ISO-8601, UTC, milliseconds), so instants compare as text. */
const instant = (iso: string): string => new Date(iso).toISOString();

function toOutboxMessage(r: OutboxRow): StoredOutboxMessage {
  return {
    id: r.id,
    destination: r.destination,
    topic: r.topic,
    lane: r.lane as OutboxRecord['lane'],
    messageKey: r.message_key,
    idempotencyKey: r.idempotency_key,
    payload: JSON.parse(r.payload),
    createdAt: r.created_at,
    ...(r.correlation_id ? { correlationId: r.correlation_id } : {}),
  };
}

interface OutboxRow {
  id: number;
  destination: string;
  topic: string;
  lane: string;
  message_key: string;
  idempotency_key: string;
  payload: string;
  created_at: string;
  correlation_id: string | null;
}
