/**
 * The one place where adapters, services and interfaces are wired together. `startHub` opens the
 * embedded store, rebuilds the live state, applies the configured master data, serves HTTP and
 * runs the periodic work (checkpoints, inbound horizons, demo traffic); `close` stops all of it
 * after committing what was accepted.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { HubConfig } from './config/hub-config.js';
import { SqliteInventoryStore } from './adapters/sqlite/sqlite-inventory-store.js';
import { SqliteCustomerStore } from './adapters/sqlite/sqlite-customer-store.js';
import { InventoryState } from './app/inventory-state.js';
import { EventIngest } from './app/ingest-events.js';
import { channelFromInput, defineChannel, defineItem, defineLocation } from './app/define-catalog.js';
import { refreshInboundHorizons } from './app/refresh-inbound-horizons.js';
import { defineCustomer } from './app/define-customer.js';
import { ApiKeys, SCOPES } from './interfaces/http/api-keys.js';
import { HubMetrics } from './interfaces/http/metrics.js';
import { buildHttpApi } from './interfaces/http/server.js';
import { systemClock, type Clock } from './ports/clock.js';
import { startInventoryTraffic, type Traffic } from '../sim/inventory-traffic.js';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { startOrderTraffic } from '../sim/order-traffic.js';
import { startDemoNetwork, type DemoNetwork } from '../sim/demo-network.js';
import { SqliteOrderStore } from './adapters/sqlite/sqlite-order-store.js';
import { HttpErpConnector } from './adapters/http/http-erp-connector.js';
import { OrderBook } from './app/order-book.js';
import { OrderCapture } from './app/capture-order.js';
import { ErpCommitter } from './app/commit-orders-to-erp.js';
import { GroupCommit } from './app/group-commit.js';
import { collectTouches } from './app/figure-touches.js';
import type { ErpConnector } from './ports/erp.js';
import { SqliteDeliveryStore } from './adapters/sqlite/sqlite-delivery-store.js';
import { WebhookDestination } from './adapters/http/webhook-destination.js';
import { DestinationWorker } from './app/delivery/destination-worker.js';
import { DeliveryEngine } from './app/delivery/delivery-engine.js';
import { SqliteInboundStore } from './adapters/sqlite/sqlite-inbound-store.js';
import { ShopifyStorefront } from './connectors/shopify/shopify-storefront.js';
import { InboundWebhooks } from './app/receive-webhook.js';
import type { InboundSource } from './ports/inbound-source.js';
import { JsonataMapping, MappingError } from './connectors/rest-webhook/jsonata-mapping.js';
import { RestWebhookSource } from './connectors/rest-webhook/rest-webhook-source.js';
import { dirname, resolve } from 'node:path';
import { CsvFileDrop } from './connectors/csv-file/csv-file-drop.js';
import { EdiPartner, type CaptureResult } from './connectors/edi-x12/edi-partner.js';
import { EdiOutbound } from './connectors/edi-x12/edi-outbound.js';
import { ShopifyAdmin } from './connectors/shopify/shopify-admin.js';
import { AmazonListings } from './connectors/amazon/amazon-listings.js';
import { CarrierTracking } from './connectors/carrier/carrier-tracking.js';
import type { Destination } from './ports/destination.js';
import { SqliteControlNumbers } from './adapters/sqlite/sqlite-control-numbers.js';
import { refusalOf } from './app/capture-refusal.js';
import { DuplicateOrderError, InsufficientStockError } from './domain/orders/order-errors.js';
import { orderAnswer } from './app/order-views.js';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError } from './config/hub-config.js';
import { ErpCallError } from './domain/orders/order-errors.js';

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
  metrics.watchOrders(book);
  // After a failed write, memory may be ahead of the disk: rebuild the ledger, then the orders' holds on it.
  const recover = () => { state.reload(); book.reload(); };
  // Workers wake when a commit lands rather than on their next idle tick (bound once the engine exists).
  let wakeDelivery = () => {};
  const ingest = new EventIngest({ state, store, clock, orders: book, recover, observer: { committed: (s) => { metrics.committed(s); if (s.changes > 0) wakeDelivery(); } } });
  const commits = new GroupCommit((fn) => store.transaction(fn), recover);
  const deps = { state, store, clock };

  const erpConfig = config.file.erp ?? {};
  let erpSimulator: ErpSimulator | undefined;
  let erpConnector: ErpConnector;
  if (options.erp) {
    erpConnector = options.erp;
  } else if (erpConfig.url) {
    const token = erpConfig.tokenEnv ? process.env[erpConfig.tokenEnv] : undefined;
    erpConnector = new HttpErpConnector(erpConfig.url, token ? { authorization: `Bearer ${token}` } : {});
  } else if (config.file.demo?.erpSimulator) {
    erpSimulator = new ErpSimulator();
    Object.assign(erpSimulator.faults, config.file.demo?.faults?.erp ?? {});
    erpConnector = new HttpErpConnector(await erpSimulator.start());
  } else {
    erpConnector = noErp;
  }
  const erp = new ErpCommitter({
    state, orders: orderStore, book, customers, erp: erpConnector, clock, commits,
    timeoutMs: erpConfig.timeoutMs ?? 3000, retryBaseMs: erpConfig.retryBaseMs ?? 1000, retryMaxMs: erpConfig.retryMaxMs ?? 60_000,
  });
  const capture = new OrderCapture({
    state, orders: orderStore, book, customers, clock, commits, erp,
    newOrderId: orderIds(),
  });

  applyConfiguredMasterData(deps, config);
  for (const [id, input] of Object.entries(config.file.customers ?? {})) {
    // Configured customers are seeds: changes made later through the API win.
    if (!customers.customer(id)) defineCustomer({ customers, clock }, id, input);
  }

  const controls = new SqliteControlNumbers(store.db);
  const delivery = deliveryEngine({ state, store, orders: orderStore, clock, config, log, metrics, controls });
  metrics.watchDeliveries(delivery);
  wakeDelivery = () => delivery.nudge();

  const inboundStore = new SqliteInboundStore(store.db);
  const inbound = new InboundWebhooks({
    capture, cancel: { state, book, commits, clock }, orders: orderStore, inbound: inboundStore, clock, sources: inboundSources(config, { orderByTracking: (n) => orderStore.orderByTracking(n), now: () => clock.now() }), partners: new Map(), ingest,
  });

  const apiKeys = new ApiKeys();
  const adminKey = config.adminKey ?? randomBytes(24).toString('base64url');
  if (!config.adminKey) announce(`No CROSSDOCK_ADMIN_KEY set; this run's admin key is ${adminKey}`);
  apiKeys.add('admin', adminKey, SCOPES);
  for (const k of config.apiKeys) apiKeys.add(k.name, k.key, k.scopes);

  let ready = false;
  const app = await buildHttpApi({
    ...deps, customers, ingest, apiKeys, metrics, ready: () => ready,
    orders: { capture, book, store: orderStore, erp, cancelDeps: { state, book, commits, clock } },
    delivery, inbound, inboundStore,
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
  const fileDrops = Object.entries(config.file.systems ?? {}).flatMap(([id, sys]) => sys.type !== 'csv-snapshot' ? [] : [new CsvFileDrop({
    id, folder: sys.folder ?? join(config.dataDir, 'inbox', id), pollMs: (sys.pollSeconds ?? 5) * 1000,
    source: sys.source ?? id, location: sys.location, delimiter: sys.delimiter ?? ',', columns: sys.columns, unitFactor: sys.unitFactor ?? 1,
    ingest: (events) => ingest.submit(events), now: () => clock.now(),
    log: (level, msg, fields) => log[level](fields ?? {}, msg),
  })]);
  for (const drop of fileDrops) drop.start();
  const partners = Object.entries(config.file.systems ?? {}).flatMap(([id, sys]) => sys.type !== 'edi-x12' ? [] : [new EdiPartner({
    id, folder: sys.folder ?? join(config.dataDir, 'edi', id), pollMs: (sys.pollSeconds ?? 5) * 1000,
    us: sys.us, partner: sys.partner, usage: sys.usage ?? 'P', controls,
    mapping: { ...(sys.channel ? { channel: sys.channel } : {}), ...(sys.customer ? { customer: sys.customer } : {}), itemQualifier: sys.itemQualifier ?? 'VN', backorder: sys.backorder ?? 'allow' },
    capture: async (request, key): Promise<CaptureResult> => {
      try {
        const r = await capture.capture(request, key, { principal: `system:${id}`, correlationId: randomUUID() });
        return { kind: 'captured', orderId: r.body.id, lines: r.body.lines };
      } catch (err) {
        if (err instanceof InsufficientStockError) return { kind: 'no_stock' };
        if (err instanceof DuplicateOrderError) {
          const existing = book.get(err.orderId)!;
          return { kind: 'captured', orderId: existing.id, lines: orderAnswer(existing).lines };
        }
        const refusal = refusalOf(err);
        if (refusal) return { kind: 'refused', ...refusal };
        throw err;
      }
    },
    park: (reason, errors, body) => { inboundStore.park({ system: id, topic: 'x12', body, reason, errors, receivedAt: new Date(clock.now()).toISOString() }); },
    ingest: (events) => ingest.submit(events),
    ...(runsLocation(state, id) ? { location: runsLocation(state, id)! } : {}),
    log: (level, msg, fields) => log[level](fields ?? {}, msg), now: () => clock.now(),
  })]);
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
function orderIds(): () => string {
  const prefix = `ord_${randomBytes(3).toString('hex')}${Date.now().toString(36)}`;
  let n = 0;
  return () => `${prefix}${(++n).toString(36).padStart(4, '0')}`;
}

/** The systems that send messages in by webhook, with their secrets from the environment. Throws ConfigError (missing secret, bad mapping). */
function inboundSources(config: HubConfig, carriers: { orderByTracking: (n: string) => string | undefined; now: () => number }): Map<string, InboundSource> {
  const out = new Map<string, InboundSource>();
  for (const [id, sys] of Object.entries(config.file.systems ?? {})) {
    if (sys.type === 'carrier') {
      const secret = process.env[sys.secretEnv];
      if (!secret) throw new ConfigError(config.configFile, undefined, `systems.${id}.secretEnv`, `${sys.secretEnv} is not set; the carrier's webhooks could not be verified`);
      out.set(id, new CarrierTracking({ id, secret, ...carriers }));
      continue;
    }
    if (sys.type === 'rest-webhook') {
      const secret = process.env[sys.secretEnv];
      if (!secret) throw new ConfigError(config.configFile, undefined, `systems.${id}.secretEnv`, `${sys.secretEnv} is not set; the system's messages could not be verified`);
      let mapping: JsonataMapping;
      try { mapping = new JsonataMapping(resolve(dirname(config.configFile), sys.mapping), sys.produces); } catch (err) {
        throw new ConfigError(config.configFile, undefined, `systems.${id}.mapping`, err instanceof MappingError ? err.message : String(err));
      }
      out.set(id, new RestWebhookSource(id, sys.channel ?? '', secret, (sys.signatureHeader ?? 'x-signature').toLowerCase(), mapping));
      continue;
    }
    if (sys.type !== 'shopify') continue;
    const secret = process.env[sys.webhookSecretEnv];
    if (!secret) throw new ConfigError(config.configFile, undefined, `systems.${id}.webhookSecretEnv`, `${sys.webhookSecretEnv} is not set; the store's webhooks could not be verified`);
    out.set(id, new ShopifyStorefront(id, secret, {
      channel: sys.channel, backorder: sys.backorder ?? 'allow',
      ...(sys.customer !== undefined ? { customer: sys.customer } : {}), ...(sys.customerPrefix !== undefined ? { customerPrefix: sys.customerPrefix } : {}),
    }));
  }
  return out;
}

