/**
 * What orders hold on the shared state, as LockedOrderWork needs it: when each location last
 * counted an item, every item orders name or hold (what a change locks before it writes their
 * holds), and where shipped units are still held because the location has not shown them leaving.
 */
import type { OrderState, SnapshotTime } from '../../domain/orders/order-state.js';
import type { StockHold } from '../../ports/ledger-store.js';
import type { LoadedItems } from '../log/load-items.js';

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
