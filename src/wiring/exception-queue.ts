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
  orderExceptions: OrderExceptionList;
  orders: OrderReads;
  retryErpNow: () => void;
  delivery: DeliveryOperations;
  deadEntries: DeadLogEntries;
}

export function exceptionQueue(deps: ExceptionQueueDeps): { desk: ExceptionDesk; audit: AuditRecorder } {
  const { settings, clock, log, lifecycle } = deps;
  const desk = new ExceptionDesk({
    store: deps.store,
    clock,
    owners: { rules: settings.exceptions.owners, fallback: settings.exceptions.defaultOwner },
    sources: [
      parkedEventSource({ reads: deps.reads, view: deps.view }),
      parkedInboundSource({ store: deps.inbound.store, inbound: deps.inbound.webhooks }),
      partnerRejectionSource({ store: deps.inbound.store }),
      orderExceptionSource({ exceptions: deps.orderExceptions, ingest: deps.ingest }),
      deadLetterSource({ delivery: deps.delivery }),
      deadLogEntrySource({ entries: deps.deadEntries }),
      erpPendingSource({ reads: deps.orders, clock, limitMs: settings.exceptions.erpPendingMs, retryNow: deps.retryErpNow }),
    ],
    onSourceError: (source, err) => log.warn({ err, source }, 'an exception source could not be read; it is reconciled on the next round'),
  });
  lifecycle.every('reconcile exceptions', settings.exceptions.reconcileMs, () => desk.reconcile());
  const audit = new AuditRecorder({
    trail: deps.trail,
    clock,
    onError: (err, lost) => log.error({ err, lost }, 'audit entries could not be stored'),
  });
  lifecycle.every('forget old audit entries', AUDIT_SWEEP_MS, () => audit.forgetOlderThan(settings.audit.retentionMs), { runNow: true });
  lifecycle.onStop('drain', 'audit trail', () => audit.flush());
  return { desk, audit };
}
