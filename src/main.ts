/**
 * The one place where adapters, services and interfaces are wired together. `startHub` opens the
 * embedded store, rebuilds the live state, applies the configured master data, serves HTTP and
 * runs the periodic work (checkpoints, inbound horizons, demo traffic); `close` stops all of it
 * after committing what was accepted. The configured systems are wired in wiring/systems.ts, the
 * demo's routes in wiring/demo.ts.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino, type LoggerOptions } from 'pino';
import type { HubConfig } from './config/hub-config.js';
import { SqliteInventoryStore } from './adapters/sqlite/sqlite-inventory-store.js';
import { SqliteCustomerStore } from './adapters/sqlite/sqlite-customer-store.js';
import { InventoryState } from './app/inventory-state.js';
import { EventIngest } from './app/ingest-events.js';
import { channelFromInput, defineChannel, defineItem, defineLocation, embeddedCatalog } from './app/define-catalog.js';
import { refreshInboundHorizons } from './app/refresh-inbound-horizons.js';
import { defineCustomer } from './app/define-customer.js';
import { ApiKeys, SCOPES } from './interfaces/http/api-keys.js';
import { HubMetrics } from './interfaces/http/metrics.js';
import { buildHttpApi } from './interfaces/http/server.js';
import { systemClock, type Clock } from './ports/clock.js';
import { startInventoryTraffic, type Traffic } from '../sim/inventory-traffic.js';
import type { ErpSimulator } from '../sim/erp-simulator.js';
import { startOrderTraffic } from '../sim/order-traffic.js';
import { startDemoNetwork, type DemoNetwork } from '../sim/demo-network.js';
import { deliveryEngine, fileExchanges, inboundSources } from './wiring/systems.js';
import { demoRoutes } from './wiring/demo.js';
import { SqliteOrderStore } from './adapters/sqlite/sqlite-order-store.js';
import { OrderBook } from './app/order-book.js';
import { OrderCapture } from './app/capture-order.js';
import { EmbeddedOrderDesk } from './app/order-desk.js';
import { orderIds, wireErp } from './wiring/erp.js';
import { statusOf } from './domain/orders/order-state.js';
import { ErpCommitter } from './app/commit-orders-to-erp.js';
import { GroupCommit } from './app/group-commit.js';
import { collectTouches } from './app/figure-touches.js';
import type { ErpConnector } from './ports/erp.js';
import type { DeliveryEngine } from './app/delivery/delivery-engine.js';
import { SqliteInboundStore } from './adapters/sqlite/sqlite-inbound-store.js';
import { InboundWebhooks } from './app/receive-webhook.js';
import { SqliteControlNumbers } from './adapters/sqlite/sqlite-control-numbers.js';
import { noDeadLogEntries } from './app/dead-log-entries.js';

export interface HubOptions {
  config: HubConfig;
  clock?: Clock;
  /** pino options, or false for silence; default: JSON lines on stdout at CROSSDOCK_LOG_LEVEL (info). */
  logger?: false | LoggerOptions;
  /** An ERP connector to use instead of the configured one (tests and benchmarks wire simulators in-process). */
  erp?: ErpConnector;
  /** Called with a line a person starting the hub should read (the generated key, the URL). */
  announce?: (line: string) => void;
}

export interface Hub {
  app: FastifyInstance;
  url: string;
  state: InventoryState;
  store: SqliteInventoryStore;
  ingest: EventIngest;
  orders: { book: OrderBook; capture: OrderCapture; erp: ErpCommitter; store: SqliteOrderStore };
  delivery: DeliveryEngine;
  /** The in-process ERP simulator, when the configuration asks for one. */
  erpSimulator?: ErpSimulator;
  adminKey: string;
  close(): Promise<void>;
}

const HORIZON_SWEEP_MS = 30_000;
const ERP_SWEEP_MS = 1000;
const WAIT_SWEEP_MS = 30_000;
const KEY_SWEEP_MS = 3_600_000;

