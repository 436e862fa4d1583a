/**
 * The order state machine: what an event does to an order, decided as data. An event either
 * applies (returning the next state and the messages other systems must get), waits for a
 * precondition that has not arrived yet (a shipment before the release), or is rejected as an
 * illegal transition with a reason (a shipment after a cancellation). `settle` runs an event
 * and then every waiting event the order can now take, in log order.
 */
import type { OrderEvent } from '../../model/order-event.js';
import { cloneOrder, lineFigures, shippedBy, statusOf, type OrderState } from './order-state.js';
import type { OrderStatus } from '../../model/order.js';

/** A message for another system, written in the same transaction as the state change (outbox). */
export interface OutboundMessage {
  /** The receiving system: a source id (a location's authority), a channel id, or "erp" / "crm". */
  destination: string;
  topic: string;
  payload: unknown;
}

export type Decision =
  | { outcome: 'applied'; next: OrderState; messages: OutboundMessage[] }
  | { outcome: 'waiting'; reason: string }
  | { outcome: 'rejected'; reason: string };

/** An event with its log position (waiting events are retried in this order). */
export interface PositionedEvent {
  position: number;
  event: OrderEvent;
  correlationId?: string;
}

export interface SettleStep {
  event: PositionedEvent;
  decision: Decision;
  status: OrderStatus;
}

const copy = cloneOrder;
const normalise = (iso: string) => new Date(iso).toISOString();

/** Decides what `event` does to `order`. Pure. */
export function decideOrderEvent(order: OrderState, event: OrderEvent): Decision {
  switch (event.type) {
    case 'order.cancelled':
      return cancel(order, event.reason);
    case 'order.released': {
      if (order.cancelled) return { outcome: 'rejected', reason: 'the order is cancelled; a cancelled order cannot be released' };
      if (order.released) return { outcome: 'rejected', reason: 'the order is already released' };
      if (order.erp.state !== 'committed') return { outcome: 'waiting', reason: `the ERP has not confirmed the order yet (${order.erp.state})` };
      const next = copy(order);
      next.released = true;
      return { outcome: 'applied', next, messages: fulfilmentRequests(next) };
    }
    case 'order.shipped': {
      if (!order.released) {
        if (order.cancelled) return { outcome: 'rejected', reason: 'the order is cancelled and was never released; the shipment needs a person to look at it' };
        return { outcome: 'waiting', reason: 'the order has not been released to the warehouse yet' };
      }
      const unknown = notOnOrder(order, event.lines);
      if (unknown) return unknown;
      // A sku named on several lines ships their sum: each line alone may fit where all do not.
      for (const [i, l, total] of runningTotals(event.lines)) {
        const f = lineFigures(order, order.lines.find((x) => x.sku === l.sku)!);
        if (total > f.outstanding) {
          return {
            outcome: 'rejected',
            reason: `lines[${i}]: ships ${total} of ${l.sku} but ${f.outstanding} ${order.cancelled ? 'remain (the rest was cancelled)' : 'are outstanding'}`,
          };
        }
      }
      const next = copy(order);
      next.shipments.push({
        eventId: event.id,
        source: event.source,
        location: event.location,
        at: normalise(event.occurredAt),
        lines: event.lines,
        ...(event.tracking !== undefined ? { tracking: event.tracking } : {}),
      });
      const notice = {
        orderId: order.id,
        externalId: order.externalId,
        location: event.location,
        lines: event.lines,
        tracking: event.tracking ?? null,
        shippedAt: event.occurredAt,
      };
      return {
        outcome: 'applied',
        next,
        messages: [
          { destination: order.channel, topic: 'shipment.confirmed', payload: notice },
          { destination: 'crm', topic: 'shipment.confirmed', payload: { ...notice, customer: order.customer } },
        ],
      };
    }
    case 'order.delivered': {
      if (order.shipments.length === 0) return { outcome: 'waiting', reason: 'nothing has shipped yet' };
      if (order.delivered) return { outcome: 'rejected', reason: 'the order is already delivered' };
      const next = copy(order);
      next.delivered = true;
      return {
        outcome: 'applied',
        next,
        messages: [{ destination: 'crm', topic: 'order.delivered', payload: { orderId: order.id, customer: order.customer, deliveredAt: event.occurredAt } }],
      };
    }
    case 'order.invoiced': {
      if (order.shipments.length === 0) return { outcome: 'waiting', reason: 'nothing has shipped yet' };
      if (order.invoiced) return { outcome: 'rejected', reason: 'the order is already invoiced' };
      const next = copy(order);
      next.invoiced = true;
      // The invoice bills what shipped, at the prices the channel sold at.
      const lines = order.lines.map((l) => ({ sku: l.sku, qty: lineFigures(order, l).shipped, unitPrice: l.unitPrice ?? null })).filter((l) => l.qty > 0);
      return {
        outcome: 'applied',
        next,
        messages: [
          {
            destination: order.channel,
            topic: 'order.invoiced',
            payload: { orderId: order.id, externalId: order.externalId, invoiceNumber: event.invoiceNumber ?? null, invoicedAt: event.occurredAt, lines },
          },
        ],
      };
    }
    case 'return.received': {
      // An item not on the order can never come back against it: rejected, whatever line it is on.
      const unknown = notOnOrder(order, event.lines);
      if (unknown) return unknown;
      for (const [i, l, total] of runningTotals(event.lines)) {
        const line = order.lines.find((x) => x.sku === l.sku)!;
        let shipped = 0;
        for (const q of shippedBy(order, l.sku).values()) shipped += q;
        if (line.returned + total > shipped)
          return { outcome: 'waiting', reason: `lines[${i}]: returns ${total} of ${l.sku} but only ${shipped - line.returned} shipped and not yet returned` };
      }
      const next = copy(order);
      for (const l of event.lines) next.lines.find((x) => x.sku === l.sku)!.returned += l.qty;
      return {
        outcome: 'applied',
        next,
        messages: [
          {
            destination: 'crm',
            topic: 'return.received',
            payload: { orderId: order.id, customer: order.customer, location: event.location, lines: event.lines },
          },
        ],
      };
    }
  }
}

