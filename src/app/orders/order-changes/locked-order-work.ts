/**
 * OrderWork inside one shared-state transaction: the orders in scope locked (by id), then every
 * item they name or hold plus the items the caller adds (in sku order), with what the domain needs
 * of those items loaded. Decisions record into memory; `write` then saves the orders, their
 * timelines and outbox messages, their holds (diffed against the rows the shared state has, so
 * whatever wrote them last is the base), waiting events and exceptions. A worker's event batch
 * and every change to existing orders on the scale-out backend go through it.
 */
import { orderHolds, type OrderState, type SnapshotTime } from '../../../domain/orders/order-state.js';
import type { OrderWork, Step, StepMessage } from '../../../ports/order-changes.js';
import type { OrderException, WaitingRecord } from '../../../ports/order-store.js';
import type { LedgerTransaction } from '../../../ports/ledger-store.js';
import { TouchedItems } from '../../log/figure-appends.js';
import type { HoldsEntry } from '../../log/log-entries.js';
import { loadItems, type LoadedItems } from '../../log/load-items.js';
import type { LedgerOptions } from '../../../domain/inventory/inventory-ledger.js';
import { countedAt, itemsOf, unconfirmedOf } from '../order-holds.js';
import { saveOrderChanges } from '../saved-order.js';

const SEP = '\u001f';

interface Changed {
  order: OrderState;
  steps: Step[];
  messages: StepMessage[];
}

export class LockedOrderWork implements OrderWork {
  readonly nowIso: string;
  readonly book: LoadedItems['book'];
  readonly countedAt: SnapshotTime;
  /** Item × location pairs whose stock or holds moved (the caller recomputes their figures). */
  readonly touched = new TouchedItems();
  private readonly orders: Map<string, OrderState>;
  private readonly holdsNow = new Map<string, Map<string, number>>();
  private readonly waitingBy = new Map<string, WaitingRecord[]>();
  private readonly changed = new Map<string, Changed>();
  private readonly deltas: HoldsEntry['holds'] = [];
  private readonly removed: number[] = [];
  private readonly saved: WaitingRecord[] = [];
  private readonly raised: Omit<OrderException, 'id'>[] = [];
  private readonly forgotten: { reference: { channel: string; externalId: string }; key: string }[] = [];

  private constructor(
    readonly loaded: LoadedItems,
    locked: OrderState[],
    held: HoldsEntry['holds'][number][],
    waiting: WaitingRecord[],
    readonly nowMs: number,
  ) {
    this.nowIso = new Date(nowMs).toISOString();
    this.book = loaded.book;
    this.countedAt = countedAt(loaded);
    this.orders = new Map(locked.map((o) => [o.id, o]));
    for (const h of held) {
      let m = this.holdsNow.get(h.orderId);
      if (!m) this.holdsNow.set(h.orderId, (m = new Map()));
      m.set(h.sku + SEP + h.location, h.units);
    }
    for (const w of waiting) this.waitingBy.set(w.orderId, [...(this.waitingBy.get(w.orderId) ?? []), w]);
  }

  /**
   * Locks `orderIds` (those that exist), then their items and `items`, and loads them. Orders
   * before items: the lock order of every change to an existing order on this backend.
   */
  static async open(
    tx: LedgerTransaction,
    orderIds: readonly string[],
    items: readonly string[],
    nowMs: number,
    ledgerOptions?: LedgerOptions,
  ): Promise<LockedOrderWork> {
    const ids = [...new Set(orderIds)];
    const locked = ids.length > 0 ? await tx.orders.lockOrders(ids) : [];
    const held = locked.length > 0 ? await tx.holdsOf(locked.map((o) => o.id)) : [];
    const skus = [...new Set([...itemsOf(locked, held), ...items])];
    await tx.lockItems(skus);
    const loaded = await loadItems(tx, skus, ledgerOptions);
    const waiting = ids.length > 0 ? await tx.orders.waitingFor(ids) : [];
    return new LockedOrderWork(loaded, locked, held, waiting, nowMs);
  }

