/**
 * Order events whose precondition never came (a shipment for an order never released, an event
 * for an order the hub does not know) become exceptions once they have waited longer than the
 * configured time: removed from the waiting list, raised for a person, and written on the order's
 * timeline as expired, never applied. Any worker may sweep; an event another process expired or
 * applied meanwhile is left alone.
 */
import type { SharedOrderStore } from '../../ports/shared-order-store.js';
import type { WaitingRecord } from '../../ports/order-store.js';
import type { LedgerTransaction } from '../../ports/shared-ledger-store.js';
import { expiryOf } from '../order-settlement.js';
import { changeOrders, type OrderChangeDeps } from './order-changes.js';

const BATCH = 100;

export async function expireWaitingEvents(deps: OrderChangeDeps & { orders: SharedOrderStore }, cutoffIso: string): Promise<number> {
  const old = await deps.orders.waitingSince(cutoffIso, BATCH);
  if (old.length === 0) return 0;
  const byOrder = new Map<string, WaitingRecord[]>();
  for (const r of old) byOrder.set(r.orderId, [...byOrder.get(r.orderId) ?? [], r]);
  let expired = 0;
  const expire = async (tx: LedgerTransaction, records: WaitingRecord[]) => {
    const taken = new Set(await tx.orders.removeWaiting(records.map((r) => r.position)));
    const expiries = records.filter((r) => taken.has(r.position)).map((r) => expiryOf(r, new Date(deps.clock.now()).toISOString()));
    await tx.orders.raiseExceptions(expiries.map((x) => x.exception));
    expired += expiries.length;
    return expiries;
  };
  const answers = await changeOrders(deps, [...byOrder].map(([id, records]) => ({
    id,
    decide: async (tx, current) => {
      const expiries = await expire(tx, records);
      return expiries.length === 0 ? { next: current } : { next: { ...current }, steps: expiries.map((x) => x.step) };
    },
  })));
  // Events for orders the hub never captured: only the exception.
  const unknown = [...byOrder.keys()].filter((_, i) => answers[i] === undefined);
  if (unknown.length > 0) await deps.store.eventBatch(async (tx) => { for (const id of unknown) await expire(tx, byOrder.get(id)!); });
  return expired;
}
