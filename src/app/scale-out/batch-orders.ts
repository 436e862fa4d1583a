/**
 * What one worker batch does to orders, inside the batch's transaction: order events run through
 * the state machine (or wait for their precondition, or are rejected with an exception), stock the
 * location's authority shows leaving for an order (a pick or ship movement carrying its id), and
 * counts that show shipped units gone. The same rules as the embedded order book, on the shared
 * state: the orders are locked before the items (the lock order of every change to an existing
 * order), and their holds are written from their facts once the batch's stock is applied.
 */
import { cloneOrder, orderHolds, type OrderState } from '../../domain/orders/order-state.js';
import type { OutboundMessage, PositionedEvent } from '../../domain/orders/order-machine.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { OrderException, WaitingRecord } from '../../ports/order-store.js';
import type { LedgerTransaction, StockHold } from '../../ports/shared-ledger-store.js';
import type { Step } from '../order-records.js';
import { settleOrderEvents, waitingForUnknownOrder } from '../order-settlement.js';
import type { TouchedItems } from './figure-appends.js';
import type { HoldsEntry } from './log-entries.js';
import type { LoadedItems } from './load-items.js';
import { countedAt, itemsOf, writeOrderHolds } from './order-holds.js';
import { saveOrderChanges } from './saved-order.js';

const SEP = '\u001f';

/**
 * A count confirmed shipments of orders this batch did not lock (they shipped while it waited
 * for its items): the batch is run again with them locked first.
 */
export class UnlockedOrdersError extends Error {
  constructor(readonly orderIds: string[]) {
    super(`orders ${orderIds.join(', ')} shipped from a counted item while the batch waited; run it again with them locked`);
    this.name = 'UnlockedOrdersError';
  }
}

interface Change { order: OrderState; steps: Step[]; messages: { step: string; message: OutboundMessage }[] }

/** The inventory events that concern an order: stock leaving for it, or a count of what it shipped. */
export function departureOf(event: HubEvent): { orderId: string; qty: number } | undefined {
  if (event.type !== 'inventory.movement' || event.orderId === undefined) return undefined;
  const left = -(event.delta.onHand ?? 0);
  return left > 0 && (event.reason === 'pick' || event.reason === 'ship') ? { orderId: event.orderId, qty: left } : undefined;
}

export class BatchOrders {
  private readonly orders = new Map<string, OrderState>();
  private readonly waiting = new Map<string, WaitingRecord[]>();
  private readonly changes = new Map<string, Change>();
  /** Orders whose holds a count may have moved (saved only if they did). */
  private readonly counted = new Set<string>();
  private readonly savedWaiting: WaitingRecord[] = [];
  private readonly removedWaiting: number[] = [];
  private readonly exceptions: Omit<OrderException, 'id'>[] = [];

  private constructor(private readonly held: (StockHold & { orderId: string })[], private readonly nowIso: string) {}

  /**
   * Locks the orders the events name (and `extra`), and those with shipped units at the item x
   * location pairs the batch's snapshots count; loads their waiting events and holds.
   */
  static async lock(tx: LedgerTransaction, events: readonly HubEvent[], extra: readonly string[], nowIso: string): Promise<BatchOrders> {
    const ids = new Set(extra);
    for (const e of events) {
      if (e.type === 'inventory.snapshot') continue;
      if (e.type === 'inventory.movement') { if (e.orderId !== undefined) ids.add(e.orderId); } else ids.add(e.orderId);
    }
    for (const id of await tx.orders.unconfirmedAt(countedPairs(events))) ids.add(id);
    if (ids.size === 0) return new BatchOrders([], nowIso);
    const list = [...ids];
    const orders = await tx.orders.lockOrders(list);
    const batch = new BatchOrders(await tx.holdsOf(list), nowIso);
    for (const o of orders) batch.orders.set(o.id, o);
    for (const w of await tx.orders.waitingFor(list)) batch.waiting.set(w.orderId, [...batch.waiting.get(w.orderId) ?? [], w]);
    return batch;
  }

  /** The items the locked orders name or hold (the batch locks them with its own). */
  items(): string[] {
    return itemsOf([...this.orders.values()], this.held);
  }