  /** The ids of the orders this work holds locked. */
  lockedIds(): string[] {
    return [...this.orders.keys()];
  }

  order(id: string): OrderState | undefined {
    return this.orders.get(id);
  }

  waiting(orderId: string): readonly WaitingRecord[] {
    return this.waitingBy.get(orderId) ?? [];
  }

  holds(orderId: string): ReadonlyMap<string, number> {
    return this.holdsNow.get(orderId) ?? new Map();
  }

  shippedUnconfirmed(sku: string, location: string): string[] {
    const key = sku + SEP + location;
    return [...this.orders.values()]
      .filter((o) => (this.holdsNow.get(o.id)?.get(key) ?? 0) > 0 && o.shipments.some((s) => s.location === location && s.lines.some((l) => l.sku === sku)))
      .map((o) => o.id);
  }

  record(next: OrderState, steps: readonly Step[], messages: readonly StepMessage[] = []): void {
    const before = this.holdsNow.get(next.id) ?? new Map<string, number>();
    const after = orderHolds(next, this.countedAt);
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const units = (after.get(key) ?? 0) - (before.get(key) ?? 0);
      if (units === 0) continue;
      const [sku, location] = key.split(SEP) as [string, string];
      // Taken (or given back) at once: a later decision in this work sees what is left.
      this.loaded.ledger.reserve(sku, location, units);
      this.touched.touch(sku, location);
      this.deltas.push({ orderId: next.id, sku, location, units });
    }
    this.holdsNow.set(next.id, after);
    this.orders.set(next.id, next);
    const earlier = this.changed.get(next.id);
    this.changed.set(next.id, { order: next, steps: [...(earlier?.steps ?? []), ...steps], messages: [...(earlier?.messages ?? []), ...messages] });
  }

  removeWaiting(positions: readonly number[]): void {
    const gone = new Set(positions);
    this.removed.push(...positions);
    for (const [id, list] of this.waitingBy)
      this.waitingBy.set(
        id,
        list.filter((r) => !gone.has(r.position)),
      );
  }

  saveWaiting(records: readonly WaitingRecord[]): void {
    this.saved.push(...records);
    for (const r of records) this.waitingBy.set(r.orderId, [...(this.waitingBy.get(r.orderId) ?? []), r]);
  }

  raise(exceptions: readonly Omit<OrderException, 'id'>[]): void {
    this.raised.push(...exceptions);
  }

  forgetCapture(order: OrderState, idempotencyKey: string): void {
    this.forgotten.push({ reference: { channel: order.channel, externalId: order.externalId }, key: idempotencyKey });
  }

  /** Writes what was recorded, in the same transaction; returns the holds that moved (for the read models). */
  async write(tx: LedgerTransaction): Promise<HoldsEntry['holds']> {
    const gone = new Set(this.removed);
    const taken = new Set(await tx.orders.removeWaiting(this.removed));
    // A record that waited and left again within this work is never written.
    await tx.orders.saveWaiting(this.saved.filter((w) => !gone.has(w.position)));
    // A waiting event another process took first (one for an order never captured) is not raised twice.
    await tx.orders.raiseExceptions(this.raised.filter((e) => e.position === null || !gone.has(e.position) || taken.has(e.position)));
    if (this.forgotten.length > 0) {
      await tx.orders.dropReferences(this.forgotten.map((f) => f.reference));
      for (const f of this.forgotten) await tx.orders.forgetKey(f.key);
    }
    if (this.changed.size === 0) return [];
    for (const c of this.changed.values()) c.order.updatedAt = this.nowIso;
    await tx.addHolds(this.deltas);
    const orders = [...this.changed.values()].map((c) => c.order);
    await tx.orders.replaceUnconfirmed(
      orders.map((o) => o.id),
      orders.flatMap((o) => unconfirmedOf(o, this.holdsNow.get(o.id)!)),
    );
    await saveOrderChanges(tx.orders, [...this.changed.values()], this.nowIso);
    return this.deltas;
  }
}
