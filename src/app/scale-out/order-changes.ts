/**
 * Changes orders on the shared state under their row locks: each decision sees its order as
 * committed (and as changed by an earlier decision of the same batch), and the orders, their
 * timelines, their outbox messages and the release of what they hold commit together. Every
 * change after capture goes through here, so two processes never both change one order; changes
 * that arrive together (the ERP's answers to concurrent captures) share one transaction.
 */
import { NotFoundError } from '../../domain/errors.js';
import type { OutboundMessage } from '../../domain/orders/order-machine.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { Clock } from '../../ports/clock.js';
import type { OutboxRecord, TimelineRecord } from '../../ports/order-store.js';
import type { LedgerTransaction, SharedLedgerStore } from '../../ports/shared-ledger-store.js';
import type { SavedOrder } from '../../ports/shared-order-store.js';
import { outboxRecords, timelineRecords, type Step } from '../order-records.js';
import type { HoldsEntry } from './log-entries.js';
import { releaseHolds } from './stock-reservations.js';
import { savedOrder } from './saved-order.js';

export interface OrderDecision {
  /** The order as it should become; the current one itself when nothing changes. */
  next: OrderState;
  steps?: Step[];
  messages?: { step: string; message: OutboundMessage }[];
  /** Release everything the order holds (cancelled, or failed by the ERP). */
  release?: boolean;
}

export type Decide = (tx: LedgerTransaction, current: OrderState) => Promise<OrderDecision>;

export interface OrderChangeDeps {
  store: SharedLedgerStore;
  clock: Clock;
  /** The log position stamped on figure changes a release records. */
  position: () => number;
  /** Hears of holds taken or released once committed (the read model, the relay). */
  holdsCommitted: (queued: { outboxId: number; holds: HoldsEntry['holds'] }) => void;
}

/** Applies each change in order; answers each order as it ends up, or undefined for an unknown one. */
export async function changeOrders(deps: OrderChangeDeps, changes: readonly { id: string; decide: Decide }[]): Promise<(OrderState | undefined)[]> {
  const { store, clock } = deps;
  let queued: { outboxId: number; holds: HoldsEntry['holds'] } | undefined;
  const results = await store.eventBatch(async (tx) => {
    const latest = new Map((await tx.orders.lockOrders([...new Set(changes.map((c) => c.id))])).map((o) => [o.id, o]));
    const nowMs = clock.now();
    const nowIso = new Date(nowMs).toISOString();
    const saved = new Map<string, SavedOrder>();
    const timeline: TimelineRecord[] = [];
    const outbox: OutboxRecord[] = [];
    const release: string[] = [];
    const answers: (OrderState | undefined)[] = [];
    for (const change of changes) {
      const current = latest.get(change.id);
      if (!current) { answers.push(undefined); continue; }
      const decision = await change.decide(tx, current);
      if (decision.next === current) { answers.push(current); continue; }
      const next = { ...decision.next, updatedAt: nowIso };
      const record = savedOrder(next);
      latest.set(next.id, next);
      saved.set(next.id, record);
      if (decision.release) release.push(next.id);
      timeline.push(...timelineRecords(next, record.status, decision.steps ?? [], nowIso));
      outbox.push(...outboxRecords(next, decision.messages ?? [], nowIso));
      answers.push(next);
    }
    if (release.length > 0) queued = (await releaseHolds(tx, release, nowMs, deps.position())).queued;
    await tx.orders.saveOrders([...saved.values()]);
    await tx.orders.appendTimeline(timeline);
    await tx.orders.appendOutbox(outbox);
    return answers;
  });
  if (queued) deps.holdsCommitted(queued);
  return results;
}

/** One change; throws NotFoundError for an unknown order. */
export async function changeOrder(deps: OrderChangeDeps, id: string, decide: Decide): Promise<OrderState> {
  const [result] = await changeOrders(deps, [{ id, decide }]);
  if (!result) throw new NotFoundError('Order', id);
  return result;
}
