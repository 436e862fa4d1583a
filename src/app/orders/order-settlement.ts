/**
 * What running an order's events through the state machine writes, on either backend: the
 * timeline steps, the outbox messages of each applied event, an exception for each rejected one,
 * and which events leave or join the order's waiting list. Pure: the callers write it in the
 * transaction that changes the order.
 */
import { settle, type OutboundMessage, type PositionedEvent, type SettleStep } from '../../domain/orders/order-machine.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { OrderEvent } from '../../model/order-event.js';
import type { OrderException, WaitingRecord } from '../../ports/order-store.js';
import type { Step } from './order-records.js';

export interface Settlement {
  order: OrderState;
  steps: Step[];
  messages: { step: string; message: OutboundMessage }[];
  exceptions: Omit<OrderException, 'id'>[];
  /** Positions of waiting events that left the list (applied or rejected). */
  removed: number[];
  /** The incoming event, when it has to wait for its precondition. */
  waits?: WaitingRecord;
  /** What still waits afterwards (the records kept, and `waits`). */
  waiting: WaitingRecord[];
}

/** Applies `incoming` (if any) and then whatever of `waiting` the order can now take. */
export function settleOrderEvents(order: OrderState, waiting: readonly WaitingRecord[], incoming: PositionedEvent | undefined, nowIso: string): Settlement {
  const result = settle(order, waiting, incoming);
  const steps: Step[] = [];
  const messages: Settlement['messages'] = [];
  const exceptions: Settlement['exceptions'] = [];
  for (const s of result.steps) {
    steps.push(stepOf(s));
    const key = `${s.event.event.source}:${s.event.event.id}`;
    if (s.decision.outcome === 'applied') for (const m of s.decision.messages) messages.push({ step: key, message: m });
    if (s.decision.outcome === 'rejected') {
      exceptions.push({ orderId: order.id, position: s.event.position, kind: 'rejected', reason: s.decision.reason, event: s.event.event, raisedAt: nowIso });
    }
  }
  const still = new Set(result.waiting.map((w) => w.position));
  const removed = waiting.filter((w) => !still.has(w.position)).map((w) => w.position);
  const kept = waiting.filter((w) => still.has(w.position));
  let waits: WaitingRecord | undefined;
  if (incoming && still.has(incoming.position)) {
    const first = result.steps[0]!.decision;
    waits = { ...incoming, orderId: order.id, since: nowIso, reason: first.outcome === 'waiting' ? first.reason : 'waiting' };
    kept.push(waits);
  }
  return { order: result.order, steps, messages, exceptions, removed, ...(waits ? { waits } : {}), waiting: kept };
}

/** The waiting record of an event for an order the hub does not know (yet). */
export function waitingForUnknownOrder(incoming: PositionedEvent, nowIso: string): WaitingRecord {
  const orderId = incoming.event.orderId;
  return { ...incoming, orderId, since: nowIso, reason: `order ${orderId} is not known to the hub` };
}

/** What an expired waiting event leaves behind: its exception and the order's timeline step. */
export function expiryOf(record: WaitingRecord, nowIso: string): { exception: Omit<OrderException, 'id'>; step: Step } {
  return {
    exception: {
      orderId: record.orderId,
      position: record.position,
      kind: 'expired',
      event: record.event,
      raisedAt: nowIso,
      reason: `waited since ${record.since} for a precondition that never came: ${record.reason}`,
    },
    step: {
      step: record.event.type,
      source: record.event.source,
      at: record.event.occurredAt,
      correlationId: record.correlationId,
      outcome: 'expired',
      detail: `waited since ${record.since}: ${record.reason}`,
    },
  };
}

function stepOf(s: SettleStep): Step {
  const e = s.event.event as OrderEvent;
  const d = s.decision;
  return {
    step: e.type,
    source: e.source,
    at: e.occurredAt,
    correlationId: s.event.correlationId ?? e.correlationId,
    outcome: d.outcome,
    ...(d.outcome !== 'applied' ? { detail: d.reason } : {}),
  };
}
