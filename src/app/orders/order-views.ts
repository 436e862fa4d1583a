/** How an order is shown: the capture answer (docs/REFERENCE.md) and the full view. */
import { lineFigures, shippedBy, statusOf, type OrderState } from '../../domain/orders/order-state.js';
import type { CaptureAnswer, OrderView } from '../../model/order.js';

export function orderAnswer(order: OrderState): CaptureAnswer {
  return {
    id: order.id,
    status: statusOf(order),
    channel: order.channel,
    externalId: order.externalId,
    lines: order.lines.map((line) => {
      const f = lineFigures(order, line);
      return { sku: line.sku, qty: line.qty, reserved: f.reserved, backordered: f.backordered };
    }),
    ...(order.erp.orderNumber !== undefined ? { erpOrderNumber: order.erp.orderNumber } : {}),
  };
}

/** The capture answer and its status code: 202 while the order waits for the ERP. */
export function answeredWith(order: OrderState): { statusCode: 201 | 202; body: CaptureAnswer } {
  const body = orderAnswer(order);
  return { statusCode: body.status === 'pending_erp' ? 202 : 201, body };
}

export function orderView(order: OrderState, waitingEvents: number): OrderView {
  const answer = orderAnswer(order);
  return {
    ...answer,
    customer: order.customer,
    backorder: order.backorder,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    lines: order.lines.map((line, i) => {
      const f = lineFigures(order, line);
      let shipped = 0;
      for (const q of shippedBy(order, line.sku).values()) shipped += q;
      return { ...answer.lines[i]!, shipped, returned: line.returned, allocations: [...f.open].map(([location, reserved]) => ({ location, reserved })) };
    }),
    erp: { state: order.erp.state, attempts: order.erp.attempts, ...(order.erp.lastError ? { lastError: order.erp.lastError } : {}) },
    shipments: order.shipments.map((s) => ({
      location: s.location,
      at: s.at,
      source: s.source,
      lines: s.lines,
      ...(s.tracking !== undefined ? { tracking: s.tracking } : {}),
    })),
    waitingEvents,
  };
}
