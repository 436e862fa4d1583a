/**
 * The embedded backend (one process, SQLite): opens the store, rebuilds the live state, applies
 * the configured master data and builds the use cases and the HTTP API on them; the start path
 * every backend shares (wiring/hub-process.ts) does the rest: keys, extensions, listening, the
 * periodic jobs' lifecycle and the one shutdown order. The configured systems are wired in
 * wiring/systems.ts.
 */
import { watchOversell } from './interfaces/http/operations-metrics.js';
import { oversoldUnits } from './domain/inventory/oversold-units.js';
import { SqliteAlertOutbox } from './adapters/sqlite/sqlite-alert-outbox.js';
import type { FastifyInstance } from 'fastify';
import { SqliteInventoryStore } from './adapters/sqlite/sqlite-inventory-store.js';
import { SqliteCustomerStore } from './adapters/sqlite/sqlite-customer-store.js';
import { InventoryState } from './app/inventory/inventory-state.js';
import { EventIngest } from './app/inventory/ingest-events.js';
import { embeddedCatalog } from './app/inventory/define-catalog.js';
import { applyConfiguredMasterData, applyConfiguredReferences, seedConfiguredCustomers } from './wiring/master-data.js';
import { refreshInboundHorizons } from './app/inventory/refresh-inbound-horizons.js';
import { HubMetrics } from './interfaces/http/metrics.js';
import { buildHttpApi } from './interfaces/http/server.js';
import { deliveryEngine, fileExchanges, inboundSources } from './wiring/systems.js';
import { SqliteOrderStore } from './adapters/sqlite/sqlite-order-store.js';
import { OpenOrders } from './app/orders/open-orders.js';
import { EventLoopOrderChanges } from './app/orders/order-changes/event-loop-order-changes.js';
import type { OrderChanges } from './ports/order-changes.js';
import type { IdempotencyKeys } from './ports/idempotency-keys.js';
import type { ErpQueue } from './ports/erp-queue.js';
import type { OrderPlacement } from './ports/order-placement.js';
import { expireWaitingEvents } from './app/orders/expire-waiting-events.js';
import { releaseCreditHolds } from './app/orders/release-credit-holds.js';
import { OrderCapture } from './app/orders/capture-order.js';
import { OrderDesk } from './app/orders/order-desk.js';
import { liveOrderReads } from './app/orders/live-order-reads.js';
import type { OrderReads } from './ports/order-reads.js';
import { orderIds } from './wiring/erp.js';
import { statusOf } from './domain/orders/order-state.js';
import { ErpCommits } from './app/orders/commit-orders-to-erp.js';
import { InProcessErpQueue } from './app/orders/erp-queues/in-process-erp-queue.js';
import { InProcessKeys } from './app/orders/idempotency-keys/in-process-keys.js';
import { EventLoopOrderPlacement } from './app/orders/order-placement/event-loop-order-placement.js';
import { GroupCommit } from './app/group-commit.js';
import type { DeliveryEngine } from './app/delivery/delivery-engine.js';
import { SqliteInboundStore } from './adapters/sqlite/sqlite-inbound-store.js';
import { SqliteWebhookReceipts } from './adapters/sqlite/sqlite-webhook-receipts.js';
import { InboundWebhooks } from './app/inbound/receive-webhook.js';
import { randomUUID } from 'node:crypto';
import { CrossReferences } from './app/master-data/cross-references.js';
import { SqliteCrossReferenceStore } from './adapters/sqlite/sqlite-cross-reference-store.js';
import { SqliteControlNumbers } from './adapters/sqlite/sqlite-control-numbers.js';
import { SqlitePartnerOrderLines } from './adapters/sqlite/sqlite-partner-order-lines.js';
import { SqliteApiKeyStore } from './adapters/sqlite/sqlite-api-key-store.js';
import { ApiKeyAdmin } from './app/keys/manage-api-keys.js';
import { noDeadLogEntries } from './app/log/dead-log-entries.js';
import { startHubProcess, type HubOptions, type ProcessContext } from './wiring/hub-process.js';
import type { HubState } from './wiring/hub-lifecycle.js';
import { SqliteExceptionStore } from './adapters/sqlite/sqlite-exception-store.js';
import { SqliteAuditTrail } from './adapters/sqlite/sqlite-audit-trail.js';
import type { AuditTrail } from './ports/audit-trail.js';
import type { WebhookReceipts } from './ports/webhook-receipts.js';
import { exceptionQueue } from './wiring/exception-queue.js';

