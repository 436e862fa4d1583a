/**
 * The live orders of one hub process: every open order in memory, the stock each one holds
 * (kept in the ledger's reservations), the events waiting for a precondition, the orders owed
 * units per item (backorders) and those whose shipped stock has not yet been seen leaving.
 *
 * Every change goes through `record`: it moves the ledger's reservations by the difference in
 * what the order holds, writes the order, its timeline entries and its outbox messages, and
 * reports the item × location figures it touched. Callers run it inside a store transaction and
 * recompute those figures, so the order, the figures and the messages commit together.
 */
import { orderHolds, isSettled, lineFigures, statusOf, type OrderState, type SnapshotTime } from '../../domain/orders/order-state.js';
import type { OutboundMessage } from '../../domain/orders/order-machine.js';
import { sourceForChannel } from '../../domain/orders/channel-sourcing.js';
import type { Channel } from '../../model/catalog.js';
import type { Clock } from '../../ports/clock.js';
import type { OrderException, OrderStore, WaitingRecord } from '../../ports/order-store.js';
import type { InventoryState } from '../inventory/inventory-state.js';
import { outboxRecords, timelineRecords, type Step } from './order-records.js';

export type { Step } from './order-records.js';

export interface OpenOrdersDeps {
  state: InventoryState;
  orders: OrderStore;
  clock: Clock;
}

/** Called with each item × location whose held quantity changed. */
export type Touch = (sku: string, location: string) => void;

const SEP = '\u001f';

export class OpenOrders {
  private open = new Map<string, OrderState>();
  private holds = new Map<string, Map<string, number>>();
  private waiting = new Map<string, WaitingRecord[]>();
  /** sku → orders owed units of it, in capture order. */
  private backlog = new Map<string, Set<string>>();
  /** sku␟location → orders with shipped units there not yet seen leaving. */
  private unconfirmed = new Map<string, Set<string>>();

  readonly snapshotAt: SnapshotTime = (sku, location) => {
    const def = this.deps.state.book.locations.get(location);
    return def ? this.deps.state.ledger.position(def.authority, sku, location)?.countedAt : undefined;
  };

  constructor(private readonly deps: OpenOrdersDeps) {
    this.load();
  }

  /** An order, open or settled; undefined when the hub never captured it. */
  get(id: string): OrderState | undefined {
    return this.open.get(id) ?? this.deps.orders.order(id);
  }

  /** True when some open order is owed units of `sku`. */
  owes(sku: string): boolean {
    return this.backlog.has(sku);
  }

  waitingTotal(): number {
    let n = 0;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }

  waitingCount(id: string): number {
    return this.waiting.get(id)?.length ?? 0;
  }

  /** Every open order. */
  all(): IterableIterator<OrderState> {
    return this.open.values();
  }

  /**
   * Reserves an order's lines for its channel, or reports the shortfall; changes only memory
   * (the caller commits). Runs synchronously, so no other capture can take the same units.
   */
  reserveFor(channel: Channel, lines: readonly { sku: string; qty: number }[], backorder: 'reject' | 'allow') {
    return sourceForChannel(this.deps.state.book, channel, lines, backorder);
  }

  /**
   * Records a change to an order: `hold` then `persist`. Call inside a transaction; `touch`
   * hears each item × location whose held quantity moved.
   */
  record(next: OrderState, steps: Step[], messages: { step: string; message: OutboundMessage }[], touch: Touch): void {
    this.persist(next, steps, messages, this.hold(next, touch));
  }

