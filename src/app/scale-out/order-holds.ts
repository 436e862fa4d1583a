/**
 * What orders hold on the shared state, kept equal to what their facts say they hold (the
 * domain's orderHolds): allocated and not shipped, plus shipped and not yet seen leaving the
 * location. Every change to an existing order that can move its holds (an order event, stock
 * seen leaving for it, a count, a cancellation, the ERP failing it) writes them here, inside the
 * transaction that changes the order, after the order rows and then the items are locked.
 *
 * The holds are diffed against the rows the shared state has, not against a recomputation of the
 * order before the change, so whatever wrote them last (a capture, a backorder fill) is the base.
 */
import { orderHolds, type OrderState, type SnapshotTime } from '../../domain/orders/order-state.js';
import type { LedgerTransaction, StockHold } from '../../ports/shared-ledger-store.js';
import { byChannel, TouchedItems } from './figure-appends.js';
import type { HoldsEntry } from './log-entries.js';
import { loadItems, type LoadedItems } from './load-items.js';

const SEP = '\u001f';

type Hold = StockHold & { orderId: string };

/** When the authority of a location last counted an item, as the loaded items say. */
export function countedAt({ ledger, book }: LoadedItems): SnapshotTime {
  return (sku, location) => {
    const def = book.locations.get(location);
    return def ? ledger.position(def.authority, sku, location)?.countedAt : undefined;
  };
}

/** Every item the orders name or hold: what a transaction must lock before it writes their holds. */
export function itemsOf(orders: readonly OrderState[], held: readonly Hold[]): string[] {
  return [...new Set([...orders.flatMap((o) => o.lines.map((l) => l.sku)), ...held.map((h) => h.sku)])];
}

/** Where the order shipped units that the location has not yet shown leaving (they are still held). */
export function unconfirmedOf(order: OrderState, holds: ReadonlyMap<string, number>): { orderId: string; sku: string; location: string }[] {
  const out: { orderId: string; sku: string; location: string }[] = [];
  const shippedAt = new Set(order.shipments.flatMap((s) => s.lines.map((l) => l.sku + SEP + s.location)));
  for (const key of shippedAt) {
    if ((holds.get(key) ?? 0) === 0) continue;
    const [sku, location] = key.split(SEP) as [string, string];
    out.push({ orderId: order.id, sku, location });
  }
  return out;
}

/**
 * Writes the holds of `orders` as their facts now say, into the loaded items too; returns the
 * changes (for the read models). `held` is what the shared state holds for them (holdsOf).
 */
export async function writeOrderHolds(
  tx: LedgerTransaction,
  loaded: LoadedItems,
  orders: readonly OrderState[],
  held: readonly Hold[],
  touched: TouchedItems,
): Promise<HoldsEntry['holds']> {
  if (orders.length === 0) return [];
  const before = new Map<string, number>();
  for (const h of held) before.set(h.orderId + SEP + h.sku + SEP + h.location, h.units);
  const at = countedAt(loaded);
  const changes: HoldsEntry['holds'] = [];
  const unconfirmed: { orderId: string; sku: string; location: string }[] = [];
  for (const order of orders) {
    const after = orderHolds(order, at);
    const keys = new Set(after.keys());
    for (const h of held) if (h.orderId === order.id) keys.add(h.sku + SEP + h.location);
    for (const key of keys) {
      const delta = (after.get(key) ?? 0) - (before.get(order.id + SEP + key) ?? 0);
      if (delta === 0) continue;
      const [sku, location] = key.split(SEP) as [string, string];
      changes.push({ orderId: order.id, sku, location, units: delta });
    }
    unconfirmed.push(...unconfirmedOf(order, after));
  }
  for (const c of changes) {
    loaded.ledger.reserve(c.sku, c.location, c.units);
    touched.touch(c.sku, c.location);
  }
  await tx.addHolds(changes);
  await tx.orders.replaceUnconfirmed(
    orders.map((o) => o.id),
    unconfirmed,
  );
  return changes;
}

/**
 * For a change outside a worker's event batch (a cancellation, an ERP answer, an expiry): locks
 * and loads what the orders hold and name, writes their holds, and records the figures they move.
 */
export async function syncOrderHolds(
  tx: LedgerTransaction,
  orders: readonly OrderState[],
  nowMs: number,
  position: number,
): Promise<{ outboxId: number; holds: HoldsEntry['holds'] } | undefined> {
  if (orders.length === 0) return undefined;
  const held = await tx.holdsOf(orders.map((o) => o.id));
  const skus = itemsOf(orders, held);
  await tx.lockItems(skus);
  const loaded = await loadItems(tx, skus);
  const touched = new TouchedItems();
  const holds = await writeOrderHolds(tx, loaded, orders, held, touched);
  if (holds.length === 0) return undefined;
  const outboxId = await tx.queueForLog('holds', holds[0]!.sku, { holds });
  await tx.appendChanges(byChannel(touched.refresh(loaded.book, nowMs), position, new Date(nowMs).toISOString()));
  return { outboxId, holds };
}
