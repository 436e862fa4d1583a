/**
 * Placing an order on the scale-out backend: the order goes into the reservation transaction that
 * takes its stock (StockReservations: the channel number claimed first, then the items locked in
 * sku order, concurrent captures sharing one transaction), so no order exists without its holds
 * and no channel order twice. An order due for the ERP is leased to this process while its
 * capture makes the first attempt.
 */
import { statusOf, type OrderState } from '../../../domain/orders/order-state.js';
import type { Clock } from '../../../ports/clock.js';
import type { OrderDraft, OrderPlacement, Placement } from '../../../ports/order-placement.js';
import { timelineRecords } from '../order-records.js';
import type { StockReservations } from '../stock-reservations.js';

export interface ReservedOrderPlacementDeps {
  reservations: StockReservations;
  /** The log position the reservation must see applied: what this process validated against. */
  reservesAfter: () => number;
  /** How long the capture owns its order's first ERP attempt. */
  erpLeaseMs: () => number;
  clock: Clock;
}

export class ReservedOrderPlacement implements OrderPlacement {
  constructor(private readonly deps: ReservedOrderPlacementDeps) {}

  async place(draft: OrderDraft): Promise<Placement> {
    let made: OrderState | undefined;
    const outcome = await this.deps.reservations.reserve({
      orderId: draft.id,
      channel: draft.channel.id,
      lines: draft.lines,
      backorder: draft.backorder,
      after: this.deps.reservesAfter(),
      order: {
        externalId: draft.externalId,
        key: draft.key,
        make: (allocations) => {
          const order = (made = draft.make(allocations));
          const pending = order.erp.state === 'pending';
          // Due at once for the workers, but leased to this process while it calls the ERP.
          if (pending) order.erp.nextAttemptAt = this.deps.clock.now();
          const timeline = timelineRecords(order, statusOf(order), [draft.captured], order.createdAt);
          return { order, timeline, ...(pending ? { erpLeaseMs: this.deps.erpLeaseMs() } : {}) };
        },
      },
    });
    if (!outcome.ok) {
      return {
        ok: false,
        shortfalls: outcome.shortfalls,
        ...(outcome.duplicateOf !== undefined ? { duplicateOf: outcome.duplicateOf } : {}),
        ...(outcome.reason !== undefined ? { unknownChannel: true } : {}),
      };
    }
    return { ok: true, order: made! };
  }
}
