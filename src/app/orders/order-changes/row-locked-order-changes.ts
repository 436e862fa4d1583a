/**
 * Order changes made atomic on the shared state: one PostgreSQL transaction locks the orders in
 * scope, then their items (LockedOrderWork), lets the change decide on that picture, and writes
 * what it recorded with the channel figures its holds move; the holds reach every read model
 * through the log. Orders before items is the lock order of every change to an existing order on
 * this backend, so changes, captures and workers cannot deadlock.
 */
import type { Clock } from '../../../ports/clock.js';
import type { OrderChanges, OrderWork } from '../../../ports/order-changes.js';
import type { WaitingRecord } from '../../../ports/order-store.js';
import type { LedgerStore } from '../../../ports/ledger-store.js';
import type { LockingOrderStore } from '../../../ports/locking-order-store.js';
import { byChannel } from '../../log/figure-appends.js';
import type { HoldsEntry } from '../../log/log-entries.js';
import { LockedOrderWork } from './locked-order-work.js';
import { Batched } from '../../batched.js';
import { UnstorableSubmissionError } from '../../../domain/errors.js';

interface Pending {
  scope: { orders: readonly string[]; items?: readonly string[] };
  decide: (work: OrderWork) => unknown;
}
type Decided = { value: unknown } | { refused: unknown };

export interface RowLockedOrderChangesDeps {
  store: LedgerStore;
  orders: LockingOrderStore;
  clock: Clock;
  /** The log position stamped on the figure changes a change records. */
  position: () => number;
  /** Hears of holds taken or released once committed (this process's read model, the log relay). */
  holdsCommitted: (queued: { outboxId: number; holds: HoldsEntry['holds'] }) => void;
}

export class RowLockedOrderChanges implements OrderChanges {
  constructor(private readonly deps: RowLockedOrderChangesDeps) {}

  // Changes that arrive while one runs go together into the next transaction (the ERP's answers
  // to concurrent captures, say): one round trip for many, in two lanes. Each lane locks orders,
  // then items, in one order, so the lanes cannot deadlock.
  private readonly together = new Batched<Pending, Decided>(
    (pending) => this.decideTogether(pending),
    2,
    (cause) => new UnstorableSubmissionError('this order change', cause),
  );

  async change<T>(scope: { orders: readonly string[]; items?: readonly string[] }, decide: (work: OrderWork) => T): Promise<T> {
    const decided = await this.together.call({ scope, decide });
    if ('refused' in decided) throw decided.refused;
    return decided.value as T;
  }

  private async decideTogether(pending: Pending[]): Promise<Decided[]> {
    let queued: { outboxId: number; holds: HoldsEntry['holds'] } | undefined;
    const decided = await this.deps.store.eventBatch(async (tx) => {
      const orders = pending.flatMap((p) => p.scope.orders);
      const items = pending.flatMap((p) => p.scope.items ?? []);
      const work = await LockedOrderWork.open(tx, orders, items, this.deps.clock.now());
      // A change refuses before it records, so a refusal leaves the others' records whole.
      const outcomes = pending.map((p): Decided => {
        try {
          return { value: p.decide(work) };
        } catch (refused) {
          return { refused };
        }
      });
      const holds = await work.write(tx);
      if (holds.length > 0) queued = { outboxId: await tx.queueForLog('holds', holds[0]!.sku, { holds }), holds };
      await tx.appendChanges(byChannel(work.touched.refresh(work.book, work.nowMs), this.deps.position(), work.nowIso));
      return outcomes;
    });
    if (queued) this.deps.holdsCommitted(queued);
    return decided;
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
