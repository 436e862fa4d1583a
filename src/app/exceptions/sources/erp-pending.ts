/** Orders the ERP has not taken within a limit of their capture: one group (the ERP); retried now on request. */
import type { Clock } from '../../../ports/clock.js';
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { OrderReads } from '../../../ports/order-reads.js';
import { statusOf } from '../../../domain/orders/order-state.js';

const LIMIT = 500;

export function erpPendingSource(deps: { reads: OrderReads; clock: Clock; limitMs: number; retryNow: () => void }): ExceptionSource {
  return {
    class: 'erp_pending',
    severity: 'high',
    actions: ['retry'],
    async current() {
      const cutoff = deps.clock.now() - deps.limitMs;
      const pending = await deps.reads.listOrders({ status: 'pending_erp', limit: LIMIT });
      return pending
        .filter(({ order }) => Date.parse(order.createdAt) <= cutoff)
        .map(({ order }) => ({
          key: order.id,
          entity: { kind: 'order', id: order.id },
          error: `the ERP has not taken the order after ${order.erp.attempts} attempt(s)${order.erp.lastError ? `: ${order.erp.lastError}` : ''}`,
          group: 'erp',
          system: 'erp',
          correlationId: order.correlationId ?? null,
          since: order.createdAt,
        }));
    },
    payload: async (key) => {
      const order = await deps.reads.order(key);
      return order ? { channel: order.channel, externalId: order.externalId, customer: order.customer, erp: order.erp } : null;
    },
    async whyGone(e) {
      const order = await deps.reads.order(e.key);
      if (!order) return 'the order is gone';
      if (order.erp.orderNumber) return `the ERP took the order as ${order.erp.orderNumber}`;
      return `the order is ${statusOf(order)}`;
    },
    async act() {
      deps.retryNow();
      return { note: 'the ERP commit was tried again now; the exception resolves once the ERP takes the order' };
    },
  };
}
