/**
 * Changes one order on the shared state under its row lock: the decision sees the order as
 * committed, and the order, its timeline, its outbox messages and (when asked) the release of
 * everything it holds commit together. Every change after capture goes through here, so two
 * processes never both change one order.
 */
import { NotFoundError } from '../../domain/errors.js';
import type { OutboundMessage } from '../../domain/orders/order-machine.js';
import { statusOf, type OrderState } from '../../domain/orders/order-state.js';
import type { Clock } from '../../ports/clock.js';
import type { LedgerTransaction, SharedLedgerStore } from '../../ports/shared-ledger-store.js';
import { outboxRecords, timelineRecords, type Step } from '../order-records.js';
import type { HoldsEntry } from './log-entries.js';
import { releaseHolds } from './stock-reservations.js';

export interface OrderDecision {
  /** The order as it should become; the current one itself when nothing changes. */
  next: OrderState;
  steps?: Step[];
  messages?: { step: string; message: OutboundMessage }[];
  /** Release everything the order holds (cancelled, or failed by the ERP). */
  release?: boolean;
}

export interface OrderChangeDeps {
  store: SharedLedgerStore;
  clock: Clock;
  /** The log position stamped on figure changes a release records. */
  position: () => number;
  /** Hears of released holds once committed (the read model, the relay). */
  released: (queued: { outboxId: number; holds: HoldsEntry['holds'] }) => void;
}

/** Throws NotFoundError for an unknown order. */
export async function changeOrder(deps: OrderChangeDeps, id: string, decide: (tx: LedgerTransaction, current: OrderState) => Promise<OrderDecision>): Promise<OrderState> {
  const { store, clock } = deps;
  let queued: { outboxId: number; holds: HoldsEntry['holds'] } | undefined;
  const result = await store.eventBatch(async (tx) => {
    const current = await tx.orders.lockOrder(id);
    if (!current) return undefined;
    const decision = await decide(tx, current);
    if (decision.next === current) return current;
    const nowMs = clock.now();
    const nowIso = new Date(nowMs).toISOString();
    const next = { ...decision.next, updatedAt: nowIso };
    if (decision.release) queued = (await releaseHolds(tx, id, nowMs, deps.position())).queued;
    const status = statusOf(next);
    await tx.orders.saveOrders([{ order: next, status }]);
    await tx.orders.appendTimeline(timelineRecords(next, status, decision.steps ?? [], nowIso));
    await tx.orders.appendOutbox(outboxRecords(next, decision.messages ?? [], nowIso));
    return next;
  });
  if (!result) throw new NotFoundError('Order', id);
  if (queued) deps.released(queued);
  return result;
}