  /** Throws UnlockedOrdersError when a count concerns an order this batch did not lock. */
  async checkCounted(tx: LedgerTransaction, events: readonly HubEvent[]): Promise<void> {
    const pairs = countedPairs(events);
    if (pairs.length === 0) return;
    const missing = (await tx.orders.unconfirmedAt(pairs)).filter((id) => !this.orders.has(id));
    if (missing.length > 0) throw new UnlockedOrdersError(missing);
  }

  /** An order event at its log position. */
  receive(incoming: PositionedEvent): void {
    const order = this.current(incoming.event.orderId);
    if (!order) {
      const record = waitingForUnknownOrder(incoming, this.nowIso);
      this.savedWaiting.push(record);
      this.waiting.set(record.orderId, [...this.waiting.get(record.orderId) ?? [], record]);
      return;
    }
    const result = settleOrderEvents(order, this.waiting.get(order.id) ?? [], incoming, this.nowIso);
    this.exceptions.push(...result.exceptions);
    this.removedWaiting.push(...result.removed);
    if (result.waits) this.savedWaiting.push(result.waits);
    this.waiting.set(order.id, result.waiting);
    this.change(result.order, result.steps, result.messages);
  }

  /** The authority showed `qty` units of `sku` leaving `location` for an order. */
  departure(orderId: string, sku: string, location: string, qty: number, event: { source: string; id: string; occurredAt: string }): void {
    const order = this.current(orderId);
    if (!order?.lines.some((l) => l.sku === sku)) return;
    const next = cloneOrder(order);
    const line = next.lines.find((l) => l.sku === sku)!;
    line.departed[location] = (line.departed[location] ?? 0) + qty;
    this.change(next, [{ step: 'stock.departed', source: event.source, at: event.occurredAt, detail: `${qty} × ${sku} left ${location} (${event.id})` }], []);
  }

  /** The authority counted `sku` at `location`: shipments before the count are inside it. */
  count(sku: string, location: string): void {
    for (const order of this.orders.values()) {
      if (order.shipments.some((s) => s.location === location && s.lines.some((l) => l.sku === sku))) this.counted.add(order.id);
    }
  }

  /**
   * Writes what changed: the orders, their timelines, outbox messages, waiting events and
   * exceptions, and their holds (into the loaded items too). Returns the holds' changes.
   */
  async write(tx: LedgerTransaction, loaded: LoadedItems, touched: TouchedItems): Promise<HoldsEntry['holds']> {
    const at = countedAt(loaded);
    for (const id of this.counted) {
      if (this.changes.has(id)) continue;
      const order = this.orders.get(id)!;
      const after = orderHolds(order, at);
      const before = this.held.filter((h) => h.orderId === id);
      const same = before.length === after.size && before.every((h) => after.get(h.sku + SEP + h.location) === h.units);
      if (!same) {
        const detail = `a count shows the shipped units gone`;
        this.change(cloneOrder(order), [{ step: 'stock.counted', source: 'hub', detail }], []);
      }
    }
    const changed = [...this.changes.values()];
    const holds = await writeOrderHolds(tx, loaded, changed.map((c) => c.order), this.held, touched);
    for (const c of changed) c.order.updatedAt = this.nowIso;
    await saveOrderChanges(tx.orders, changed, this.nowIso);
    await tx.orders.removeWaiting(this.removedWaiting);
    // A record that waited and left again within this batch is never written.
    const gone = new Set(this.removedWaiting);
    await tx.orders.saveWaiting(this.savedWaiting.filter((w) => !gone.has(w.position)));
    await tx.orders.raiseExceptions(this.exceptions);
    return holds;
  }

  private current(id: string): OrderState | undefined {
    return this.changes.get(id)?.order ?? this.orders.get(id);
  }

  private change(next: OrderState, steps: Step[], messages: Change['messages']): void {
    const earlier = this.changes.get(next.id);
    this.changes.set(next.id, { order: next, steps: [...earlier?.steps ?? [], ...steps], messages: [...earlier?.messages ?? [], ...messages] });
    this.orders.set(next.id, next);
  }
}

function countedPairs(events: readonly HubEvent[]): { sku: string; location: string }[] {
  const pairs = new Map<string, { sku: string; location: string }>();
  for (const e of events) if (e.type === 'inventory.snapshot') pairs.set(e.sku + SEP + e.location, { sku: e.sku, location: e.location });
  return [...pairs.values()];
}