/** Cancels what has not shipped (an event or POST /v1/orders/{id}/cancel). */
export function cancel(order: OrderState, reason?: string): Decision {
  if (order.cancelled) return { outcome: 'rejected', reason: 'the order is already cancelled' };
  if (order.erp.state === 'failed') return { outcome: 'rejected', reason: 'the order was never taken (the ERP failed it); nothing to cancel' };
  const owed = order.lines.reduce((n, l) => n + lineFigures(order, l).outstanding, 0);
  if (owed === 0) return { outcome: 'rejected', reason: 'everything on the order has shipped; nothing is left to cancel (use a return)' };
  const next = copy(order);
  next.cancelled = true;
  const messages: OutboundMessage[] = [];
  if (order.erp.state === 'committed')
    messages.push({ destination: 'erp', topic: 'order.cancel', payload: { orderId: order.id, erpOrderNumber: order.erp.orderNumber, reason: reason ?? null } });
  if (order.released) for (const m of fulfilmentRequests(order)) messages.push({ ...m, topic: 'fulfilment.cancel' });
  return { outcome: 'applied', next, messages };
}

/** The rejection of an event naming an item the order does not have, if it names one. */
function notOnOrder(order: OrderState, lines: readonly { sku: string }[]): Decision | undefined {
  const i = lines.findIndex((l) => !order.lines.some((x) => x.sku === l.sku));
  return i < 0 ? undefined : { outcome: 'rejected', reason: `lines[${i}]: ${lines[i]!.sku} is not on the order` };
}

/** Each line with the quantity of its sku on this and the lines before it. */
function runningTotals<L extends { sku: string; qty: number }>(lines: readonly L[]): [number, L, number][] {
  const seen = new Map<string, number>();
  return lines.map((l, i) => {
    const total = (seen.get(l.sku) ?? 0) + l.qty;
    seen.set(l.sku, total);
    return [i, l, total];
  });
}

/** One fulfilment request per location holding stock for the order; addressed to the location, routed by the delivery engine. */
function fulfilmentRequests(order: OrderState): OutboundMessage[] {
  const byLocation = new Map<string, { sku: string; qty: number }[]>();
  for (const line of order.lines) {
    for (const [loc, qty] of lineFigures(order, line).open) {
      const list = byLocation.get(loc) ?? [];
      list.push({ sku: line.sku, qty });
      byLocation.set(loc, list);
    }
  }
  return [...byLocation].map(([location, lines]) => ({
    destination: `location:${location}`,
    topic: 'fulfilment.request',
    payload: { orderId: order.id, externalId: order.externalId, customer: order.customer, location, lines },
  }));
}

/**
 * Applies `incoming` (if any), then retries the waiting events in log order until none applies.
 * Returns the final state, every step taken (for the timeline) and the events still waiting.
 */
export function settle(
  order: OrderState,
  waiting: readonly PositionedEvent[],
  incoming?: PositionedEvent,
): { order: OrderState; steps: SettleStep[]; waiting: PositionedEvent[] } {
  const steps: SettleStep[] = [];
  let current = order;
  let pending = [...waiting].sort((a, b) => a.position - b.position);
  if (incoming) {
    const decision = decideOrderEvent(current, incoming.event);
    if (decision.outcome === 'applied') current = decision.next;
    else if (decision.outcome === 'waiting') pending = insertByPosition(pending, incoming);
    steps.push({ event: incoming, decision, status: statusOf(current) });
    if (decision.outcome !== 'applied') return { order: current, steps, waiting: pending };
  }
  for (let progressed = true; progressed && pending.length > 0; ) {
    progressed = false;
    for (let i = 0; i < pending.length; i++) {
      const decision = decideOrderEvent(current, pending[i]!.event);
      if (decision.outcome === 'waiting') continue;
      const [taken] = pending.splice(i, 1);
      if (decision.outcome === 'applied') current = decision.next;
      steps.push({ event: taken!, decision, status: statusOf(current) });
      progressed = true;
      break;
    }
  }
  return { order: current, steps, waiting: pending };
}

function insertByPosition(list: PositionedEvent[], e: PositionedEvent): PositionedEvent[] {
  const out = [...list, e];
  out.sort((a, b) => a.position - b.position);
  return out;
}
