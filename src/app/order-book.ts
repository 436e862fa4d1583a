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
import { cloneOrder, orderHolds, isSettled, lineFigures, statusOf, type OrderState, type SnapshotTime } from '../domain/orders/order-state.js';
import type { OutboundMessage, PositionedEvent } from '../domain/orders/order-machine.js';
import { expiryOf, settleOrderEvents, waitingForUnknownOrder } from './order-settlement.js';
import { sourceForChannel } from '../domain/orders/channel-sourcing.js';
import type { Channel } from '../model/catalog.js';
import type { Clock } from '../ports/clock.js';
import type { OrderStore, WaitingRecord } from '../ports/order-store.js';
import type { InventoryState } from './inventory-state.js';
import { outboxRecords, timelineRecords, type Step } from './order-records.js';

export type { Step } from './order-records.js';

export interface OrderBookDeps { state: InventoryState; orders: OrderStore; clock: Clock }

/** Called with each item × location whose held quantity changed. */
export type Touch = (sku: string, location: string) => void;


const SEP = '\u001f';

export class OrderBook {
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

  constructor(private readonly deps: OrderBookDeps) {
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

  openOrders(): IterableIterator<OrderState> {
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
    orders.appendOutbox(outboxRecords(order, messages, now));
  }

  private isOpen(order: OrderState, holds?: Map<string, number>): boolean {
    return !isSettled(order, this.snapshotAt, holds) || this.waitingCount(order.id) > 0;
  }

  /**
   * Takes an order event (inside the ingest transaction): applies it and whatever was waiting on
   * it, or parks it until its precondition arrives, or rejects it with a reason.
   */
  receive(incoming: PositionedEvent, touch: Touch): void {
    const order = this.get(incoming.event.orderId);
    if (!order) {
      const record = waitingForUnknownOrder(incoming, new Date(this.deps.clock.now()).toISOString());
      this.deps.orders.saveWaiting([record]);
      this.waiting.set(record.orderId, [...(this.waiting.get(record.orderId) ?? []), record]);
      return;
    }
    this.settleAndRecord(order, incoming, touch);
  }

  /** Runs the order's waiting events (after the ERP confirmed it, say) and records the result with `first`. */
  settleAndRecord(order: OrderState, incoming: PositionedEvent | undefined, touch: Touch, first: Step[] = [], firstMessages: { step: string; message: OutboundMessage }[] = []): OrderState {
    const { orders, clock } = this.deps;
    const result = settleOrderEvents(order, this.waiting.get(order.id) ?? [], incoming, new Date(clock.now()).toISOString());
    for (const e of result.exceptions) orders.raiseException(e);
    if (result.removed.length > 0) orders.removeWaiting(result.removed);
    if (result.waits) orders.saveWaiting([result.waits]);
    if (result.waiting.length > 0) this.waiting.set(order.id, result.waiting); else this.waiting.delete(order.id);
    this.record(result.order, [...first, ...result.steps], [...firstMessages, ...result.messages], touch);
    return result.order;
  }

  /**
   * The location's authority showed `qty` units leaving for an order (a pick or ship movement
   * carrying its id): they stop being held, whether or not the shipment was reported yet.
   */
  noteDeparture(orderId: string, sku: string, location: string, qty: number, event: { source: string; id: string; occurredAt: string }, touch: Touch): void {
    const order = this.get(orderId);
    const line = order?.lines.find((l) => l.sku === sku);
    if (!order || !line) return;
    const next = cloneOrder(order);
    const l = next.lines.find((x) => x.sku === sku)!;
    l.departed[location] = (l.departed[location] ?? 0) + qty;
    this.record(next, [{ step: 'stock.departed', source: event.source, at: event.occurredAt, detail: `${qty} × ${sku} left ${location} (${event.id})` }], [], touch);
  }

  /** The authority counted `sku` at `location`: shipments before the count are inside it. */
  noteCount(sku: string, location: string, touch: Touch): void {
    const ids = this.unconfirmed.get(sku + SEP + location);
    if (!ids) return;
    for (const id of [...ids]) {
      const order = this.open.get(id);
      if (!order) continue;
      const after = orderHolds(order, this.snapshotAt);
      const before = this.holds.get(id);
      if (before && sameHolds(before, after)) continue;
      this.record(cloneOrder(order), [{ step: 'stock.counted', source: 'hub', detail: `a count of ${sku} at ${location} shows the shipped units gone` }], [], touch);
    }
  }

  /** Reserves stock that has become free for orders owed `sku`, oldest first. */
  fillBackorders(sku: string, touch: Touch): void {
    const ids = this.backlog.get(sku);
    if (!ids) return;
    for (const id of [...ids]) {
      const order = this.open.get(id);
      const channel = order && this.deps.state.book.channels.get(order.channel) as Channel | undefined;
      if (!order || !channel) continue;
      const line = order.lines.find((l) => l.sku === sku)!;
      const owed = lineFigures(order, line).backordered;
      if (owed === 0) continue;
      const sourced = this.reserveFor(channel, [{ sku, qty: owed }], 'allow');
      if (!sourced.ok) continue;
      const got = sourced.allocations[0]!;
      const units = got.reduce((n, [, q]) => n + q, 0);
      if (units === 0) break;
      const next = cloneOrder(order);
      next.lines.find((l) => l.sku === sku)!.alloc.push(...got);
      this.record(next, [{ step: 'backorder.filled', source: 'hub', detail: `${units} × ${sku} reserved at ${got.map(([loc, q]) => `${loc} (${q})`).join(', ')}` }], [], touch);
    }
  }

  /** Events that have waited since before `cutoffIso` become exceptions; returns how many. */
  expireWaiting(cutoffIso: string, touch: Touch): number {
    const { orders, clock } = this.deps;
    const now = new Date(clock.now()).toISOString();
    let expired = 0;
    for (const [orderId, records] of [...this.waiting]) {
      const old = records.filter((r) => r.since < cutoffIso);
      if (old.length === 0) continue;
      expired += old.length;
      orders.removeWaiting(old.map((r) => r.position));
      const kept = records.filter((r) => r.since >= cutoffIso);
      if (kept.length > 0) this.waiting.set(orderId, kept); else this.waiting.delete(orderId);
      const expiries = old.map((r) => expiryOf(r, now));
      for (const x of expiries) orders.raiseException(x.exception);
      const order = this.get(orderId);
      if (order) this.record(cloneOrder(order), expiries.map((x) => x.step), [], touch);
    }
    return expired;
  }

  /** Drops memory and reloads it (after a failed write); the ledger must have been rebuilt first. */
  reload(): void {
    this.open = new Map(); this.holds = new Map(); this.waiting = new Map(); this.backlog = new Map(); this.unconfirmed = new Map();
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
    if (open) { this.open.set(id, order); this.holds.set(id, holds); } else { this.open.delete(id); this.holds.delete(id); }
    for (const line of order.lines) {
      const owed = open && order.erp.state !== 'failed' && lineFigures(order, line).backordered > 0;
      const set = this.backlog.get(line.sku);
      if (owed) { if (set) set.add(id); else this.backlog.set(line.sku, new Set([id])); }
      else if (set) { set.delete(id); if (set.size === 0) this.backlog.delete(line.sku); }
    }
    const shippedAt = new Set(order.shipments.flatMap((s) => s.lines.map((l) => l.sku + SEP + s.location)));
    for (const key of shippedAt) {
      const set = this.unconfirmed.get(key);
      if (open && (holds.get(key) ?? 0) > 0) { if (set) set.add(id); else this.unconfirmed.set(key, new Set([id])); }
      else if (set) { set.delete(id); if (set.size === 0) this.unconfirmed.delete(key); }
    }
  }
}

function sameHolds(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
