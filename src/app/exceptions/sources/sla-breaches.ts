/**
 * SLA breaches (class sla_breach): each configured rule evaluated against the hub's own records
 * on every round of the exception queue. One breach of one rule for one entity is one exception
 * (its key names both), so any number of processes evaluating the rules open it once; when the
 * condition clears, the queue resolves it by itself. Only acknowledge and assign apply: the fix
 * is in the record that is late (the ERP, the destination), which has its own exception.
 */
import { isLiveStatus } from '../../../domain/exceptions/exception-rules.js';
import { brokeAt, isLate, ruleOfKey, SLA_BREACH_CLASS, type SlaBreach, type SlaRule } from '../../../domain/sla/sla-rules.js';
import type { Clock } from '../../../ports/clock.js';
import type { CurrentProblem, ExceptionSource } from '../../../ports/exception-source.js';
import type { ExceptionStore } from '../../../ports/exception-store.js';
import type { OrderReads } from '../../../ports/order-reads.js';
import type { DestinationBacklog } from '../../delivery/destination-worker.js';
import { breachKey } from '../../../domain/sla/sla-rules.js';

const PAGE = 500;

export interface SlaBreachDeps {
  rules: readonly SlaRule[];
  clock: Clock;
  orders: OrderReads;
  /** What each destination still owes (DeliveryOperations.backlogs). */
  backlogs: () => Promise<DestinationBacklog[]>;
  exceptions: ExceptionStore;
}

/** Every breach of every rule now. */
export async function evaluateSlaRules(deps: SlaBreachDeps): Promise<SlaBreach[]> {
  const now = deps.clock.now();
  const breaches: SlaBreach[] = [];
  let backlogs: DestinationBacklog[] | undefined;
  const owed = async () => (backlogs ??= await deps.backlogs());
  for (const rule of deps.rules) {
    switch (rule.kind) {
      case 'order_in_erp': {
        for (const { order } of await deps.orders.listOrders({ status: 'pending_erp', limit: PAGE })) {
          if (!isLate(rule, order.createdAt, now)) continue;
          const first = order.correlationId ? { correlationId: order.correlationId } : (await deps.orders.timeline(order.id))[0];
          breaches.push({
            rule,
            entity: { kind: 'order', id: order.id },
            since: brokeAt(rule, order.createdAt),
            detail: `order ${order.id} (${order.channel} ${order.externalId}) is not in the ERP ${rule.minutes} min after capture; ${order.erp.attempts} attempt(s)${order.erp.lastError ? `, last: ${order.erp.lastError}` : ''}`,
            correlationId: first?.correlationId ?? null,
            system: 'erp',
          });
        }
        break;
      }
      case 'shipment_to_channels': {
        for (const b of await owed()) {
          if (rule.destinations && !rule.destinations.includes(b.destination)) continue;
          const late = b.shipments.filter((s) => isLate(rule, s.since, now));
          if (late.length === 0) continue;
          const oldest = late.reduce((a, s) => (s.since < a.since ? s : a));
          breaches.push({
            rule,
            entity: { kind: 'destination', id: b.destination },
            since: brokeAt(rule, oldest.since),
            detail: `${late.length} shipment confirmation(s) not delivered to ${b.destination} within ${rule.minutes} min (orders ${[...new Set(late.map((s) => s.orderId))].slice(0, 5).join(', ')}${late.length > 5 ? ', ...' : ''}; ${late.filter((s) => s.state === 'dead').length} dead-lettered)`,
            correlationId: null,
            system: b.destination,
          });
        }
        break;
      }
      case 'channel_lag': {
        for (const b of await owed()) {
          if (!b.channel || !b.oldestChange) continue;
          if (rule.destinations && !rule.destinations.includes(b.destination)) continue;
          if (!isLate(rule, b.oldestChange.at, now)) continue;
          breaches.push({
            rule,
            entity: { kind: 'destination', id: b.destination },
            since: brokeAt(rule, b.oldestChange.at),
            detail: `${b.destination} (channel ${b.channel}) trails the hub by more than ${rule.minutes} min: the figure of ${b.oldestChange.sku} changed at ${b.oldestChange.at} and is not acknowledged`,
            correlationId: null,
            system: b.destination,
          });
        }
        break;
      }
      case 'exception_ack': {
        for (let beforeId: number | undefined; ; ) {
          const page = await deps.exceptions.list({ status: 'open', limit: PAGE, ...(beforeId ? { beforeId } : {}) });
          for (const e of page) {
            if (rule.classes ? !rule.classes.includes(e.class) : e.class === SLA_BREACH_CLASS) continue;
            const opened = e.history[0]?.at ?? e.createdAt;
            if (!isLate(rule, opened, now)) continue;
            breaches.push({
              rule,
              entity: { kind: 'exception', id: String(e.id) },
              since: brokeAt(rule, opened),
              detail: `exception ${e.id} (${e.class}, owner ${e.owner}) is not acknowledged ${rule.minutes} min after it opened: ${e.error}`,
              correlationId: e.correlationId,
              system: e.system,
            });
          }
          if (page.length < PAGE) break;
          beforeId = page[page.length - 1]!.id;
        }
        break;
      }
    }
  }
  return breaches;
}

/** The rule and entity of a breach's exception key (`rule/kind:id@since`). */
const episodeOf = (key: string): string => (key.includes('@') ? key.slice(0, key.lastIndexOf('@')) : key);

export function slaBreachSource(deps: SlaBreachDeps): ExceptionSource {
  return {
    class: SLA_BREACH_CLASS,
    severity: 'high',
    actions: [],
    async current(): Promise<CurrentProblem[]> {
      // A breach that is already an exception keeps its key; a new one (or the same entity breaching
      // again after it resolved) gets a key naming when it broke, so it opens an exception of its own.
      const live = new Map<string, string>();
      for (const status of ['open', 'acknowledged'] as const) {
        for (const e of await deps.exceptions.list({ class: SLA_BREACH_CLASS, status, limit: PAGE })) live.set(episodeOf(e.key), e.key);
      }
      return (await evaluateSlaRules(deps)).map((b) => ({
        key: live.get(breachKey(b)) ?? `${breachKey(b)}@${b.since}`,
        entity: b.entity,
        error: `${b.rule.id}: ${b.detail}`,
        group: `sla:${b.rule.id}`,
        system: b.system,
        correlationId: b.correlationId,
        since: b.since,
        severity: b.rule.severity,
        payload: { rule: b.rule, entity: b.entity, brokeAt: b.since },
      }));
    },
    payload: async () => null,
    async whyGone(e) {
      const rule = deps.rules.find((r) => r.id === ruleOfKey(e.key));
      if (!rule) return `the rule ${ruleOfKey(e.key)} is no longer configured`;
      switch (rule.kind) {
        case 'order_in_erp': {
          const order = await deps.orders.order(e.entity.id);
          if (order?.erp.orderNumber) return `the ERP took order ${order.id} as ${order.erp.orderNumber}`;
          return order ? `order ${order.id} no longer waits for the ERP (${order.erp.state})` : 'the order is gone';
        }
        case 'shipment_to_channels':
          return `every shipment confirmation for ${e.entity.id} was delivered (or discarded)`;
        case 'channel_lag':
          return `${e.entity.id} acknowledged the channel's figures`;
        case 'exception_ack': {
          const x = await deps.exceptions.get(Number(e.entity.id));
          return x && !isLiveStatus(x.status) ? `exception ${x.id} is ${x.status}` : `exception ${e.entity.id} was acknowledged`;
        }
      }
    },
    async act(_e, action) {
      throw new Error(`unreachable: ${action} on an SLA breach`);
    },
  };
}