  /**
   * Moves the ledger's reservations to what `next` holds and tracks it in memory. Synchronous and
   * without I/O, so a capture takes its units before any other capture can look at them.
   */
  hold(next: OrderState, touch: Touch): boolean {
    const before = this.holds.get(next.id) ?? new Map<string, number>();
    const after = orderHolds(next, this.snapshotAt);
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const delta = (after.get(key) ?? 0) - (before.get(key) ?? 0);
      if (delta === 0) continue;
      const [sku, loc] = key.split(SEP) as [string, string];
      this.deps.state.ledger.reserve(sku, loc, delta);
      touch(sku, loc);
    }
    const open = this.isOpen(next, after);
    this.track(next, after, open);
    return open;
  }

  /** Writes the order, its timeline entries and its outbox messages; call inside a transaction. */
  persist(order: OrderState, steps: Step[], messages: { step: string; message: OutboundMessage }[], open = this.isOpen(order)): void {
    const { orders, clock } = this.deps;
    const now = new Date(clock.now()).toISOString();
    order.updatedAt = now;
    const status = statusOf(order);
    orders.saveOrder(order, status, open);
    orders.appendTimeline(timelineRecords(order, status, steps, now));
    orders.appendOutbox(outboxRecords(order, messages, now, steps));
  }

  private isOpen(order: OrderState, holds?: Map<string, number>): boolean {
    return !isSettled(order, this.snapshotAt, holds) || this.waitingCount(order.id) > 0;
  }

  /** What the order holds now, per sku␟location. */
  holdsOf(id: string): ReadonlyMap<string, number> {
    return this.holds.get(id) ?? new Map();
  }

  /** Open orders with shipped units of `sku` at `location` not yet seen leaving. */
  shippedUnconfirmed(sku: string, location: string): string[] {
    return [...(this.unconfirmed.get(sku + SEP + location) ?? [])];
  }

  /** The events waiting for the order's precondition. */
  waitingOf(id: string): readonly WaitingRecord[] {
    return this.waiting.get(id) ?? [];
  }

  /** Waiting events, oldest first, that have waited since before `iso`. */
  waitingSince(iso: string, limit: number): WaitingRecord[] {
    const old: WaitingRecord[] = [];
    for (const list of this.waiting.values()) for (const r of list) if (r.since < iso) old.push(r);
    return old.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.position - b.position)).slice(0, limit);
  }

  /** Open orders owed units (of one of `skus` when given), oldest first. */
  owing(limit: number, skus?: readonly string[]): string[] {
    const ids = new Set<string>();
    for (const [sku, set] of this.backlog) if (!skus || skus.includes(sku)) for (const id of set) ids.add(id);
    return [...ids]
      .map((id) => this.open.get(id)!)
      .filter(Boolean)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((o) => o.id);
  }

  /** Takes waiting events off the list (memory and store; call inside a transaction). */
  removeWaiting(positions: readonly number[]): void {
    if (positions.length === 0) return;
    const gone = new Set(positions);
    for (const [id, list] of [...this.waiting]) {
      const kept = list.filter((r) => !gone.has(r.position));
      if (kept.length === list.length) continue;
      if (kept.length > 0) this.waiting.set(id, kept);
      else this.waiting.delete(id);
    }
    this.deps.orders.removeWaiting([...positions]);
  }

  /** Frees an order's channel reference and its Idempotency-Key (call inside a transaction). */
  forgetCapture(order: OrderState, idempotencyKey: string): void {
    this.deps.orders.releaseReference(order.channel, order.externalId);
    this.deps.orders.forgetKey(idempotencyKey);
  }

  /** Raises order exceptions for a person (call inside a transaction). */
  raise(exceptions: readonly Omit<OrderException, 'id'>[]): void {
    for (const e of exceptions) this.deps.orders.raiseException(e);
  }

  /** Puts events on the waiting list (memory and store; call inside a transaction). */
  saveWaiting(records: readonly WaitingRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) this.waiting.set(r.orderId, [...(this.waiting.get(r.orderId) ?? []), r]);
    this.deps.orders.saveWaiting([...records]);
  }

  /** Drops memory and reloads it (after a failed write); the ledger must have been rebuilt first. */
  reload(): void {
    this.open = new Map();
    this.holds = new Map();
    this.waiting = new Map();
    this.backlog = new Map();
    this.unconfirmed = new Map();
    this.load();
  }

  private load(): void {
    const { orders, state } = this.deps;
    for (const r of orders.waitingEvents()) this.waiting.set(r.orderId, [...(this.waiting.get(r.orderId) ?? []), r]);
    for (const order of orders.openOrders()) {
      // The ledger was rebuilt without reservations: put back what each open order holds.
      const holds = orderHolds(order, this.snapshotAt);
      for (const [key, n] of holds) {
        const [sku, loc] = key.split(SEP) as [string, string];
        state.ledger.reserve(sku, loc, n);
      }
      this.track(order, holds, true);
    }
  }

  private track(order: OrderState, holds: Map<string, number>, open: boolean): void {
    const id = order.id;
    if (open) {
      this.open.set(id, order);
      this.holds.set(id, holds);
    } else {
      this.open.delete(id);
      this.holds.delete(id);
    }
    for (const line of order.lines) {
      const owed = open && order.erp.state !== 'failed' && lineFigures(order, line).backordered > 0;
      const set = this.backlog.get(line.sku);
      if (owed) {
        if (set) set.add(id);
        else this.backlog.set(line.sku, new Set([id]));
      } else if (set) {
        set.delete(id);
        if (set.size === 0) this.backlog.delete(line.sku);
      }
    }
    const shippedAt = new Set(order.shipments.flatMap((s) => s.lines.map((l) => l.sku + SEP + s.location)));
    for (const key of shippedAt) {
      const set = this.unconfirmed.get(key);
      if (open && (holds.get(key) ?? 0) > 0) {
        if (set) set.add(id);
        else this.unconfirmed.set(key, new Set([id]));
      } else if (set) {
        set.delete(id);
        if (set.size === 0) this.unconfirmed.delete(key);
      }
    }
  }
}
