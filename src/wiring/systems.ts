/**
 * Wiring of the configured systems (the `systems:` of the configuration file): the inbound
 * sources behind POST /hooks/{id}, the delivery engine with one worker per delivering system, and
 * the systems exchanging files through folders. Part of main.ts's job, kept apart so the start-up
 * sequence stays readable.
 */
import { join, dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ConfigError, type HubConfig } from '../config/hub-config.js';
import type { InventoryState } from '../app/inventory/inventory-state.js';
import type { EventIngest } from '../app/inventory/ingest-events.js';
import type { OrderDesk } from '../app/orders/order-desk.js';
import type { ControlNumbers } from '../ports/control-numbers.js';
import { refusalOf } from '../app/orders/capture-refusal.js';
import { storableRefusal } from '../app/inbound/receive-webhook.js';
import { DestinationWorker, type DestinationSettings } from '../app/delivery/destination-worker.js';
import type { DeliveryLedger, FeedReads, OutboxReads } from '../ports/delivery-store.js';
import { DeliveryEngine } from '../app/delivery/delivery-engine.js';
import { DuplicateOrderError, IllegalTransitionError, InsufficientStockError } from '../domain/orders/order-errors.js';
import { AmendmentRefusedError } from '../domain/orders/order-amendment.js';
import type { Clock } from '../ports/clock.js';
import type { Destination } from '../ports/destination.js';
import type { InboundSource } from '../ports/inbound-source.js';
import type { InboundStore } from '../ports/inbound-store.js';
import type { SqliteInventoryStore } from '../adapters/sqlite/sqlite-inventory-store.js';
import type { SqliteOrderStore } from '../adapters/sqlite/sqlite-order-store.js';
import { SqliteDeliveryStore } from '../adapters/sqlite/sqlite-delivery-store.js';
import type { SqliteControlNumbers } from '../adapters/sqlite/sqlite-control-numbers.js';
import { WebhookDestination } from '../adapters/http/webhook-destination.js';
import { ShopifyStorefront } from '../connectors/shopify/shopify-storefront.js';
import { ShopifyAdmin } from '../connectors/shopify/shopify-admin.js';
import { AmazonListings } from '../connectors/amazon/amazon-listings.js';
import { CarrierTracking } from '../connectors/carrier/carrier-tracking.js';
import { JsonataMapping, MappingError } from '../connectors/rest-webhook/jsonata-mapping.js';
import { RestWebhookSource } from '../connectors/rest-webhook/rest-webhook-source.js';
import { CsvFileDrop } from '../connectors/csv-file/csv-file-drop.js';
import type { Ingest } from '../app/inventory/inventory-view.js';
import { EdiPartner, type AmendResult, type CancelResult, type CaptureResult } from '../connectors/edi-x12/edi-partner.js';
import { PARTNER_REJECTION_TOPIC } from '../app/exceptions/sources/partner-rejections.js';
import { EdiOutbound } from '../connectors/edi-x12/edi-outbound.js';
import type { FileFault } from '../connectors/folder-inbox.js';
import type { HubMetrics } from '../interfaces/http/metrics.js';
import type { ReferenceLookup } from '../ports/reference-lookup.js';
import { PartnerIdsDestination } from '../app/delivery/speak-partner-ids.js';
import type { PartnerOrderLines } from '../ports/partner-order-lines.js';

