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
import type { LedgerTransaction, SharedLedgerStore } from '../../ports/shared-ledger-store.js';
import type { Step } from '../order-records.js';
import type { HoldsEntry } from './log-entries.js';
import { syncOrderHolds } from './order-holds.js';
import { settleOrderEvents } from '../order-settlement.js';
import type { OrderException, WaitingRecord } from '../../ports/order-store.js';
import { saveOrderChanges } from './saved-order.js';

export interface OrderDecision {
  /** The order as it should become; the current one itself when nothing changes. */
  next: OrderState;
  steps?: Step[];
  messages?: { step: string; message: OutboundMessage }[];
  /** The change can move what the order holds (cancelled, failed by the ERP): its holds are written anew. */
  holdsMove?: boolean;
  /** The change may be what waiting events waited for (the ERP confirmed the order): they are tried again. */
  settleWaiting?: boolean;
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
    const changed = new Map<
      string,
      { next: OrderState; steps: Step[]; messages: NonNullable<OrderDecision['messages']>; holdsMove: boolean; settleWaiting: boolean }
    >();
    const answers: (OrderState | undefined)[] = [];
    for (const change of changes) {
      const current = latest.get(change.id);
      if (!current) {
        answers.push(undefined);
        continue;
      }
      const decision = await change.decide(tx, current);
      if (decision.next === current) {
        answers.push(current);
        continue;
      }
      const next = { ...decision.next, updatedAt: nowIso };
      latest.set(next.id, next);
      const earlier = changed.get(next.id);
      changed.set(next.id, {
        next,
        steps: [...(earlier?.steps ?? []), ...(decision.steps ?? [])],
        messages: [...(earlier?.messages ?? []), ...(decision.messages ?? [])],
        holdsMove: (earlier?.holdsMove ?? false) || (decision.holdsMove ?? false),
        settleWaiting: (earlier?.settleWaiting ?? false) || (decision.settleWaiting ?? false),
      });
      answers.push(next);
    }
    if (changed.size === 0) return answers;
    // Events that waited for this change (a release waiting for the ERP's confirmation) apply now.
    const settling = [...changed.values()].filter((c) => c.settleWaiting).map((c) => c.next.id);
    const waiting = settling.length > 0 ? await tx.orders.waitingFor(settling) : [];
    const exceptions: Omit<OrderException, 'id'>[] = [];
    const removed: number[] = [];
    if (waiting.length > 0) {
      const byOrder = new Map<string, WaitingRecord[]>();
      for (const w of waiting) byOrder.set(w.orderId, [...(byOrder.get(w.orderId) ?? []), w]);
      for (const [id, records] of byOrder) {
        const c = changed.get(id)!;
        const settled = settleOrderEvents(c.next, records, undefined, nowIso);
        if (settled.removed.length === 0) continue;
        c.next = settled.order;
        c.steps.push(...settled.steps);
        c.messages.push(...settled.messages);
        c.holdsMove = true;
        exceptions.push(...settled.exceptions);
        removed.push(...settled.removed);
        latest.set(id, settled.order);
      }
      for (let i = 0; i < answers.length; i++) if (answers[i] && changed.has(answers[i]!.id)) answers[i] = latest.get(answers[i]!.id);
    }
    const moving = [...changed.values()].filter((c) => c.holdsMove).map((c) => c.next);
    queued = await syncOrderHolds(tx, moving, nowMs, deps.position());
    await saveOrderChanges(
      tx.orders,
      [...changed.values()].map((c) => ({ order: c.next, steps: c.steps, messages: c.messages })),
      nowIso,
    );
    await tx.orders.removeWaiting(removed);
    await tx.orders.raiseExceptions(exceptions);
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
