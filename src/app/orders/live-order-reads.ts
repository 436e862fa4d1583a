/**
 * The embedded hub's OrderReads: open orders and their waiting events from memory (they change
 * there first), everything else from SQLite.
 */
import type { OrderReads } from '../../ports/order-reads.js';
import type { OrderStore } from '../../ports/order-store.js';
import type { OpenOrders } from './open-orders.js';
import { owesErpChange } from '../../domain/orders/order-state.js';

export function liveOrderReads(openOrders: OpenOrders, store: OrderStore): OrderReads {
  return {
    order: (id) => openOrders.get(id),
    orderByReference: (channel, externalId) => {
      const id = store.claimedBy(channel, externalId);
      return id === undefined ? undefined : openOrders.get(id);
    },
    waitingCount: (id) => openOrders.waitingCount(id),
    timeline: (id) => store.timeline(id),
    listOrders: (listing) => store.listOrders(listing).map((order) => ({ order, waiting: openOrders.waitingCount(order.id) })),
    outbox: (afterId, limit, destination) => store.outbox(afterId, limit, destination),
    // An order owing the ERP a change is never settled, so it is in memory.
    owingErpChange: (limit) =>
      [...openOrders.all()]
        .filter(owesErpChange)
        .sort((a, b) => ((a.erp.change!.since ?? '') < (b.erp.change!.since ?? '') ? -1 : 1))
        .slice(0, limit),
  };
}