/** The systems that send messages in by webhook, with their secrets from the environment. Throws ConfigError (missing secret, bad mapping). */
export function inboundSources(
  config: HubConfig,
  carriers: { orderByTracking: (n: string) => string | undefined | Promise<string | undefined>; now: () => number; references: ReferenceLookup },
): Map<string, InboundSource> {
  const out = new Map<string, InboundSource>();
  for (const [id, sys] of Object.entries(config.file.systems ?? {})) {
    if (sys.type === 'carrier') {
      const secret = process.env[sys.secretEnv];
      if (!secret)
        throw new ConfigError(
          config.configFile,
          undefined,
          `systems.${id}.secretEnv`,
          `${sys.secretEnv} is not set; the carrier's webhooks could not be verified`,
        );
      out.set(id, new CarrierTracking({ id, secret, ...carriers }));
      continue;
    }
    if (sys.type === 'rest-webhook') {
      const secret = process.env[sys.secretEnv];
      if (!secret)
        throw new ConfigError(
          config.configFile,
          undefined,
          `systems.${id}.secretEnv`,
          `${sys.secretEnv} is not set; the system's messages could not be verified`,
        );
      let mapping: JsonataMapping;
      try {
        mapping = new JsonataMapping(resolve(dirname(config.configFile), sys.mapping), sys.produces);
      } catch (err) {
        throw new ConfigError(config.configFile, undefined, `systems.${id}.mapping`, err instanceof MappingError ? err.message : String(err));
      }
      out.set(
        id,
        new RestWebhookSource(
          id,
          sys.channel ?? '',
          secret,
          {
            signatureHeader: (sys.signatureHeader ?? 'x-signature').toLowerCase(),
            ...(sys.idHeader ? { idHeader: sys.idHeader } : {}),
            ...(sys.timestampHeader ? { timestampHeader: sys.timestampHeader } : {}),
          },
          mapping,
        ),
      );
      continue;
    }
    if (sys.type !== 'shopify') continue;
    const secret = process.env[sys.webhookSecretEnv];
    if (!secret)
      throw new ConfigError(
        config.configFile,
        undefined,
        `systems.${id}.webhookSecretEnv`,
        `${sys.webhookSecretEnv} is not set; the store's webhooks could not be verified`,
      );
    out.set(
      id,
      new ShopifyStorefront(id, secret, carriers.references, {
        channel: sys.channel,
        backorder: sys.backorder ?? 'allow',
        ...(sys.customer !== undefined ? { customer: sys.customer } : {}),
        ...(sys.customerPrefix !== undefined ? { customerPrefix: sys.customerPrefix } : {}),
      }),
    );
  }
  return out;
}

/** The location a system is the authority of (a 3PL), if any. */
/**
 * When supply of `sku` is next expected at one of `channel`'s locations: the earliest ETA after
 * `afterIso` any source announced there (the location's authority or a supplier's ship notice).
 */
function nextSupplyEta(view: Pick<InventoryState, 'ledger' | 'book'>, sku: string, channel: string, afterIso: string): string | undefined {
  let next: string | undefined;
  for (const location of view.book.channels.get(channel)?.locations ?? [])
    for (const position of view.ledger.sourcesAt(sku, location)) {
      const eta = position.nextInboundEtaAfter(afterIso);
      if (eta !== undefined && (next === undefined || eta < next)) next = eta;
    }
  return next;
}

function runsLocation(state: InventoryState, system: string): string | undefined {
  return [...state.book.locations.values()].find((l) => l.authority === system)?.id;
}

/** A system the hub delivers to: how to reach it, the names it answers to, how to pace it. */
export interface DeliveringSystem {
  id: string;
  destination: () => Destination;
  aliases: string[];
  channel?: string;
  receives?: readonly string[];
  settings: DestinationSettings;
}

/**
 * Every configured system that receives deliveries. EDI needs durable control numbers; without
 * them (`controls` absent) EDI systems are refused with a ConfigError.
 */
