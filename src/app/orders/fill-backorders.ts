/**
 * Backorders: orders owed units get them as stock becomes free, oldest order first, with the same
 * sourcing as a capture (the channel's locations in order, what is free after safety stock and
 * every other hold). Written once for both backends against OrderWork; it runs inside whatever
 * change made the stock free (the embedded ingest that received it) or as a change of its own
 * (after a cancellation, and from the periodic sweep).
 */
import { sourceForChannel } from '../../domain/orders/channel-sourcing.js';
import { cloneOrder, lineFigures, type OrderState } from '../../domain/orders/order-state.js';
import type { OrderChanges, OrderWork, Step } from '../../ports/order-changes.js';

/** Orders looked at per change. */
const BATCH = 100;

/** Reserves what is free for the orders owed units (of `skus` when given), oldest first; returns the units reserved. */
export function fillBackordersIn(work: OrderWork, orderIds: readonly string[], skus?: readonly string[]): number {
  const orders = orderIds
    .map((id) => work.order(id))
    .filter((o): o is OrderState => o !== undefined)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  let units = 0;
  for (const order of orders) {
    const channel = work.book.channels.get(order.channel);
    if (!channel) continue;
    let next: OrderState | undefined;
    const steps: Step[] = [];
    for (const line of order.lines) {
      if (skus && !skus.includes(line.sku)) continue;
      const owed = lineFigures(order, line).backordered;
      if (owed === 0) continue;
      const sourced = sourceForChannel(work.book, channel, [{ sku: line.sku, qty: owed }], 'allow');
      if (!sourced.ok) continue;
      const got = sourced.allocations[0]!.filter(([, q]) => q > 0);
      if (got.length === 0) continue;
      next ??= cloneOrder(order);
      next.lines.find((l) => l.sku === line.sku)!.alloc.push(...got);
      const n = got.reduce((sum, [, q]) => sum + q, 0);
      units += n;
      steps.push({ step: 'backorder.filled', source: 'hub', detail: `${n} × ${line.sku} reserved at ${got.map(([loc, q]) => `${loc} (${q})`).join(', ')}` });
    }
    // Recorded at once: the next order in line sees only what is left.
    if (next) work.record(next, steps);
  }
  return units;
}

/** Fills backorders as one change of its own; resolves with the units reserved. Throws StorageFailedError. */
export async function fillBackorders(changes: OrderChanges, skus?: readonly string[]): Promise<number> {
  const ids = await changes.owingOrders(BATCH, skus);
  if (ids.length === 0) return 0;
  return changes.change({ orders: ids }, (work) => fillBackordersIn(work, ids, skus));
}