export type { HubOptions } from './wiring/hub-process.js';

export interface Hub {
  app: FastifyInstance;
  url: string;
  state: InventoryState;
  store: SqliteInventoryStore;
  ingest: EventIngest;
  orders: {
    openOrders: OpenOrders;
    capture: OrderCapture;
    erp: ErpCommits;
    store: SqliteOrderStore;
    changes: OrderChanges;
    keys: IdempotencyKeys;
    erpQueue: ErpQueue;
    placement: OrderPlacement;
    reads: OrderReads;
  };
  delivery: DeliveryEngine;
  adminKey: string;
  /** starting, running, draining or stopped. */
  lifecycle(): HubState;
  close(): Promise<void>;
}

const HORIZON_SWEEP_MS = 30_000;
const ERP_SWEEP_MS = 1000;
const WAIT_SWEEP_MS = 30_000;
const KEY_SWEEP_MS = 3_600_000;

export async function startHub(options: HubOptions): Promise<Hub> {
  const started = await startHubProcess(options, 'Crossdock hub', buildEmbedded);
  const { built } = started;
  return {
    app: built.app,
    url: started.url,
    adminKey: started.adminKey,
    state: built.state,
    store: built.store,
    ingest: built.ingest,
    orders: built.orders,
    delivery: built.delivery,
    lifecycle: () => started.lifecycle.state,
    close: started.close,
  };
}

