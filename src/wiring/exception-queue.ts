/**
 * The exception queue and the audit trail for one process, on either backend: the sources over
 * the records this process can read and act on, the desk reconciling them on a timer, and the
 * audit recorder with its retention sweep; flushed and stopped in the shared shutdown order.
 */
import type { Logger } from 'pino';
import { AuditRecorder } from '../app/audit/audit-recorder.js';
import { ExceptionDesk } from '../app/exceptions/exception-desk.js';
import { deadLetterSource } from '../app/exceptions/sources/dead-letters.js';
import { deadLogEntrySource } from '../app/exceptions/sources/dead-log-entries.js';
import { erpPendingSource } from '../app/exceptions/sources/erp-pending.js';
import { orderExceptionSource, type OrderExceptionList } from '../app/exceptions/sources/order-exceptions.js';
import { parkedEventSource } from '../app/exceptions/sources/parked-events.js';
import { parkedInboundSource } from '../app/exceptions/sources/parked-inbound.js';
import { partnerRejectionSource } from '../app/exceptions/sources/partner-rejections.js';
import { slaBreachSource } from '../app/exceptions/sources/sla-breaches.js';
import { SlaAlerts, type SlaWatch } from '../app/sla/sla-alerts.js';
import { postJson } from '../adapters/http/post-json.js';
import type { AlertOutbox } from '../ports/alert-outbox.js';
import type { HubException } from '../domain/exceptions/exception-rules.js';
import type { HubMetrics } from '../interfaces/http/metrics.js';
import { watchOperations } from '../interfaces/http/operations-metrics.js';
import { unknownCrossReferenceSource } from '../app/exceptions/sources/unknown-cross-references.js';
import type { CrossReferences } from '../app/master-data/cross-references.js';
import type { DeliveryOperations } from '../app/delivery/delivery-engine.js';
import type { InboundWebhooks } from '../app/inbound/receive-webhook.js';
import type { Ingest, InventoryReads, InventoryView } from '../app/inventory/inventory-view.js';
import type { DeadLogEntries } from '../app/log/dead-log-entries.js';
import type { HubSettings } from '../config/hub-config.js';
import type { AuditTrail } from '../ports/audit-trail.js';
import type { Clock } from '../ports/clock.js';
import type { ExceptionStore } from '../ports/exception-store.js';
import type { InboundStore } from '../ports/inbound-store.js';
import type { OrderReads } from '../ports/order-reads.js';
import type { HubLifecycle } from './hub-lifecycle.js';

const AUDIT_SWEEP_MS = 3_600_000;

export interface ExceptionQueueDeps {
  store: ExceptionStore;
  trail: AuditTrail;
  settings: HubSettings;
  clock: Clock;
  log: Logger;
  lifecycle: HubLifecycle;
  reads: InventoryReads;
  view: InventoryView;
  ingest: Ingest;
  inbound: { store: InboundStore; webhooks: InboundWebhooks };
  /** Where the missing mapping of an unknown cross-reference is added (which replays what waits for it). */
  xrefs: CrossReferences;
  orderExceptions: OrderExceptionList;
  orders: OrderReads;
  retryErpNow: () => void;
  delivery: DeliveryOperations;
  deadEntries: DeadLogEntries;
  alerts: AlertOutbox;
  /** Where the queue's gauges and counters are registered. */
  metrics: HubMetrics;
}

export function exceptionQueue(deps: ExceptionQueueDeps): { desk: ExceptionDesk; audit: AuditRecorder; sla: SlaWatch } {
  const { settings, clock, log, lifecycle } = deps;
  // Bound once the desk exists: the gauges read it, the desk reports what it opens.
  let counted: { opened(e: readonly HubException[]): void } = { opened: () => {} };
  const desk = new ExceptionDesk({
    store: deps.store,
    clock,
    owners: { rules: settings.exceptions.owners, fallback: settings.exceptions.defaultOwner },
    sources: [
      parkedEventSource({ reads: deps.reads, view: deps.view }),
      parkedInboundSource({ store: deps.inbound.store, inbound: deps.inbound.webhooks }),
      partnerRejectionSource({ store: deps.inbound.store }),
      unknownCrossReferenceSource({ store: deps.inbound.store, inbound: deps.inbound.webhooks, xrefs: deps.xrefs }),
      orderExceptionSource({ exceptions: deps.orderExceptions, ingest: deps.ingest }),
      deadLetterSource({ delivery: deps.delivery }),
      deadLogEntrySource({ entries: deps.deadEntries }),
      erpPendingSource({ reads: deps.orders, clock, limitMs: settings.exceptions.erpPendingMs, retryNow: deps.retryErpNow }),
      // Evaluated on every round by every process that runs the queue: a breach's key names its rule, entity and start, so it opens once.
      slaBreachSource({ rules: settings.sla.rules, clock, orders: deps.orders, backlogs: () => deps.delivery.backlogs(), exceptions: deps.store }),
    ],
    onOpened: (opened) => counted.opened(opened),
    onSourceError: (source, err) => log.warn({ err, source }, 'an exception source could not be read; it is reconciled on the next round'),
  });
  counted = watchOperations(deps.metrics, { depths: () => deps.delivery.depths(), exceptions: (f) => desk.list(f) });
  lifecycle.every('reconcile exceptions', settings.exceptions.reconcileMs, () => desk.reconcile());
  const audit = new AuditRecorder({
    trail: deps.trail,
    clock,
    onError: (err, lost) => log.error({ err, lost }, 'audit entries could not be stored'),
  });
  lifecycle.every('forget old audit entries', AUDIT_SWEEP_MS, () => audit.forgetOlderThan(settings.audit.retentionMs), { runNow: true });
  lifecycle.onStop('drain', 'audit trail', () => audit.flush());
  const alerts = new SlaAlerts({
    exceptions: deps.store,
    outbox: deps.alerts,
    webhooks: settings.sla.webhooks,
    clock,
    post: (url, body, headers) => postJson(url, body, headers),
    retryMaxMs: settings.sla.retryMaxMs,
    onFailure: (alert, err) =>
      log.warn({ err, alert: alert.id, webhook: alert.webhook, attempts: alert.attempts + 1 }, 'an SLA alert could not be delivered; it is retried'),
  });
  lifecycle.every('SLA alerts', Math.min(settings.exceptions.reconcileMs, 1000), () => alerts.run());
  lifecycle.every('forget settled SLA alerts', AUDIT_SWEEP_MS, () => alerts.forgetSettled(settings.sla.alertRetentionMs), { runNow: true });
  return { desk, audit, sla: { rules: settings.sla.rules, webhooks: settings.sla.webhooks, alerts } };
}
