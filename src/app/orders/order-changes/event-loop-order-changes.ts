/**
 * Order changes made atomic on the embedded hub's event loop: a change decides synchronously
 * against the live order openOrders and ledger, so nothing else can look at the orders or stock
 * between its reads and its records, and its writes join the next group commit (one fsync for
 * every change waiting on it). Should the commit fail, every waiter is told and memory is
 * rebuilt from the store.
 */
import type { OrderChanges, OrderWork } from '../../../ports/order-changes.js';
import type { Clock } from '../../../ports/clock.js';
import type { WaitingRecord } from '../../../ports/order-store.js';
import type { GroupCommit } from '../../group-commit.js';
import type { InventoryState } from '../../inventory/inventory-state.js';
import type { OpenOrders } from '../open-orders.js';
import { collectTouches } from '../../inventory/figure-touches.js';

export interface EventLoopOrderChangesDeps {
  state: InventoryState;
  openOrders: OpenOrders;
  commits: GroupCommit;
  clock: Clock;
}

export class EventLoopOrderChanges implements OrderChanges {
  constructor(private readonly deps: EventLoopOrderChangesDeps) {}

  async change<T>(_scope: { orders: readonly string[]; items?: readonly string[] }, decide: (work: OrderWork) => T): Promise<T> {
    const { state, commits, clock } = this.deps;
    let result: { value: T } | undefined;
    let refusal: { err: unknown } | undefined;
    // Every order and item is in memory here: the scope needs no locking, the event loop is the lock.
    await commits.commit('the order change', () => {
      const touches = collectTouches(state);
      const nowMs = clock.now();
      const work = liveOrderWork(this.deps, touches.touch, nowMs);
      // A refusal decided before anything was recorded must not fail the other changes in this commit.
      try {
        result = { value: decide(work) };
      } catch (err) {
        refusal = { err };
      }
      touches.write(nowMs);
    });
    if (refusal) throw refusal.err;
    return result!.value;
  }

  async owingOrders(limit: number, skus?: readonly string[]): Promise<string[]> {
    return this.deps.openOrders.owing(limit, skus);
  }

  async heldFor(customer: string): Promise<string[]> {
    return [...this.deps.openOrders.all()].filter((o) => o.customer === customer && o.erp.state === 'held').map((o) => o.id);
  }

  async waitingSince(iso: string, limit: number): Promise<WaitingRecord[]> {
    return this.deps.openOrders.waitingSince(iso, limit);
  }
}

/**
 * The live order openOrders as OrderWork, for a change already inside a transaction (the embedded
 * ingest fills backorders from the stock it just received in its own commit). `touch` hears of
 * every item × location whose holds moved.
 */
export function liveOrderWork(
  deps: Pick<EventLoopOrderChangesDeps, 'state' | 'openOrders'>,
  touch: (sku: string, location: string) => void,
  nowMs: number,
): OrderWork {
  const { state, openOrders } = deps;
  return {
    nowMs,
    nowIso: new Date(nowMs).toISOString(),
    book: state.book,
    order: (id) => openOrders.get(id),
    waiting: (id) => openOrders.waitingOf(id),
    holds: (id) => openOrders.holdsOf(id),
    countedAt: openOrders.snapshotAt,
    shippedUnconfirmed: (sku, location) => openOrders.shippedUnconfirmed(sku, location),
    record: (next, steps, messages = []) => openOrders.record(next, [...steps], [...messages], touch),
    removeWaiting: (positions) => openOrders.removeWaiting(positions),
    saveWaiting: (records: readonly WaitingRecord[]) => openOrders.saveWaiting(records),
    raise: (exceptions) => openOrders.raise(exceptions),
    forgetCapture: (order, key) => openOrders.forgetCapture(order, key),
  };
}