async function buildEmbedded(ctx: ProcessContext) {
  const { config, settings, clock, log, lifecycle, apiKeys } = ctx;
  const store = new SqliteInventoryStore(config.dataDir);
  lifecycle.onStop('close', 'SQLite', () => store.close());
  const customers = new SqliteCustomerStore(store.db);
  const state = new InventoryState({ store, clock, ledger: settings.ledger });
  const freshLog = state.position === 0;
  const metrics = new HubMetrics();
  const orderStore = new SqliteOrderStore(store.db);
  const openOrders = new OpenOrders({ state, orders: orderStore, clock });
  metrics.watchOrders({
    openByStatus: () => {
      const counts = new Map<string, number>();
      for (const o of openOrders.all()) {
        const s = statusOf(o);
        counts.set(s, (counts.get(s) ?? 0) + 1);
      }
      return counts;
    },
    waitingTotal: () => openOrders.waitingTotal(),
  });
  // After a failed write, memory may be ahead of the disk: rebuild the ledger, then the orders' holds on it.
  const recover = () => {
    state.reload();
    openOrders.reload();
  };
  // Workers wake when a commit lands rather than on their next idle tick (bound once the engine exists).
  let wakeDelivery = () => {};
  const ingest = new EventIngest({
    state,
    store,
    clock,
    orders: openOrders,
    recover,
    observer: {
      committed: (s) => {
        metrics.committed(s);
        if (s.changes > 0) wakeDelivery();
      },
    },
  });
  const commits = new GroupCommit((fn) => store.transaction(fn), recover);
  // What was accepted is committed and checkpointed before the store closes (registered after it, drained before it).
  lifecycle.onStop('drain', 'event ingest', () => ingest.close());
  lifecycle.onStop('drain', 'group commits', () => commits.flush());
  lifecycle.onStop('drain', 'checkpoint', () => state.checkpoint());
  const deps = { state, store, clock };

  const orderChanges = new EventLoopOrderChanges({ state, openOrders, commits, clock });
  const erpQueue = new InProcessErpQueue({ openOrders, clock });
  const keys = new InProcessKeys({ orders: orderStore, commits });
  const placement = new EventLoopOrderPlacement({ state, orders: orderStore, openOrders, commits, clock, erpQueue });
  const erp = new ErpCommits({
    changes: orderChanges,
    queue: erpQueue,
    erp: ctx.erp.connector,
    customer: (id) => customers.customer(id),
    clock,
    timeoutMs: ctx.erp.timeoutMs,
    retryBaseMs: ctx.erp.retryBaseMs,
    retryMaxMs: ctx.erp.retryMaxMs,
    onError: (err) => log.error({ err }, 'an ERP commit retry failed; it will be retried'),
  });
  const capture = new OrderCapture({
    keys,
    placement,
    erp,
    view: state,
    customer: (id) => customers.customer(id),
    order: (id) => openOrders.get(id),
    clock,
    newOrderId: orderIds(),
  });

  const catalog = embeddedCatalog(deps);
  await applyConfiguredMasterData(catalog, state, config.file);
  await seedConfiguredCustomers({ customers, clock }, config.file);

  const inboundStore = new SqliteInboundStore(store.db);
  const xrefs: CrossReferences = new CrossReferences({
    store: new SqliteCrossReferenceStore(store.db),
    baseUnit: (sku) => state.items.get(sku)?.uom ?? 'EA',
    inbound: inboundStore,
    replay: async (id): Promise<boolean> => (await inbound.replay(id, randomUUID())).parked.status === 'replayed',
  });
  const controls = new SqliteControlNumbers(store.db);
  const orderLines = new SqlitePartnerOrderLines(store.db, () => clock.now());
  const delivery = deliveryEngine({ state, store, orders: orderStore, clock, config, log, metrics, controls, references: xrefs, orderLines });
  metrics.watchDeliveries(delivery);
  watchOversell(metrics, () => oversoldUnits(state.book));
  wakeDelivery = () => delivery.nudge();

  const orderReads = liveOrderReads(openOrders, orderStore);
  const orderDesk = new OrderDesk({ capture, changes: orderChanges, reads: orderReads, amendments: { isKnownSku: (sku) => state.isKnownSku(sku), erp } });
  const storedReceipts = new SqliteWebhookReceipts(store.db);
  const webhookReceipts = claimingInGroupCommit(storedReceipts, commits);
  const inbound = new InboundWebhooks({
    orders: orderDesk,
    inbound: inboundStore,
    clock,
    sources: inboundSources(config, { orderByTracking: (n) => orderStore.orderByTracking(n), now: () => clock.now(), references: xrefs }),
    partners: new Map(),
    ingest,
    receipts: webhookReceipts,
    replayWindow: settings.webhooks,
  });

  // One process owns the data directory, so the keys read now change only through this process.
  const keyAdmin = new ApiKeyAdmin({ store: new SqliteApiKeyStore(store.db), keys: apiKeys, clock, channelExists: (id) => state.book.channels.has(id) });
  await keyAdmin.refresh();

  const queue = exceptionQueue({
    store: new SqliteExceptionStore(store.db),
    trail: joiningGroupCommit(new SqliteAuditTrail(store.db), commits),
    settings,
    clock,
    log,
    lifecycle,
    reads: store,
    view: state,
    ingest,
    inbound: { store: inboundStore, webhooks: inbound },
    xrefs,
    orderExceptions: orderStore,
    orders: orderReads,
    retryErpNow: () => erp.nudge(),
    delivery,
    deadEntries: noDeadLogEntries,
    alerts: new SqliteAlertOutbox(store.db),
    metrics,
  });

  const app = await buildHttpApi({
    keys: keyAdmin,
    auth: settings.auth,
    exceptions: queue.desk,
    sla: queue.sla,
    audit: queue.audit,
    state,
    reads: store,
    catalog,
    clock,
    ingest,
    apiKeys,
    metrics,
    ready: lifecycle.ready,
    delivery,
    customers: {
      customers,
      clock,
      orderedOn: (id, access) => orderDesk.customerOrderedOn(id, access),
      creditReleased: async (id) => {
        if ((await releaseCreditHolds(orderChanges, id)) > 0) erp.nudge();
      },
    },
    deadEntries: noDeadLogEntries,
    orders: orderDesk,
    inbound: { inbound, inboundStore },
    xrefs,
    orderExceptions: orderStore,
    log,
    limits: settings.http,
  });

  lifecycle.every('checkpoint', config.checkpointIntervalMs, () => state.checkpoint());
  lifecycle.every('inbound horizons', HORIZON_SWEEP_MS, () => refreshInboundHorizons(deps));
  const waitMs = settings.orders.waitForPreconditionMs;
  lifecycle.every('expire waiting order events', Math.min(WAIT_SWEEP_MS, Math.max(250, waitMs / 4)), () => {
    const cutoff = new Date(clock.now() - waitMs).toISOString();
    return expireWaitingEvents(orderChanges, cutoff);
  });
  lifecycle.every(
    'forget old idempotency keys',
    KEY_SWEEP_MS,
    () => {
      orderStore.forgetKeysBefore(new Date(clock.now() - settings.orders.idempotencyKeyHours * 3_600_000).toISOString());
    },
    { runNow: true },
  );
  lifecycle.every('forget old EDI records', KEY_SWEEP_MS, () => controls.forgetBefore(new Date(clock.now() - settings.edi.retentionMs).toISOString()), {
    runNow: true,
  });
  // Receipts outlive the replay window, so that a repeat within it is always recognised.
  lifecycle.every('forget old webhook ids', KEY_SWEEP_MS, () => {
    storedReceipts.forgetBefore(new Date(clock.now() - 2 * settings.webhooks.maxAgeSeconds * 1000).toISOString());
  });
  erp.start(ERP_SWEEP_MS);
  lifecycle.onStop('work', 'ERP retries', () => erp.stop());
  delivery.start();
  lifecycle.onStop('work', 'deliveries', () => delivery.stop());
  const { fileDrops, partners } = fileExchanges({
    config,
    state,
    ingest,
    desk: orderDesk,
    inboundStore,
    controls,
    clock,
    log,
    metrics,
    references: xrefs,
    orderLines,
  });
  for (const p of [...partners, ...fileDrops]) inbound.addPartner(p.id, p);
  // Before the folders are read, so the first files already translate; after the partners are known, so what the seed releases replays.
  await applyConfiguredReferences(xrefs, config.file, config.configFile);
  for (const drop of fileDrops) drop.start();
  for (const p of partners) p.start();
  lifecycle.onStop('work', 'file exchanges', () => Promise.all([...fileDrops, ...partners].map((d) => d.stop())));

  return {
    app,
    state,
    store,
    ingest,
    delivery,
    orders: { openOrders, capture, erp, store: orderStore, changes: orderChanges, keys, erpQueue, placement, reads: orderReads },
    listening: (url: string) => `Crossdock hub listening on ${url} (docs at ${url}/docs, data in ${config.dataDir})`,
    api: {
      locations: () => [...state.book.locations.values()].map((l) => ({ id: l.id, authority: l.authority })),
      channels: () => [...state.book.channels.keys()],
      freshLog,
    },
  };
}

/**
 * The audit trail's appends ride in the next group commit beside the orders they record: a
 * transaction of its own cost an fsync every 20 ms, about 8% of an order's time under load.
 */
function joiningGroupCommit(trail: SqliteAuditTrail, commits: GroupCommit): AuditTrail {
  return {
    append: (entries) => commits.commit('the audit trail', () => trail.append(entries)),
    entries: (filter) => trail.entries(filter),
    forgetBefore: (before) => trail.forgetBefore(before),
  };
}

/**
 * A webhook id is claimed in the next group commit rather than in a transaction of its own: each
 * claim cost an fsync, a third of a webhook order's time. The first claim of an id in a group
 * inserts the row; a second sees it there, as before.
 */
function claimingInGroupCommit(receipts: SqliteWebhookReceipts, commits: GroupCommit): WebhookReceipts {
  return {
    claim: async (system, webhookId, receivedAt) => {
      let first = false;
      await commits.commit('the webhook receipt', () => {
        first = receipts.claim(system, webhookId, receivedAt);
      });
      return first;
    },
    release: (system, webhookId) => receipts.release(system, webhookId),
    forgetBefore: (before) => receipts.forgetBefore(before),
  };
}
