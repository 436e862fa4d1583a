/**
 * Placing an order on the embedded hub: checking the channel number, sourcing the stock and taking
 * it happen in one synchronous step on the event loop, so concurrent captures can never both take
 * the last unit; the order, its channel number, its key and its timeline are stored by the next
 * group commit (one fsync for the orders captured in one turn of the loop).
 */
import type { Clock } from '../../../ports/clock.js';
import type { OrderDraft, OrderPlacement, Placement } from '../../../ports/order-placement.js';
import type { OrderStore } from '../../../ports/order-store.js';
import type { InProcessErpQueue } from '../erp-queues/in-process-erp-queue.js';
import { collectTouches } from '../../inventory/figure-touches.js';
import type { GroupCommit } from '../../group-commit.js';
import type { InventoryState } from '../../inventory/inventory-state.js';
import type { OpenOrders } from '../open-orders.js';

export interface EventLoopOrderPlacementDeps {
  state: InventoryState;
  orders: OrderStore;
  openOrders: OpenOrders;
  commits: GroupCommit;
  clock: Clock;
  erpQueue: InProcessErpQueue;
}

export class EventLoopOrderPlacement implements OrderPlacement {
  /** channel␟externalId of orders being placed, not yet committed. */
  private readonly claiming = new Set<string>();

  constructor(private readonly deps: EventLoopOrderPlacementDeps) {}

  async place(draft: OrderDraft): Promise<Placement> {
    const { state, orders, openOrders, commits, clock, erpQueue } = this.deps;
    const channel = draft.channel;
    const ref = `${channel.id}\u001f${draft.externalId}`;
    const holder = this.claiming.has(ref) ? '(being captured now)' : orders.claimedBy(channel.id, draft.externalId);
    if (holder !== undefined) return { ok: false, shortfalls: [], duplicateOf: holder };
    const sourced = openOrders.reserveFor(channel, draft.lines, draft.backorder);
    if (!sourced.ok) return { ok: false, shortfalls: sourced.shortfalls };
    const order = draft.make(sourced.allocations);
    const touches = collectTouches(state);
    openOrders.hold(order, touches.touch);
    this.claiming.add(ref);
    // The sweep must not place an order that is not on disk yet: the capture makes the first attempt.
    if (draft.toErp) erpQueue.keepForCapture(order.id);
    try {
      await commits.commit('the order', () => {
        orders.claimReference(channel.id, draft.externalId, order.id);
        orders.rememberKey(draft.key, draft.fingerprint, order.id, order.createdAt);
        openOrders.persist(order, [draft.captured], []);
        touches.write(clock.now());
      });
    } catch (err) {
      if (draft.toErp) erpQueue.release(order.id);
      throw err;
    } finally {
      this.claiming.delete(ref);
    }
    return { ok: true, order };
  }
}
