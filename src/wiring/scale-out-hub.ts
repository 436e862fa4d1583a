/**
 * Wires one scale-out hub process (CROSSDOCK_BACKEND=scale-out): PostgreSQL for the shared state,
 * NATS JetStream for the log. Its role decides what it runs:
 * - api: the HTTP API; writes go to the log, reads come from a read model that follows the log;
 * - worker: applies the log to the shared state (a share of the work; any number of workers);
 * - all: both.
 * Workers also deliver channel availability and order messages to the configured systems, one
 * process per destination at a time, and retry the ERP commits of queued orders. api processes
 * capture orders (key claims, reservations and orders in PostgreSQL) and take inbound webhooks.
 * Order events (fulfilment, shipment, invoice, return, cancellation) go through the log like
 * inventory events, partitioned by order; workers apply them to the orders on the shared state.
 * Keys, extensions, listening, periodic jobs and shutdown are the start path every backend shares
 * (hub-process.ts); this file builds what differs.
 */
import { watchOversell } from '../interfaces/http/operations-metrics.js';
import { oversoldUnits } from '../domain/inventory/oversold-units.js';
import { PgAlertOutbox } from '../adapters/postgres/pg-alert-outbox.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { settingsOf, type HubConfig, type HubSettings } from '../config/hub-config.js';
import { openPostgres } from '../adapters/postgres/pg-database.js';
import { PgLedgerStore } from '../adapters/postgres/pg-ledger-store.js';
import { JetStreamEventLog, type JetStreamOptions } from '../adapters/nats/jetstream-event-log.js';
import { InventoryReadModel } from '../app/log/inventory-read-model.js';
import { LedgerWorker } from '../app/log/ledger-worker.js';
import { LogCatalog, LogIngest } from '../app/log/publish-to-log.js';
import { LogReads } from '../app/log/log-reads.js';
import { applyConfiguredMasterData, applyConfiguredReferences, seedConfiguredCustomers } from './master-data.js';
import { randomUUID } from 'node:crypto';
import { CrossReferences } from '../app/master-data/cross-references.js';
import { PgCrossReferenceStore } from '../adapters/postgres/pg-cross-reference-store.js';
import type { ReferenceLookup } from '../ports/reference-lookup.js';
import type { TradingPartner } from '../ports/trading-partner.js';
import { HubMetrics } from '../interfaces/http/metrics.js';
import { buildHttpApi } from '../interfaces/http/server.js';
import { registerOperationsRoutes } from '../interfaces/http/routes/operations.js';
import { startHubProcess, type HubOptions, type ProcessContext } from './hub-process.js';
import type { HubState } from './hub-lifecycle.js';
import type { Following } from '../ports/event-log.js';
import { PgDeliveryLedger, PgDestinationLeases } from '../adapters/postgres/pg-delivery.js';
import { LeasedDeliveries, type LeasedDestination, type LeasedWork } from '../app/delivery/leased-deliveries.js';
import { LogRelay } from '../app/log/log-relay.js';
import { WorkerDeadLogEntries } from '../app/log/retry-dead-entries.js';
import { deliveringSystems, destinationWorker, ediPartners, inboundSources, stockFileDrops, type DeliveringSystem } from './systems.js';
import { PgControlNumbers } from '../adapters/postgres/pg-control-numbers.js';
import { PgPartnerOrderLines } from '../adapters/postgres/pg-partner-order-lines.js';
import type { PartnerOrderLines } from '../ports/partner-order-lines.js';
import type { ControlNumbers } from '../ports/control-numbers.js';
import { PgInboundStore } from '../adapters/postgres/pg-inbound-store.js';
import { PgWebhookReceipts } from '../adapters/postgres/pg-webhook-receipts.js';
import { InboundWebhooks } from '../app/inbound/receive-webhook.js';
import { DeliveryOperations } from '../app/delivery/delivery-engine.js';
import { PgCustomerStore } from '../adapters/postgres/pg-customer-store.js';
import { PgApiKeyStore } from '../adapters/postgres/pg-api-key-store.js';
import { ApiKeyAdmin } from '../app/keys/manage-api-keys.js';
import { RequestGate } from '../interfaces/http/authorize.js';
import { PgOrderStore } from '../adapters/postgres/pg-order-store.js';
import { OrderDesk } from '../app/orders/order-desk.js';
import { ErpCommits } from '../app/orders/commit-orders-to-erp.js';
import { OrderCapture } from '../app/orders/capture-order.js';
import { LeasedKeys } from '../app/orders/idempotency-keys/leased-keys.js';
import { ReservedOrderPlacement } from '../app/orders/order-placement/reserved-order-placement.js';
import { Batched } from '../app/batched.js';
import type { Customer } from '../model/customer.js';
import { LeasedErpQueue } from '../app/orders/erp-queues/leased-erp-queue.js';
import type { HoldsEntry } from '../app/log/log-entries.js';
import { BackorderSweep } from '../app/orders/backorder-sweep.js';
import { RowLockedOrderChanges } from '../app/orders/order-changes/row-locked-order-changes.js';
import type { OrderChanges } from '../ports/order-changes.js';
import type { IdempotencyKeys } from '../ports/idempotency-keys.js';
import type { ErpQueue } from '../ports/erp-queue.js';
import type { OrderPlacement } from '../ports/order-placement.js';
import { StockReservations } from '../app/orders/stock-reservations.js';
import { AppliedWatermark } from '../app/log/applied-watermark.js';
import { expireWaitingEvents } from '../app/orders/expire-waiting-events.js';
import { releaseCreditHolds } from '../app/orders/release-credit-holds.js';
import { orderIds } from './erp.js';
import { PgExceptionStore } from '../adapters/postgres/pg-exception-store.js';
import { PgAuditTrail } from '../adapters/postgres/pg-audit-trail.js';
import { exceptionQueue } from './exception-queue.js';