export function deliveringSystems(d: {
  config: HubConfig;
  clock: Clock;
  controls?: ControlNumbers;
  locationsRunBy: (system: string) => string[];
  references: ReferenceLookup;
  /** EDI partners' own lines of their orders, which their 856s and 810s echo. */
  orderLines?: PartnerOrderLines;
}): DeliveringSystem[] {
  return Object.entries(d.config.file.systems ?? {}).flatMap(([id, sys]): DeliveringSystem[] => {
    if (sys.type === 'csv-snapshot' || sys.type === 'rest-webhook' || sys.type === 'carrier' || (sys.type === 'shopify' && !sys.adminUrl)) return [];
    let destination: () => Destination;
    if (sys.type === 'amazon-listings') {
      const token = sys.tokenEnv ? process.env[sys.tokenEnv] : undefined;
      destination = () =>
        new AmazonListings({ id, baseUrl: sys.url, sellerId: sys.sellerId, marketplaceId: sys.marketplaceId ?? 'ATVPDKIKX0DER', ...(token ? { token } : {}) });
    } else if (sys.type === 'shopify') {
      const token = sys.accessTokenEnv ? process.env[sys.accessTokenEnv] : undefined;
      destination = () =>
        new ShopifyAdmin({
          id,
          baseUrl: sys.adminUrl!,
          locationId: sys.locationId ?? '',
          inventoryApi: sys.inventoryApi ?? 'graphql',
          ...(token ? { token } : {}),
          ...(sys.timeoutMs ? { timeoutMs: sys.timeoutMs } : {}),
        });
    } else if (sys.type === 'edi-x12') {
      const controls = d.controls;
      if (!controls) throw new ConfigError(d.config.configFile, undefined, `systems.${id}.type`, "edi-x12 systems need the backend's control numbers");
      destination = () =>
        new EdiOutbound({
          id,
          folder: sys.folder ?? join(d.config.dataDir, 'edi', id),
          us: sys.us,
          partner: sys.partner,
          usage: sys.usage ?? 'P',
          controls,
          itemQualifiers: sys.itemQualifiers ?? [],
          skuQualifier: sys.itemQualifier ?? 'VN',
          now: () => d.clock.now(),
        });
    } else {
      const token = sys.tokenEnv ? process.env[sys.tokenEnv] : undefined;
      destination = () =>
        new WebhookDestination({
          id,
          url: sys.url,
          maxBatch: sys.batchSize ?? 100,
          timeoutMs: sys.timeoutMs ?? 10_000,
          ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        });
    }
    const untranslated = destination;
    const sellsIn = 'sellsIn' in sys ? sys.sellsIn : undefined;
    // A plain webhook receives the hub's own messages (its API's ids) unless its channel sells in a unit.
    const orderLines = sys.type === 'edi-x12' ? d.orderLines : undefined;
    if (sys.type !== 'webhook' || sellsIn) destination = () => new PartnerIdsDestination(untranslated(), d.references, sellsIn, orderLines);
    const tuned = sys.type === 'webhook' || sys.type === 'shopify' || sys.type === 'amazon-listings' ? sys : undefined;
    const retry = tuned?.retry,
      rateLimit = tuned?.rateLimit,
      circuit = tuned?.circuitBreaker,
      lowStock = tuned?.lowStock,
      receives = tuned?.receives;
    return [
      {
        id,
        destination,
        aliases: [id, ...(sys.channel ? [sys.channel] : []), ...d.locationsRunBy(id).map((l) => `location:${l}`)],
        ...(sys.channel ? { channel: sys.channel } : {}),
        ...(receives ? { receives } : {}),
        settings: {
          retry: { maxAttempts: retry?.maxAttempts ?? 10, baseMs: retry?.baseMs ?? 1000, maxMs: retry?.maxMs ?? 60_000 },
          ...(rateLimit ? { rateLimit } : {}),
          breaker: { failures: circuit?.failures ?? 5, halfOpenAfterMs: (circuit?.openSeconds ?? 30) * 1000 },
          lowStock: lowStock ?? 5,
          idleMs: 100,
          ...(sys.type === 'edi-x12' ? { bulkIntervalMs: (sys.inventoryAdviceSeconds ?? 900) * 1000 } : {}),
        },
      },
    ];
  });
}

/** A worker for one delivering system over the given stores. */
export function destinationWorker(
  system: DeliveringSystem,
  d: { deliveries: DeliveryLedger; orders: OutboxReads; inventory: FeedReads; clock: Clock; log: Logger; metrics: HubMetrics },
): DestinationWorker {
  return new DestinationWorker({
    destination: system.destination(),
    aliases: system.aliases,
    ...(system.channel ? { channel: system.channel } : {}),
    ...(system.receives ? { receives: system.receives } : {}),
    settings: system.settings,
    deliveries: d.deliveries,
    orders: d.orders,
    inventory: d.inventory,
    clock: d.clock,
    log: (level, msg, fields) => d.log[level](fields ?? {}, msg),
    observe: (e) => d.metrics.deliveries.inc({ destination: e.destination, lane: e.lane, outcome: e.outcome }, e.messages),
    observeLag: (channel, destination, seconds) => {
      const lag = d.metrics.syncLag.labels({ channel, destination });
      for (const s of seconds) lag.observe(s);
    },
  });
}

/** One delivery worker per configured system, with the names it answers to in the outbox. */
export function deliveryEngine(d: {
  state: InventoryState;
  store: SqliteInventoryStore;
  orders: SqliteOrderStore;
  clock: Clock;
  config: HubConfig;
  log: Logger;
  metrics: HubMetrics;
  controls: SqliteControlNumbers;
  references: ReferenceLookup;
  orderLines: PartnerOrderLines;
}): DeliveryEngine {
  const deliveries = new SqliteDeliveryStore(d.store.db);
  const locationsRunBy = (system: string) => [...d.state.book.locations.values()].filter((l) => l.authority === system).map((l) => l.id);
  const systems = deliveringSystems({
    config: d.config,
    clock: d.clock,
    controls: d.controls,
    locationsRunBy,
    references: d.references,
    orderLines: d.orderLines,
  });
  return new DeliveryEngine(
    systems.map((system) => destinationWorker(system, { deliveries, orders: d.orders, inventory: d.store, clock: d.clock, log: d.log, metrics: d.metrics })),
    deliveries,
  );
}