/** How the demo's orders travel when the simulated network runs: web by storefront webhook, b2b by EDI, deliveries from the carrier. */
function demoRoutes(network: DemoNetwork, hubUrl: string, adminKey: string) {
  const carrier = network.carrier(hubUrl);
  network.startThirdParty(carrier);
  network.attachWarehouses(hubUrl, adminKey, carrier);
  return {
    storefront: { systemId: 'shop', channel: 'web', secret: network.storefrontSecret },
    ediPartner: { folder: network.ediFolder, channel: 'b2b', partnerId: 'ACMEPLUMB', ourId: 'CROSSDOCK' },
    // Every location ships by its own system: the WMSs for DAL and ATL, the 3PL for RNO.
    selfShipping: new Set(['DAL', 'ATL', 'RNO']),
    track: (n: string) => carrier.track(n),
  };
}

/** The location a system is the authority of (a 3PL), if any. */
function runsLocation(state: InventoryState, system: string): string | undefined {
  return [...state.book.locations.values()].find((l) => l.authority === system)?.id;
}

/** One delivery worker per configured system, with the names it answers to in the outbox. */
function deliveryEngine(d: { state: InventoryState; store: SqliteInventoryStore; orders: SqliteOrderStore; clock: Clock; config: HubConfig; log: Logger; metrics: HubMetrics; controls: SqliteControlNumbers }): DeliveryEngine {
  const deliveries = new SqliteDeliveryStore(d.store.db);
  const workers = Object.entries(d.config.file.systems ?? {}).flatMap(([id, sys]) => {
    // Storefront and file-drop systems send in; delivering to storefronts arrives with their outbound connector.
    if (sys.type === 'csv-snapshot' || sys.type === 'rest-webhook' || sys.type === 'carrier' || (sys.type === 'shopify' && !sys.adminUrl)) return [];
    let destination: Destination;
    if (sys.type === 'amazon-listings') {
      const token = sys.tokenEnv ? process.env[sys.tokenEnv] : undefined;
      destination = new AmazonListings({ id, baseUrl: sys.url, sellerId: sys.sellerId, marketplaceId: sys.marketplaceId ?? 'ATVPDKIKX0DER', ...(token ? { token } : {}) });
    } else if (sys.type === 'shopify') {
      const token = sys.accessTokenEnv ? process.env[sys.accessTokenEnv] : undefined;
      destination = new ShopifyAdmin({ id, baseUrl: sys.adminUrl!, locationId: sys.locationId ?? '', inventoryApi: sys.inventoryApi ?? 'graphql', ...(token ? { token } : {}), ...(sys.timeoutMs ? { timeoutMs: sys.timeoutMs } : {}) });
    } else if (sys.type === 'edi-x12') {
      destination = new EdiOutbound({ id, folder: sys.folder ?? join(d.config.dataDir, 'edi', id), us: sys.us, partner: sys.partner, usage: sys.usage ?? 'P', controls: d.controls, now: () => d.clock.now() });
    } else {
      const token = sys.tokenEnv ? process.env[sys.tokenEnv] : undefined;
      destination = new WebhookDestination({
        id, url: sys.url, maxBatch: sys.batchSize ?? 100, timeoutMs: sys.timeoutMs ?? 10_000,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      });
    }
    const tuned = sys.type === 'webhook' || sys.type === 'shopify' || sys.type === 'amazon-listings' ? sys : undefined;
    const retry = tuned?.retry, rateLimit = tuned?.rateLimit, circuit = tuned?.circuitBreaker, lowStock = tuned?.lowStock, receives = tuned?.receives;
    const locations = [...d.state.book.locations.values()].filter((l) => l.authority === id).map((l) => `location:${l.id}`);
    return [new DestinationWorker({
      destination, aliases: [id, ...(sys.channel ? [sys.channel] : []), ...locations], ...(sys.channel ? { channel: sys.channel } : {}), ...(receives ? { receives } : {}),
      settings: {
        retry: { maxAttempts: retry?.maxAttempts ?? 10, baseMs: retry?.baseMs ?? 1000, maxMs: retry?.maxMs ?? 60_000 },
        ...(rateLimit ? { rateLimit } : {}),
        breaker: { failures: circuit?.failures ?? 5, halfOpenAfterMs: (circuit?.openSeconds ?? 30) * 1000 },
        lowStock: lowStock ?? 5, idleMs: 100,
        ...(sys.type === 'edi-x12' ? { bulkIntervalMs: (sys.inventoryAdviceSeconds ?? 900) * 1000 } : {}),
      },
      deliveries, orders: d.orders, inventory: d.store, clock: d.clock,
      log: (level, msg, fields) => d.log[level](fields ?? {}, msg),
      observe: (e) => d.metrics.deliveries.inc({ destination: e.destination, lane: e.lane, outcome: e.outcome }, e.messages),
    })];
  });
  return new DeliveryEngine(workers, deliveries);
}

/** Without a configured ERP every order waits as pending_erp (or fails, per channel), saying why. */
const noErp: ErpConnector = {
  placeOrder: () => Promise.reject(new ErpCallError('order placement', 'no ERP is configured (set erp.url in the configuration file)', false, true)),
  findOrder: () => Promise.resolve(undefined),
};

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