export interface ScaleOutHub {
  app: FastifyInstance;
  url: string;
  role: 'api' | 'worker' | 'all';
  /** The api role's read model (absent on a worker). */
  view?: InventoryReadModel;
  store: PgLedgerStore;
  log: JetStreamEventLog;
  adminKey: string;
  /** The destinations this process delivers to now (a worker holding their leases). */
  deliveringTo?: () => string[];
  orders: PgOrderStore;
  /** Atomic changes to orders and the stock they hold (row locks, orders before items). */
  orderChanges: OrderChanges;
  /** Idempotency keys claimed in PostgreSQL, and the ERP commits due, leased to one process each. */
  keys: IdempotencyKeys;
  erpQueue: ErpQueue;
  /** New orders with their stock (absent on a worker). */
  placement?: OrderPlacement;
  /** ERP commits of orders (a worker sweeps the due ones every second). */
  erpCommits: ErpCommits;
  /** Records the figure changes time alone caused (a worker does it every 30 s); undefined on an api process. */
  sweepInboundHorizons?: () => Promise<number>;
  /** starting, running, draining or stopped. */
  lifecycle(): HubState;
  close(): Promise<void>;
}

/** A service the scale-out backend needs could not be reached or set up at start. */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly service: string,
    url: string,
    cause: unknown,
  ) {
    super(`cannot use ${service} at ${withoutPassword(url)}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ServiceUnavailableError';
  }
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** How long an api process may take to catch up with the log before it reports ready. */
const CATCH_UP_MS = 120_000;
const HORIZON_SWEEP_MS = 30_000;
const RELAY_MS = 250;
/** How often a worker asks for the lease of a destination another process holds. */
const LEASE_RETRY_MS = 2000;
const ERP_SWEEP_MS = 1000;
const BACKORDER_SWEEP_MS = 1000;
const KEY_SWEEP_MS = 3_600_000;
const WAIT_SWEEP_MS = 30_000;

/** The shared log's settings: the environment's NATS URL and namespace, the config file's tuning. */
export function sharedLogOptions(config: HubConfig, tuning: HubSettings['scaleOut'] = settingsOf(config.file).scaleOut): JetStreamOptions {
  const settings = config.scaleOut!;
  return {
    url: settings.natsUrl,
    namespace: settings.namespace,
    partitions: tuning.partitions,
    ackWaitMs: tuning.ackWaitSeconds * 1000,
    maxAttempts: tuning.maxAttempts,
    duplicateWindowMs: tuning.duplicateWindowMinutes * 60_000,
    workConcurrency: tuning.batchesInFlight,
  };
}

export async function startScaleOutHub(options: HubOptions): Promise<ScaleOutHub> {
  const settings = options.config.scaleOut;
  if (!settings) throw new Error('startScaleOutHub needs config.scaleOut (CROSSDOCK_BACKEND=scale-out)');
  const started = await startHubProcess(options, `Crossdock ${settings.role} process`, buildScaleOut);
  const { built } = started;
  return {
    app: built.app,
    url: started.url,
    role: settings.role,
    store: built.store,
    log: built.log,
    adminKey: started.adminKey,
    orders: built.orders,
    orderChanges: built.orderChanges,
    keys: built.keys,
    erpQueue: built.erpQueue,
    ...(built.placement ? { placement: built.placement } : {}),
    erpCommits: built.erpCommits,
    ...(built.view ? { view: built.view } : {}),
    ...(built.sweepInboundHorizons ? { sweepInboundHorizons: built.sweepInboundHorizons } : {}),
    ...(built.deliveries ? { deliveringTo: () => built.deliveries!.held() } : {}),
    lifecycle: () => started.lifecycle.state,
    close: started.close,
  };
}

async function buildScaleOut(ctx: ProcessContext) {
  const { config, clock, lifecycle, apiKeys } = ctx;
  const logger = ctx.log;
  const settings = config.scaleOut!;
  const tuning = ctx.settings.scaleOut;
  // Checked before any connection is made: a system this backend cannot run stops the start here.
  // EDI control numbers live in the database, which is opened next.
  let controlNumbers: PgControlNumbers | undefined;
  const controls: ControlNumbers = {
    allocate: (partner, groups) => controlNumbers!.allocate(partner, groups),
    recordSent: (partner, sent) => controlNumbers!.recordSent(partner, sent),
    sentInGroup: (partner, group) => controlNumbers!.sentInGroup(partner, group),
    receivedAt: (partner, sender, control) => controlNumbers!.receivedAt(partner, sender, control),
    recordReceived: (partner, sender, control, at) => controlNumbers!.recordReceived(partner, sender, control, at),
    forgetBefore: (before) => controlNumbers!.forgetBefore(before),
  };
  // Workers have no read model: the locations a system runs are the configured ones.
  const locationsRunBy = (system: string) =>
    Object.entries(config.file.locations ?? {})
      .filter(([, l]) => l.authority === system)
      .map(([id]) => id);
  // Cross-references live in the database too: connectors made now reach them once it is open.
  let xrefs: CrossReferences | undefined;
  const references: ReferenceLookup = {
    resolve: (keys) => xrefs!.resolve(keys),
    externalIds: (kind, system, ids) => xrefs!.externalIds(kind, system, ids),
    packing: (system, skus) => xrefs!.packing(system, skus),
  };
  // EDI partners' order lines too: the destinations made now read them once it is open.
  let partnerLines: PgPartnerOrderLines | undefined;
  const orderLines: PartnerOrderLines = {
    keep: (orderId, system, lines) => partnerLines!.keep(orderId, system, lines),
    addMissing: (orderId, system, lines) => partnerLines!.addMissing(orderId, system, lines),
    of: (system, orderIds) => partnerLines!.of(system, orderIds),
  };
  const systems = deliveringSystems({ config, clock, controls, locationsRunBy, references, orderLines });
  const db = await openPostgres(settings.databaseUrl, settings.namespace, tuning.connections).catch((err: unknown) => {
    throw new ServiceUnavailableError('PostgreSQL', settings.databaseUrl, err);
  });
  controlNumbers = new PgControlNumbers(db);
  partnerLines = new PgPartnerOrderLines(db, () => clock.now());
  let inbound: InboundWebhooks | undefined;
  xrefs = new CrossReferences({
    store: new PgCrossReferenceStore(db),
    baseUnit: (sku) => readModel?.items.get(sku)?.uom ?? config.file.items?.[sku]?.uom ?? 'EA',
    inbound: new PgInboundStore(db),
    // Parked documents are replayed by api processes (they hold the partners); a worker takes no new references.
    replay: async (id) => (inbound ? (await inbound.replay(id, randomUUID())).parked.status === 'replayed' : false),
  });
  const store = new PgLedgerStore(db);
  lifecycle.onStop('close', 'PostgreSQL', () => store.close());
  let log: JetStreamEventLog;
  try {
    log = await JetStreamEventLog.open({
      ...sharedLogOptions(config, tuning),
      onFollowRestarted: (position) =>
        logger.warn({ position }, 'the stream stopped reaching this process (NATS restarted?): following again from the last entry seen'),
    });
  } catch (err) {
    throw new ServiceUnavailableError('NATS JetStream', settings.natsUrl, err);
  }
  lifecycle.onStop('close', 'NATS', () => log.close());
  const metrics = new HubMetrics();
  const running: Following[] = [];
  let readModel: InventoryReadModel | undefined;
  metrics.watchLogLag(async () => {
    const head = await log.head();
    return {
      ...(readModel ? { readModel: Math.max(0, head - readModel.applied), orderHolds: readModel.unsettledCount } : {}),
      ...(settings.role !== 'api' ? { workBacklog: await log.pending('apply') } : {}),
    };
  });
  // Every process relays the shared state's queued log entries (holds for orders) to the log.
  const relay = new LogRelay({ store, log, onError: (err) => logger.warn({ err }, 'relaying queued entries to the log failed; will retry') });
  relay.start(RELAY_MS);
  // The relay sends on what the drained work queued, before the stream and the database close.
  lifecycle.onStop('drain', 'log relay', () => relay.stop());

  let sweepInboundHorizons: (() => Promise<number>) | undefined;
  let deliveries: LeasedDeliveries | undefined;
  const ledger = new PgDeliveryLedger(db);
  const orders = new PgOrderStore(db);
  const customers = new PgCustomerStore(db);
  const keyStore = new PgApiKeyStore(db);
  const keysOf = (channelExists: (id: string) => boolean = (id) => id in (config.file.channels ?? {})) =>
    new ApiKeyAdmin({ store: keyStore, keys: apiKeys, clock, channelExists });
  const workerFor = (system: DeliveringSystem) => destinationWorker(system, { deliveries: ledger, orders, inventory: store, clock, log: logger, metrics });
  // Order changes after capture: holds they take or release show in this process's read model at once, and the relay sends them on.
  const changes = {
    store,
    clock,
    position: () => readModel?.applied ?? worker?.position ?? 0,
    holdsCommitted: (queued: { outboxId: number; holds: HoldsEntry['holds'] }) => {
      readModel?.hold(queued.outboxId, queued.holds);
      relay.nudge();
    },
  };
  const orderChanges = new RowLockedOrderChanges({ ...changes, orders });
  const erpQueue = new LeasedErpQueue(orders);
  // An api process places orders; a worker does not.
  let placement: OrderPlacement | undefined;
  const keys = new LeasedKeys(orders, () => erpCommits.leaseMs);
  const erpCommits = new ErpCommits({
    changes: orderChanges,
    queue: erpQueue,
    customer: (id) => customers.customer(id),
    erp: ctx.erp.connector,
    clock,
    timeoutMs: ctx.erp.timeoutMs,
    retryBaseMs: ctx.erp.retryBaseMs,
    retryMaxMs: ctx.erp.retryMaxMs,
    onError: (err) => logger.warn({ err }, 'an ERP commit retry failed; it will be retried'),
  });
  lifecycle.onStop('work', 'ERP commit retries', () => erpCommits.stop());
  metrics.watchOrders(orders);
  // Workers fill backorders when they apply stock, and every second (released reservations free stock too).
  const backorders = new BackorderSweep(orderChanges, (err) => logger.warn({ err }, 'filling backorders failed; will retry'));
  lifecycle.onStop('work', 'backorder fills', () => backorders.stop());
  let worker: LedgerWorker | undefined;
  // Stopping the work hands unacknowledged entries back to the other workers.
  lifecycle.onStop('work', 'log consumers', async () => {
    worker?.stop();
    await Promise.all(running.map((r) => r.stop()));
  });
  if (settings.role !== 'api') {
    worker = new LedgerWorker({
      store,
      clock,
      ledger: ctx.settings.ledger,
      maxAttempts: log.maxAttempts,
      holdsQueued: () => relay.nudge(),
      observer: {
        applied: (stats) => {
          metrics.worker.applied(stats);
          if (stats.changes > 0) {
            deliveries?.nudge();
            backorders.nudge();
          }
        },
        failed: (entry, err, dead) => {
          metrics.worker.failed(entry, err, dead);
          logger.warn({ position: entry.position, err: err instanceof Error ? err.message : String(err), deadLettered: dead }, 'log entry failed to apply');
        },
        databaseUnavailable: (err, waitMs) => {
          metrics.worker.databaseUnavailable();
          logger.warn({ err: err.message, waitMs }, 'database unavailable: holding the log entries and trying again');
        },
      },
    });
    // Deliveries to the configured systems: one process at a time per destination (a lease).
    const delivering = (deliveries = new LeasedDeliveries({
      destinations: systems.map((system) => ({ id: system.id, worker: () => workerFor(system) })),
      leases: new PgDestinationLeases(settings.databaseUrl, settings.namespace),
      retryMs: LEASE_RETRY_MS,
      log: (level, msg, fields) => logger[level](fields ?? {}, msg),
    }));
    delivering.start();
    lifecycle.onStop('work', 'deliveries', () => delivering.stop());
    const applier = worker;
    running.push(await log.work('apply', (items) => applier.handle(items)));
    const sweep = (sweepInboundHorizons = async () => applier.sweepInboundHorizons(await log.head()));
    lifecycle.every('inbound horizons', HORIZON_SWEEP_MS, sweep);
    erpCommits.start(ERP_SWEEP_MS);
    backorders.start(BACKORDER_SWEEP_MS);
    // Order events whose precondition never comes become exceptions after the configured wait.
    const waitMs = ctx.settings.orders.waitForPreconditionMs;
    lifecycle.every('expire waiting order events', Math.min(WAIT_SWEEP_MS, Math.max(250, waitMs / 4)), () =>
      expireWaitingEvents(orderChanges, new Date(clock.now() - waitMs).toISOString()),
    );
    const keyHours = ctx.settings.orders.idempotencyKeyHours;
    lifecycle.every('forget old idempotency keys', KEY_SWEEP_MS, () => orders.forgetKeysBefore(new Date(clock.now() - keyHours * 3_600_000).toISOString()), {
      runNow: true,
    });
  }

  let app: FastifyInstance;
  let view: InventoryReadModel | undefined;
  let api: { locations(): { id: string; authority: string }[]; channels(): string[]; freshLog: boolean } | undefined;
  if (settings.role === 'worker') {
    // A worker answers health and metrics only; the API lives on api processes.
    app = Fastify({ logger: false });
    const applier = worker!;
    const keyAdmin = keysOf();
    await keyAdmin.refresh();
    lifecycle.every('reread API keys', ctx.settings.auth.keyRefreshMs, () => keyAdmin.refresh());
    registerOperationsRoutes(app, {
      gate: new RequestGate(apiKeys, ctx.settings.auth),
      ready: lifecycle.ready,
      metrics,
      state: {
        get position() {
          return applier.position;
        },
      },
    });
  } else {
    const model = (view = readModel = new InventoryReadModel(ctx.settings.ledger));
    running.push(await log.follow(0, (entry) => model.apply(entry)));
    const head = await log.head();
    if (!(await model.waitFor(head, CATCH_UP_MS)))
      logger.warn({ head, position: model.position }, 'the read model has not caught up with the log yet; serving what it has');
    const freshLog = head === 0;
    const publish = { log, view: model };
    const catalog = new LogCatalog(publish);
    await applyConfiguredMasterData(catalog, model, config.file);
    // Delivery operations work from any process: replays and retries are queued in the shared
    // database, and whichever worker holds the destination sends them.
    const delivery = new DeliveryOperations(
      systems.map(workerFor),
      ledger,
      async () => {
        const held = deliveries?.workers().map((w) => w.status()) ?? [];
        const elsewhere = await Promise.all(
          systems
            .filter((s) => !held.some((h) => h.destination === s.id))
            .map(async (s) => ({
              destination: s.id,
              circuit: 'held_elsewhere' as const,
              cursors: { orders: await ledger.cursor(s.id, 'orders'), bulk: await ledger.cursor(s.id, 'bulk') },
              deliveredMessages: 0,
              coalescedChanges: 0,
              lastSuccessAt: null,
              rateLimitUse: null,
            })),
        );
        return [...held, ...elsewhere];
      },
      () => deliveries?.nudge(),
    );
    metrics.watchDeliveries(delivery);
    watchOversell(metrics, () => oversoldUnits(model.book));
    const applied = new AppliedWatermark(() => log.finishedThrough('apply'));
    await seedConfiguredCustomers({ customers, clock }, config.file);
    const ingest = new LogIngest(publish);
    // A 3PL's stock-file folder is taken by one api process at a time (a lease, like a destination).
    const leased = <W extends LeasedWork>(what: string, work: LeasedDestination<W>[]): void => {
      if (work.length === 0) return;
      const held = new LeasedDeliveries<W>({
        destinations: work,
        leases: new PgDestinationLeases(settings.databaseUrl, settings.namespace),
        retryMs: LEASE_RETRY_MS,
        log: (level, msg, fields) => logger[level](fields ?? {}, msg),
      });
      held.start();
      lifecycle.onStop('work', what, () => held.stop());
    };
    const inboundStore = new PgInboundStore(db);
    const drops = stockFileDrops({ config, ingest, clock, log: logger, metrics, references, inboundStore });
    leased(
      'stock-file folders',
      drops.map((d) => ({ id: `inbox:${d.id}`, worker: d.drop })),
    );
    // Concurrent captures share their round trips: key claims, customer reads, reservations, stored answers.
    const customerReads = new Batched<string, Customer | undefined>((ids) => customers.customersById(ids));
    const reservations = new StockReservations({
      store,
      clock,
      position: () => model.applied,
      heldLocally: (outboxId, holds) => model.hold(outboxId, holds),
      committed: () => relay.nudge(),
      applied: (position) => applied.reached(position),
    });
    const capture = new OrderCapture({
      keys,
      placement: (placement = new ReservedOrderPlacement({
        reservations,
        reservesAfter: () => model.reservesAfter,
        erpLeaseMs: () => erpCommits.leaseMs,
        clock,
      })),
      erp: erpCommits,
      view: model,
      customer: (id) => customerReads.call(id),
      order: (id) => orders.order(id),
      clock,
      newOrderId: orderIds(),
    });
    const desk = new OrderDesk({ capture, changes: orderChanges, reads: orders, amendments: { isKnownSku: (sku) => model.isKnownSku(sku), erp: erpCommits } });
    const webhookReceipts = new PgWebhookReceipts(db);
    // EDI partners' folders, like stock files, are taken by one api process at a time; any process replays their parked documents.
    const partners = ediPartners({
      config,
      desk,
      ingest,
      inboundStore,
      controls,
      clock,
      log: logger,
      metrics,
      references,
      orderLines,
      locationRunBy: (system) => [...model.book.locations.values()].find((l) => l.authority === system)?.id,
      view: () => model,
    });
    leased(
      'EDI folders',
      partners.map((p) => ({ id: `edi:${p.id}`, worker: p.partner })),
    );
    inbound = new InboundWebhooks({
      orders: desk,
      ingest,
      inbound: inboundStore,
      clock,
      partners: new Map<string, TradingPartner>([...partners.map((p) => [p.id, p.partner()] as const), ...drops.map((d) => [d.id, d.drop()] as const)]),
      sources: inboundSources(config, { orderByTracking: (n) => orders.orderByTracking(n), now: () => clock.now(), references }),
      receipts: webhookReceipts,
      replayWindow: ctx.settings.webhooks,
    });
    // Receipts outlive the replay window, so that a repeat within it is always recognised (any api process may sweep).
    const receiptsKeptMs = 2 * ctx.settings.webhooks.maxAgeSeconds * 1000;
    lifecycle.every('forget old webhook ids', KEY_SWEEP_MS, () => webhookReceipts.forgetBefore(new Date(clock.now() - receiptsKeptMs).toISOString()));
    // Any api process may sweep: deleting what another already deleted changes nothing.
    lifecycle.every('forget old EDI records', KEY_SWEEP_MS, () => controls.forgetBefore(new Date(clock.now() - ctx.settings.edi.retentionMs).toISOString()), {
      runNow: true,
    });
    await applyConfiguredReferences(xrefs, config.file, config.configFile);
    const keyAdmin = keysOf((id) => model.book.channels.has(id));
    await keyAdmin.refresh();
    // Keys created or revoked through another api process reach this one at the next reread.
    lifecycle.every('reread API keys', ctx.settings.auth.keyRefreshMs, () => keyAdmin.refresh());
    const reads = new LogReads({ log, view: model, store });
    const deadEntries = new WorkerDeadLogEntries({
      store,
      worker: worker ?? new LedgerWorker({ store, clock, ledger: ctx.settings.ledger, maxAttempts: log.maxAttempts }),
    });
    const queue = exceptionQueue({
      store: new PgExceptionStore(db),
      trail: new PgAuditTrail(db),
      settings: ctx.settings,
      clock,
      log: logger,
      lifecycle,
      reads,
      view: model,
      ingest,
      inbound: { store: inboundStore, webhooks: inbound },
      xrefs,
      orderExceptions: orders,
      orders,
      retryErpNow: () => erpCommits.nudge(),
      delivery,
      deadEntries,
      alerts: new PgAlertOutbox(db),
      metrics,
    });
    app = await buildHttpApi({
      keys: keyAdmin,
      auth: ctx.settings.auth,
      exceptions: queue.desk,
      sla: queue.sla,
      audit: queue.audit,
      state: model,
      reads,
      catalog,
      ingest,
      clock,
      apiKeys,
      metrics,
      ready: lifecycle.ready,
      log: logger,
      limits: ctx.settings.http,
      delivery,
      customers: {
        customers,
        clock,
        orderedOn: (id, access) => desk.customerOrderedOn(id, access),
        creditReleased: async (id) => {
          if ((await releaseCreditHolds(orderChanges, id)) > 0) erpCommits.nudge();
        },
      },
      orders: desk,
      inbound: { inbound, inboundStore },
      xrefs,
      orderExceptions: orders,
      deadEntries,
    });
    api = {
      locations: () => [...model.book.locations.values()].map((l) => ({ id: l.id, authority: l.authority })),
      channels: () => [...model.book.channels.keys()],
      freshLog,
    };
  }
  return {
    app,
    store,
    log,
    orders,
    orderChanges,
    keys,
    erpQueue,
    placement,
    erpCommits,
    view,
    sweepInboundHorizons,
    deliveries,
    listening: (url: string) => `Crossdock ${settings.role} process (scale-out, namespace ${settings.namespace}) listening on ${url}`,
    ...(api ? { api } : {}),
  };
}
