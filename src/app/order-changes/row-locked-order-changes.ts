/**
 * Order changes made atomic on the shared state: one PostgreSQL transaction locks the orders in
 * scope, then their items (LockedOrderWork), lets the change decide on that picture, and writes
 * what it recorded with the channel figures its holds move; the holds reach every read model
 * through the log. Orders before items is the lock order of every change to an existing order on
 * this backend, so changes, captures and workers cannot deadlock.
 */
import type { Clock } from '../../ports/clock.js';
import type { OrderChanges, OrderWork } from '../../ports/order-changes.js';
import type { WaitingRecord } from '../../ports/order-store.js';
import type { SharedLedgerStore } from '../../ports/shared-ledger-store.js';
import type { SharedOrderStore } from '../../ports/shared-order-store.js';
import { byChannel } from '../scale-out/figure-appends.js';
import type { HoldsEntry } from '../scale-out/log-entries.js';
import { LockedOrderWork } from './locked-order-work.js';

export interface RowLockedOrderChangesDeps {
  store: SharedLedgerStore;
  orders: SharedOrderStore;
  clock: Clock;
  /** The log position stamped on the figure changes a change records. */
  position: () => number;
  /** Hears of holds taken or released once committed (this process's read model, the log relay). */
  holdsCommitted: (queued: { outboxId: number; holds: HoldsEntry['holds'] }) => void;
}

export class RowLockedOrderChanges implements OrderChanges {
  constructor(private readonly deps: RowLockedOrderChangesDeps) {}

  async change<T>(scope: { orders: readonly string[]; items?: readonly string[] }, decide: (work: OrderWork) => T): Promise<T> {
    let queued: { outboxId: number; holds: HoldsEntry['holds'] } | undefined;
    const result = await this.deps.store.eventBatch(async (tx) => {
      const work = await LockedOrderWork.open(tx, scope.orders, scope.items ?? [], this.deps.clock.now());
      const value = decide(work);
      const holds = await work.write(tx);
      if (holds.length > 0) queued = { outboxId: await tx.queueForLog('holds', holds[0]!.sku, { holds }), holds };
      await tx.appendChanges(byChannel(work.touched.refresh(work.book, work.nowMs), this.deps.position(), work.nowIso));
      return value;
    });
    if (queued) this.deps.holdsCommitted(queued);
    return result;
  }

  owingOrders(limit: number, skus?: readonly string[]): Promise<string[]> {
    return this.deps.orders.owingOrders(limit, skus);
  }

  heldFor(customer: string): Promise<string[]> {
    return this.deps.orders.heldFor(customer);
  }

  waitingSince(iso: string, limit: number): Promise<WaitingRecord[]> {
    return this.deps.orders.waitingSince(iso, limit);
  }
}
