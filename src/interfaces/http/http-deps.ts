/**
 * What the HTTP API needs from the rest of the hub, backend by backend. It sits apart from
 * server.ts so that the route files, which server.ts imports, can name it without importing it back.
 */
import type { InboundWebhooks } from '../../app/inbound/receive-webhook.js';
import type { InboundStore } from '../../ports/inbound-store.js';
import type { DeliveryOperations } from '../../app/delivery/delivery-engine.js';
import type { DeadLogEntries } from '../../app/log/dead-log-entries.js';
import type { OrderDesk } from '../../app/orders/order-desk.js';
import type { OrderException } from '../../ports/order-store.js';
import type { Catalog, Ingest, InventoryReads, InventoryView } from '../../app/inventory/inventory-view.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from 'pino';
import type { ApiKeys } from '../../app/keys/api-keys.js';
import type { ApiKeyAdmin } from '../../app/keys/manage-api-keys.js';
import type { AuthSettings } from './authorize.js';
import type { HubMetrics } from './metrics.js';
import type { CustomerRouteDeps } from './routes/customers.js';
import type { HttpLimits } from './connection-limits.js';
import type { CrossReferences } from '../../app/master-data/cross-references.js';
import type { ExceptionDesk } from '../../app/exceptions/exception-desk.js';
import type { AuditRecorder } from '../../app/audit/audit-recorder.js';
import type { SlaWatch } from '../../app/sla/sla-alerts.js';

/** Order exceptions, from either backend's store. */
export interface OrderExceptionReads {
  exceptions(afterId: number, limit: number): OrderException[] | Promise<OrderException[]>;
}

/** Inbound webhooks from configured systems and the messages parked from them. */
export interface InboundServices {
  inbound: InboundWebhooks;
  inboundStore: InboundStore;
}

export interface HttpDeps {
  state: InventoryView;
  reads: InventoryReads;
  catalog: Catalog;
  ingest: Ingest;
  clock: Clock;
  /** Absent on a backend that does not serve orders: their routes answer 501. */
  orders?: OrderDesk;
  /** Absent on a backend without inbound webhooks: their routes answer 501. */
  inbound?: InboundServices;
  /** Absent on a hub started without order events: the route answers 501. */
  orderExceptions?: OrderExceptionReads;
  delivery: DeliveryOperations;
  customers: CustomerRouteDeps;
  /** Cross-references and unit conversions. */
  xrefs: CrossReferences;
  deadEntries: DeadLogEntries;
  apiKeys: ApiKeys;
  /** Keys created, listed and revoked through the API (/v1/keys); absent on a process without a key store. */
  keys?: ApiKeyAdmin;
  /** The `auth` section: public metrics, rate limits, how often keys are reread. */
  auth: AuthSettings;
  metrics: HubMetrics;
  /** false while starting or shutting down: /healthz answers 503. */
  ready: () => boolean;
  log: Logger;
  /** Timeouts, the connection cap and load shedding (the file's `http` section). */
  limits: HttpLimits;
  /** The exception queue (/v1/exceptions); absent: the routes answer 501. */
  exceptions?: ExceptionDesk;
  /** Where writes are recorded (/v1/audit); absent: nothing is recorded and the route answers 501. */
  audit?: AuditRecorder;
  /** The SLA rules and their alerts (GET /v1/sla); absent: the route answers 501. */
  sla?: SlaWatch;
}