/** The systems exchanging files through folders: 3PL stock files, and EDI partners (customers and 3PLs). */
/** A file a poller could not take, logged with its reason and counted for the operator's dashboards. */
function reportFileFault(log: Logger, metrics: HubMetrics): (f: FileFault) => void {
  return (f) => {
    metrics.fileFaults.inc({ system: f.system, fault: f.fault });
    const where = f.fault === 'failed' ? '; moved to failed/ with the reason' : f.fault === 'transient' ? '; the next scan tries again' : '';
    log[f.fault === 'vanished' ? 'info' : 'warn']({ system: f.system, file: f.file, fault: f.fault }, `${f.system}: ${f.file}: ${f.reason}${where}`);
  };
}

/** The configured 3PL stock-file folders (csv-snapshot systems); `drop()` makes the watcher of one. */
export function stockFileDrops(d: {
  config: HubConfig;
  ingest: Ingest;
  clock: Clock;
  log: Logger;
  metrics: HubMetrics;
  references: ReferenceLookup;
  /** Where a file waiting for cross-references is kept. */
  inboundStore: InboundStore;
}): { id: string; drop: () => CsvFileDrop }[] {
  const { config, ingest, clock, log } = d;
  return Object.entries(config.file.systems ?? {}).flatMap(([id, sys]) =>
    sys.type !== 'csv-snapshot'
      ? []
      : [
          {
            id,
            drop: () =>
              new CsvFileDrop({
                id,
                folder: sys.folder ?? join(config.dataDir, 'inbox', id),
                pollMs: (sys.pollSeconds ?? 5) * 1000,
                settleMs: (sys.settleSeconds ?? 2) * 1000,
                source: sys.source ?? id,
                location: sys.location,
                delimiter: sys.delimiter ?? ',',
                columns: sys.columns,
                unitFactor: sys.unitFactor ?? 1,
                ...(sys.itemScheme ? { itemScheme: sys.itemScheme } : {}),
                references: d.references,
                park: async (reason, errors, body, unknownReferences, correlationId) => {
                  await d.inboundStore.park({
                    system: id,
                    topic: 'stock-file',
                    body,
                    reason,
                    errors,
                    receivedAt: new Date(clock.now()).toISOString(),
                    unknownReferences,
                    correlationId,
                  });
                },
                ingest: (events, correlationId) => ingest.submit(events, undefined, correlationId),
                now: () => clock.now(),
                log: (level, msg, fields) => log[level](fields ?? {}, msg),
                fault: reportFileFault(log, d.metrics),
                taken: (rows) => {
                  for (const outcome of ['taken', 'skipped', 'refused'] as const) d.metrics.fileRows.inc({ system: id, outcome }, rows[outcome]);
                },
              }),
          },
        ],
  );
}

/**
 * The configured EDI trading partners (edi-x12 systems), on either backend: `partner()` makes the
 * folder poller of one. Orders go through the backend's order desk, shipping advice through its
 * ingest, documents it cannot take are parked in its inbound store.
 */
