/**
 * Orders the ERP has not taken within a limit of their capture, and amendments it has not taken
 * within the limit of the amendment: one group (the ERP); retried now on request. An amendment's
 * exception is keyed `change:<order id>`.
 */
import type { Clock } from '../../../ports/clock.js';
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { OrderReads } from '../../../ports/order-reads.js';
import { statusOf } from '../../../domain/orders/order-state.js';

const LIMIT = 500;
const CHANGE = 'change:';

export function erpPendingSource(deps: { reads: OrderReads; clock: Clock; limitMs: number; retryNow: () => void }): ExceptionSource {
  return {
    class: 'erp_pending',
    severity: 'high',
    actions: ['retry'],
    async current() {
      const cutoff = deps.clock.now() - deps.limitMs;
      const pending = await deps.reads.listOrders({ status: 'pending_erp', limit: LIMIT });
      const changes = (await deps.reads.owingErpChange(LIMIT))
        .filter((order) => Date.parse(order.erp.change!.since ?? order.updatedAt) <= cutoff)
        .map((order) => {
          const change = order.erp.change!;
          return {
            key: `${CHANGE}${order.id}`,
            entity: { kind: 'order', id: order.id },
            error: `the ERP has not taken the amendment of the order after ${change.attempts} attempt(s)${change.lastError ? `: ${change.lastError}` : ''}`,
            group: 'erp',
            system: 'erp',
            correlationId: order.correlationId ?? null,
            since: change.since ?? order.updatedAt,
          };
        });
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
        }))
        .concat(changes);
    },
    payload: async (key) => {
      const order = await deps.reads.order(key.startsWith(CHANGE) ? key.slice(CHANGE.length) : key);
      return order ? { channel: order.channel, externalId: order.externalId, customer: order.customer, erp: order.erp } : null;
    },
    async whyGone(e) {
      const change = e.key.startsWith(CHANGE);
      const order = await deps.reads.order(change ? e.key.slice(CHANGE.length) : e.key);
      if (!order) return 'the order is gone';
      if (change) return order.cancelled ? 'the order is cancelled' : 'the ERP took the amended lines';
      if (order.erp.orderNumber) return `the ERP took the order as ${order.erp.orderNumber}`;
      return `the order is ${statusOf(order)}`;
    },
    async act() {
      deps.retryNow();
      return { note: 'the ERP commit was tried again now; the exception resolves once the ERP takes the order' };
    },
  };
}
