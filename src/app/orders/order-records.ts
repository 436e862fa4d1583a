/** What an order change writes besides the order: its timeline entries and its outbox messages (both backends). */
import type { OrderState } from '../../domain/orders/order-state.js';
import type { OutboxRecord, TimelineRecord } from '../../ports/order-store.js';

import type { Step, StepMessage } from '../../ports/order-changes.js';

export type { Step, StepMessage } from '../../ports/order-changes.js';

export function timelineRecords(order: OrderState, status: string, steps: readonly Step[], nowIso: string): TimelineRecord[] {
  return steps.map((s) => ({
    orderId: order.id,
    at: s.at ?? nowIso,
    status,
    source: s.source,
    step: s.step,
    outcome: s.outcome ?? 'applied',
    recordedAt: nowIso,
    ...(s.correlationId ? { correlationId: s.correlationId } : {}),
    ...(s.detail ? { detail: s.detail } : {}),
  }));
}

/** Messages keep the order's order (message key = order id) and carry a key the receiver applies once. */
export function outboxRecords(order: OrderState, messages: readonly StepMessage[], nowIso: string, steps: readonly Step[] = []): OutboxRecord[] {
  // A change has one cause: the correlation id its steps carry goes with the messages it sends.
  const correlationId = steps.find((s) => s.correlationId)?.correlationId;
  return messages.map(({ step, message }) => ({
    destination: message.destination,
    topic: message.topic,
    messageKey: order.id,
    lane: 'orders',
    idempotencyKey: `${order.id}/${step}/${message.destination}/${message.topic}`,
    payload: message.payload,
    createdAt: nowIso,
    ...(correlationId ? { correlationId } : {}),
  }));
}