export function ediPartners(d: {
  config: HubConfig;
  desk: OrderDesk;
  ingest: Ingest;
  inboundStore: InboundStore;
  controls: ControlNumbers;
  /** The location a system is the authority of, if any (a 3PL's 945s ship from it). */
  locationRunBy: (system: string) => string | undefined;
  /** The inventory this process reads, for the date backordered lines are expected (855 ACK IB). */
  view: () => Pick<InventoryState, 'ledger' | 'book'> | undefined;
  clock: Clock;
  log: Logger;
  metrics: HubMetrics;
  references: ReferenceLookup;
  /** Where each partner's own lines of the orders it sends are kept, for its 856s and 810s. */
  orderLines: PartnerOrderLines;
}): { id: string; partner: () => EdiPartner }[] {
  const { config, desk, ingest, inboundStore, controls, clock, log } = d;
  return Object.entries(config.file.systems ?? {}).flatMap(([id, sys]) =>
    sys.type !== 'edi-x12'
      ? []
      : [
          {
            id,
            partner: () => {
              const location = d.locationRunBy(id);
              return new EdiPartner({
                id,
                folder: sys.folder ?? join(config.dataDir, 'edi', id),
                pollMs: (sys.pollSeconds ?? 5) * 1000,
                settleMs: (sys.settleSeconds ?? 2) * 1000,
                us: sys.us,
                partner: sys.partner,
                usage: sys.usage ?? 'P',
                testInterchanges: sys.testInterchanges ?? 'refuse',
                controls,
                ...(sys.receivesAt ? { receivesAt: sys.receivesAt } : {}),
                expectedSupply: (sku, channel) => {
                  const view = d.view();
                  return view ? nextSupplyEta(view, sku, channel, new Date(clock.now()).toISOString()) : undefined;
                },
                mapping: {
                  ...(sys.channel ? { channel: sys.channel } : {}),
                  ...(sys.customer ? { customer: sys.customer } : {}),
                  // Without qualifiers to translate, VN carries the SKU as before.
                  ...(sys.itemQualifier || !sys.itemQualifiers ? { itemQualifier: sys.itemQualifier ?? 'VN' } : {}),
                  itemQualifiers: sys.itemQualifiers ?? [],
                  backorder: sys.backorder ?? 'allow',
                },
                references: d.references,
                orderLines: d.orderLines,
                capture: async (request, key, correlationId = randomUUID()): Promise<CaptureResult> => {
                  try {
                    const r = await desk.capture(request, key, { principal: `system:${id}`, correlationId });
                    return { kind: 'captured', orderId: r.body.id, lines: r.body.lines };
                  } catch (err) {
                    if (err instanceof InsufficientStockError) return { kind: 'no_stock' };
                    if (err instanceof DuplicateOrderError) {
                      const existing = await desk.view(err.orderId);
                      if (existing) return { kind: 'captured', orderId: existing.id, lines: existing.lines };
                    }
                    const refusal = refusalOf(err);
                    if (refusal) return { kind: 'refused', ...refusal };
                    throw err;
                  }
                },
                cancel: async (poNumber, correlationId = randomUUID()): Promise<CancelResult> => {
                  const order = sys.channel ? await desk.byReference(sys.channel, poNumber) : undefined;
                  if (!order) return { kind: 'unknown' };
                  try {
                    await desk.cancel(order.id, { principal: `system:${id}`, correlationId, reason: `cancelled by ${id}'s 860` });
                    return { kind: 'cancelled', orderId: order.id };
                  } catch (err) {
                    if (err instanceof IllegalTransitionError) return { kind: 'refused', reason: err.message };
                    throw err;
                  }
                },
                orderNow: async (poNumber) => (sys.channel ? desk.linesOf(sys.channel, poNumber) : undefined),
                amend: async (orderId, lines, key, correlationId = randomUUID()): Promise<AmendResult> => {
                  try {
                    // An Idempotency-Key is printable ASCII: a PO number with other characters still makes one.
                    const idempotencyKey = key.replace(/[^\x21-\x7e]/g, '_').slice(0, 255);
                    const done = await desk.amend(orderId, lines, idempotencyKey, { principal: `system:${id}`, correlationId });
                    return { kind: 'amended', orderId: done.view.id };
                  } catch (err) {
                    if (err instanceof AmendmentRefusedError) return { kind: 'refused', reason: err.message, errors: err.issues };
                    const refusal = refusalOf(err);
                    if (refusal) return { kind: 'refused', ...refusal };
                    throw err;
                  }
                },
                rejected: async (reason, errors, body, correlationId) => {
                  await inboundStore.park({
                    system: id,
                    topic: PARTNER_REJECTION_TOPIC,
                    body,
                    ...storableRefusal(reason, errors),
                    receivedAt: new Date(clock.now()).toISOString(),
                    ...(correlationId !== undefined ? { correlationId } : {}),
                  });
                },
                park: async (reason, errors, body, unknownReferences, correlationId) => {
                  await inboundStore.park({
                    system: id,
                    topic: 'x12',
                    body,
                    ...storableRefusal(reason, errors),
                    receivedAt: new Date(clock.now()).toISOString(),
                    ...(unknownReferences && unknownReferences.length > 0 ? { unknownReferences } : {}),
                    ...(correlationId !== undefined ? { correlationId } : {}),
                  });
                },
                ingest: (events) => ingest.submit(events),
                ...(location ? { location } : {}),
                log: (level, msg, fields) => log[level](fields ?? {}, msg),
                fault: reportFileFault(log, d.metrics),
                now: () => clock.now(),
              });
            },
          },
        ],
  );
}

export function fileExchanges(d: {
  config: HubConfig;
  state: InventoryState;
  ingest: EventIngest;
  desk: OrderDesk;
  inboundStore: InboundStore;
  controls: SqliteControlNumbers;
  clock: Clock;
  log: Logger;
  metrics: HubMetrics;
  references: ReferenceLookup;
  orderLines: PartnerOrderLines;
}): { fileDrops: CsvFileDrop[]; partners: EdiPartner[] } {
  const { config, state, ingest, clock, log, metrics } = d;
  const fileDrops = stockFileDrops({ config, ingest, clock, log, metrics, references: d.references, inboundStore: d.inboundStore }).map((d) => d.drop());
  const partners = ediPartners({ ...d, locationRunBy: (system) => runsLocation(state, system), view: () => state }).map((p) => p.partner());
  return { fileDrops, partners };
}