export async function startHub(options: HubOptions): Promise<Hub> {
  let { config } = options;
  const clock = options.clock ?? systemClock;
  const announce = options.announce ?? (() => {});
  const store = new SqliteInventoryStore(config.dataDir);
  const customers = new SqliteCustomerStore(store.db);
  const state = new InventoryState({ store, clock });
  const log = options.logger === false ? pino({ enabled: false }) : pino(options.logger ?? { level: process.env.CROSSDOCK_LOG_LEVEL || 'info' });
  // The demo's simulated systems come first: the hub's configuration names their addresses.
  let network: DemoNetwork | undefined;
  if (config.file.demo?.network) {
    network = await startDemoNetwork({ dataDir: config.dataDir, log: (m) => log.warn(m), ...(config.file.demo.faults ? { faults: config.file.demo.faults } : {}) });
    config = { ...config, file: { ...config.file, systems: { ...network.systems, ...config.file.systems } as never } };
  }
  const metrics = new HubMetrics();
  const orderStore = new SqliteOrderStore(store.db);
  const book = new OrderBook({ state, orders: orderStore, clock });
  metrics.watchOrders({
    openByStatus: () => {
      const counts = new Map<string, number>();
      for (const o of book.openOrders()) { const s = statusOf(o); counts.set(s, (counts.get(s) ?? 0) + 1); }
      return counts;
    },
    waitingTotal: () => book.waitingTotal(),
  });
  // After a failed write, memory may be ahead of the disk: rebuild the ledger, then the orders' holds on it.
  const recover = () => { state.reload(); book.reload(); };
  // Workers wake when a commit lands rather than on their next idle tick (bound once the engine exists).
  let wakeDelivery = () => {};
  const ingest = new EventIngest({ state, store, clock, orders: book, recover, observer: { committed: (s) => { metrics.committed(s); if (s.changes > 0) wakeDelivery(); } } });
  const commits = new GroupCommit((fn) => store.transaction(fn), recover);
  const deps = { state, store, clock };

  const erpWiring = await wireErp(config, options.erp);
  const { connector: erpConnector, simulator: erpSimulator } = erpWiring;
  const erp = new ErpCommitter({
    state, orders: orderStore, book, customers, erp: erpConnector, clock, commits,
    timeoutMs: erpWiring.timeoutMs, retryBaseMs: erpWiring.retryBaseMs, retryMaxMs: erpWiring.retryMaxMs,
  });
  const capture = new OrderCapture({
    state, orders: orderStore, book, customers, clock, commits, erp,
    newOrderId: orderIds(),
  });

  applyConfiguredMasterData(deps, config);
  for (const [id, input] of Object.entries(config.file.customers ?? {})) {
    // Configured customers are seeds: changes made later through the API win.
    if (!customers.customer(id)) await defineCustomer({ customers, clock }, id, input);
  }

  const controls = new SqliteControlNumbers(store.db);
  const delivery = deliveryEngine({ state, store, orders: orderStore, clock, config, log, metrics, controls });
  metrics.watchDeliveries(delivery);
  wakeDelivery = () => delivery.nudge();

  const inboundStore = new SqliteInboundStore(store.db);
  const orderDesk = new EmbeddedOrderDesk({ capture, book, store: orderStore, cancelDeps: { state, book, commits, clock } });
  const inbound = new InboundWebhooks({
    orders: orderDesk, inbound: inboundStore, clock, sources: inboundSources(config, { orderByTracking: (n) => orderStore.orderByTracking(n), now: () => clock.now() }), partners: new Map(), ingest,
  });

  const apiKeys = new ApiKeys();
  const adminKey = config.adminKey ?? randomBytes(24).toString('base64url');
  if (!config.adminKey) announce(`No CROSSDOCK_ADMIN_KEY set; this run's admin key is ${adminKey}`);
  apiKeys.add('admin', adminKey, SCOPES);
  for (const k of config.apiKeys) apiKeys.add(k.name, k.key, k.scopes);

  let ready = false;
  const app = await buildHttpApi({
    state, reads: store, catalog: embeddedCatalog(deps), clock, ingest, apiKeys, metrics, ready: () => ready, delivery,
    customers: { customers, clock, creditReleased: async (id) => { await erp.releaseCreditHolds(id); } },
    deadEntries: noDeadLogEntries,
    orders: orderDesk,
    inbound: { inbound, inboundStore }, orderExceptions: orderStore,
    log,
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  ready = true;

  const checkpointTimer = setInterval(() => {
    try { state.checkpoint(); } catch (err) { log.error({ err }, 'checkpoint failed; the event log still holds every event'); }
  }, config.checkpointIntervalMs);
  const horizonTimer = setInterval(() => {
    try { refreshInboundHorizons(deps); } catch (err) { log.error({ err }, 'inbound horizon refresh failed'); }
  }, HORIZON_SWEEP_MS);
  const orderSettings = config.file.orders ?? {};
  const waitMs = orderSettings.waitForPreconditionMs ?? 3_600_000;
  const waitTimer = setInterval(() => {
    const cutoff = new Date(clock.now() - waitMs).toISOString();
    const touches = collectTouches(state);
    commits.commit('expired order events', () => { if (book.expireWaiting(cutoff, touches.touch) > 0) touches.write(clock.now()); })
      .catch((err) => log.error({ err }, 'expiring waiting order events failed'));
  }, Math.min(WAIT_SWEEP_MS, Math.max(250, waitMs / 4)));
  const forgetKeys = () => {
    try { orderStore.forgetKeysBefore(new Date(clock.now() - (orderSettings.idempotencyKeyHours ?? 24) * 3_600_000).toISOString()); }
    catch (err) { log.error({ err }, 'forgetting old idempotency keys failed'); }
  };
  forgetKeys();
  const keyTimer = setInterval(forgetKeys, KEY_SWEEP_MS);
  erp.start(ERP_SWEEP_MS, (err) => log.error({ err }, 'ERP retry sweep failed'));
  delivery.start();
  const { fileDrops, partners } = fileExchanges({ config, state, ingest, desk: orderDesk, inboundStore, controls, clock, log });
  for (const drop of fileDrops) drop.start();
  for (const p of partners) { p.start(); inbound.addPartner(p.id, p); }
  for (const t of [checkpointTimer, horizonTimer, waitTimer, keyTimer]) t.unref();

  let traffic: Traffic | undefined;
  const demo = config.file.demo;
  if (demo && (demo.seedStock || (config.demoTraffic && demo.traffic))) {
    traffic = startInventoryTraffic({
      url, apiKey: adminKey,
      sources: [...state.book.locations.values()].map((l) => ({ source: l.authority, location: l.id })),
      skus: Object.keys(config.file.items ?? {}),
      eventsPerSecond: config.demoTraffic ? demo.traffic?.eventsPerSecond ?? 0 : 0,
      seedStock: (demo.seedStock ?? false) && state.position === 0,
      log: (m) => log.warn(m),
    });
  }
  let orderTraffic: Traffic | undefined;
  if (demo && config.demoTraffic && (demo.traffic?.ordersPerMinute ?? 0) > 0) {
    orderTraffic = startOrderTraffic({
      url, apiKey: adminKey,
      channels: [...state.book.channels.keys()],
      customers: Object.keys(config.file.customers ?? {}),
      skus: Object.keys(config.file.items ?? {}),
      authorities: Object.fromEntries([...state.book.locations.values()].map((l) => [l.id, l.authority])),
      ordersPerMinute: demo.traffic!.ordersPerMinute!,
      log: (m) => log.warn(m),
      ...(network ? demoRoutes(network, url, adminKey) : {}),
    });
  }
  announce(`Crossdock hub listening on ${url} (docs at ${url}/docs, data in ${config.dataDir})`);

  let closing: Promise<void> | undefined;
  return {
    app, url, state, store, ingest, adminKey,
    orders: { book, capture, erp, store: orderStore },
    delivery,
    ...(erpSimulator ? { erpSimulator } : {}),
    close() {
      closing ??= (async () => {
        ready = false;
        for (const t of [checkpointTimer, horizonTimer, waitTimer, keyTimer]) clearInterval(t);
        await traffic?.stop();
        await orderTraffic?.stop();
        await network?.stop();
        await app.close();
        await erp.stop();
        await delivery.stop();
        await Promise.all([...fileDrops, ...partners].map((d) => d.stop()));
        ingest.close();
        commits.flush();
        erpConnector.close?.();
        await erpSimulator?.close();
        state.checkpoint();
        store.close();
      })();
      return closing;
    },
  };
}

/**
 * Order ids unique across restarts and processes: a random prefix per process, then the time it
 * started and a counter (one random draw per process rather than per order).
 */
/** Brings the store in line with the configuration file; only what differs is redefined. */
function applyConfiguredMasterData(deps: { state: InventoryState; store: SqliteInventoryStore; clock: Clock }, config: HubConfig): void {
  const { state } = deps;
  for (const [id, input] of Object.entries(config.file.locations ?? {})) {
    const current = state.book.locations.get(id);
    if (!current || current.name !== input.name || current.authority !== input.authority) defineLocation(deps, id, input);
  }
  for (const [id, input] of Object.entries(config.file.channels ?? {})) {
    const current = state.book.channels.get(id);
    const wanted = channelFromInput(id, input);
    if (!current || JSON.stringify(current) !== JSON.stringify(wanted)) defineChannel(deps, id, input);
  }
  for (const [sku, input] of Object.entries(config.file.items ?? {})) {
    const current = state.items.get(sku);
    if (!current || current.description !== input.description || current.uom !== (input.uom ?? 'EA')) defineItem(deps, sku, input);
  }
}
