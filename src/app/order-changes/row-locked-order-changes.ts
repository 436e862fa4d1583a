/**
 * Order changes made atomic on the shared state: one PostgreSQL transaction locks the orders in
 * scope (by id), then every item they name or hold (in sku order), loads what the domain needs of
 * those items, lets the change decide on that picture, and writes the orders, their timelines and
 * outbox messages, their holds (diffed against the rows the shared state has, so whatever wrote
 * them last is the base), the figures the holds move, waiting events and exceptions together.
 * Orders before items is the lock order of every change to an existing order on this backend, so
 * changes, captures and workers cannot deadlock.
 */
import { orderHolds, type OrderState } from '../../domain/orders/order-state.js';
import type { Clock } from '../../ports/clock.js';
import type { OrderChanges, OrderWork, Step, StepMessage } from '../../ports/order-changes.js';
import type { OrderException, WaitingRecord } from '../../ports/order-store.js';
import type { SharedLedgerStore } from '../../ports/shared-ledger-store.js';
import type { SharedOrderStore } from '../../ports/shared-order-store.js';
import { byChannel, TouchedItems } from '../scale-out/figure-appends.js';
import type { HoldsEntry } from '../scale-out/log-entries.js';
import { loadItems } from '../scale-out/load-items.js';
import { countedAt, itemsOf, unconfirmedOf } from '../scale-out/order-holds.js';
import { saveOrderChanges } from '../scale-out/saved-order.js';

const SEP = '\u001f';

export interface RowLockedOrderChangesDeps {
  store: SharedLedgerStore;
  orders: SharedOrderStore;
  clock: Clock;
  /** The log position stamped on the figure changes a change records. */
  position: () => number;
  /** Hears of holds taken or released once committed (this process's read model, the log relay). */
  holdsCommitted: (queued: { outboxId: number; holds: HoldsEntry['holds'] }) => void;
}

interface Changed { order: OrderState; steps: Step[]; messages: StepMessage[] }

export class RowLockedOrderChanges implements OrderChanges {
  constructor(private readonly deps: RowLockedOrderChangesDeps) {}

  async change<T>(scope: { orders: readonly string[]; items?: readonly string[] }, decide: (work: OrderWork) => T): Promise<T> {
    const { store, clock } = this.deps;
    let queued: { outboxId: number; holds: HoldsEntry['holds'] } | undefined;
    const result = await store.eventBatch(async (tx) => {
      const ids = [...new Set(scope.orders)];
      const locked = await tx.orders.lockOrders(ids);
      const held = await tx.holdsOf(locked.map((o) => o.id));
      const skus = [...new Set([...itemsOf(locked, held), ...scope.items ?? []])];
      await tx.lockItems(skus);
      const loaded = await loadItems(tx, skus);
      const waiting = await tx.orders.waitingFor(ids);

      const orders = new Map(locked.map((o) => [o.id, o]));
      const holdsNow = new Map<string, Map<string, number>>();
      for (const h of held) {
        let m = holdsNow.get(h.orderId);
        if (!m) holdsNow.set(h.orderId, m = new Map());
        m.set(h.sku + SEP + h.location, h.units);
      }
      const waitingBy = new Map<string, WaitingRecord[]>();
      for (const w of waiting) waitingBy.set(w.orderId, [...waitingBy.get(w.orderId) ?? [], w]);
      const changed = new Map<string, Changed>();
      const deltas: HoldsEntry['holds'] = [];
      const touched = new TouchedItems();
      const removed: number[] = [];
      const saved: WaitingRecord[] = [];
      const raised: Omit<OrderException, 'id'>[] = [];
      const snapshotAt = countedAt(loaded);
      const nowMs = clock.now();
      const nowIso = new Date(nowMs).toISOString();

      const work: OrderWork = {
        nowMs, nowIso, book: loaded.book,
        order: (id) => orders.get(id),
        waiting: (id) => waitingBy.get(id) ?? [],
        record: (next, steps, messages = []) => {
          const before = holdsNow.get(next.id) ?? new Map<string, number>();
          const after = orderHolds(next, snapshotAt);
          for (const key of new Set([...before.keys(), ...after.keys()])) {
            const units = (after.get(key) ?? 0) - (before.get(key) ?? 0);
            if (units === 0) continue;
            const [sku, location] = key.split(SEP) as [string, string];
            // Taken (or given back) at once: a later decision in this change sees what is left.
            loaded.ledger.reserve(sku, location, units);
            touched.touch(sku, location);
            deltas.push({ orderId: next.id, sku, location, units });
          }
          holdsNow.set(next.id, after);
          orders.set(next.id, next);
          const earlier = changed.get(next.id);
          changed.set(next.id, { order: next, steps: [...earlier?.steps ?? [], ...steps], messages: [...earlier?.messages ?? [], ...messages] });
        },
        removeWaiting: (positions) => {
          const gone = new Set(positions);
          removed.push(...positions);
          for (const [id, list] of waitingBy) waitingBy.set(id, list.filter((r) => !gone.has(r.position)));
        },
        saveWaiting: (records) => {
          saved.push(...records);
          for (const r of records) waitingBy.set(r.orderId, [...waitingBy.get(r.orderId) ?? [], r]);
        },
        raise: (exceptions) => { raised.push(...exceptions); },
      };
      const value = decide(work);

      const gone = new Set(removed);
      const taken = new Set(await tx.orders.removeWaiting(removed));
      await tx.orders.saveWaiting(saved.filter((w) => !gone.has(w.position)));
      // A waiting event another process took first (one for an order never captured) is not raised twice.
      await tx.orders.raiseExceptions(raised.filter((e) => e.position === null || !gone.has(e.position) || taken.has(e.position)));
      if (changed.size === 0) return value;
      for (const c of changed.values()) c.order.updatedAt = nowIso;
      await tx.addHolds(deltas);
      const changedOrders = [...changed.values()].map((c) => c.order);
      await tx.orders.replaceUnconfirmed(changedOrders.map((o) => o.id), changedOrders.flatMap((o) => unconfirmedOf(o, holdsNow.get(o.id)!)));
      await saveOrderChanges(tx.orders, [...changed.values()], nowIso);
      if (deltas.length > 0) queued = { outboxId: await tx.queueForLog('holds', deltas[0]!.sku, { holds: deltas }), holds: deltas };
      await tx.appendChanges(byChannel(touched.refresh(loaded.book, nowMs), this.deps.position(), nowIso));
      return value;
    });
    if (queued) this.deps.holdsCommitted(queued);
    return result;
  }

  owingOrders(limit: number, skus?: readonly string[]): Promise<string[]> {
    return this.deps.orders.owingOrders(limit, skus);
  }

  waitingSince(iso: string, limit: number): Promise<WaitingRecord[]> {
    return this.deps.orders.waitingSince(iso, limit);
  }
}
