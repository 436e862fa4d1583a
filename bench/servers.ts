/**
 * Servers the HTTP benchmarks load from a separate process, so the load generator and the server
 * do not share an event loop: `hub` (a real hub on the embedded backend, seeded with stock) and
 * `bare` (node:http answering a constant of the same shape, the baseline). Prints the URL.
 */
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startHub } from '../src/main.js';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { OrderRequest } from '../src/model/order.js';
import { typeboxValidatorCompiler } from '../src/interfaces/http/validation.js';

export const BENCH_KEY = 'bench-admin-key-0123456789';
export const BENCH_SKUS = 10_000;
export const sku = (i: number) => `SKU-${String(i).padStart(5, '0')}`;

async function hub(seed = true): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-http-'));
  const h = await startHub({
    logger: { level: 'info' },
    config: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      configFile: '(bench)',
      adminKey: BENCH_KEY,
      demoTraffic: false,
      backend: 'embedded',
      checkpointIntervalMs: 5000,
      apiKeys: [],
      file: {
        locations: { DAL: { name: 'Dallas', authority: 'wms-dal' }, ATL: { name: 'Atlanta', authority: 'wms-atl' } },
        channels: {
          web: { locations: ['DAL', 'ATL'], safetyStock: 2 },
          amazon: { locations: ['DAL'], allocation: { percent: 80 } },
          b2b: { locations: ['DAL', 'ATL'], includeInbound: { withinDays: 3 } },
        },
      },
    },
  });
  if (!seed) return h.url;
  const events = [];
  for (let i = 0; i < BENCH_SKUS; i++) {
    for (const [source, location] of [
      ['wms-dal', 'DAL'],
      ['wms-atl', 'ATL'],
    ] as const) {
      events.push({
        id: `${source}-${i}`,
        type: 'inventory.snapshot',
        source,
        seq: i + 1,
        occurredAt: '2026-11-22T10:00:00Z',
        sku: sku(i),
        location,
        balance: { onHand: 20 + (i % 100) },
      });
    }
  }
  for (let i = 0; i < events.length; i += 10_000) await h.ingest.submit(events.slice(i, i + 10_000));
  return h.url;
}

async function bare(): Promise<string> {
  const server = createServer((_req, res) => {
    const body = JSON.stringify({ sku: 'SKU-00042', channel: 'web', available: 139, position: 20000 });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

export const ORDER_SKUS = 10_000;
export const HOT_UNITS = 1000;
export const SPREAD_ITEMS = 5000;

/** A hub taking orders: plenty of stock on 10,000 items, one hot item with its last 1,000 units, 5,000 items with one unit each. */
async function ordersHub(erpOverHttp: boolean): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-orders-'));
  const erp = new ErpSimulator();
  const h = await startHub({
    logger: { level: 'info' },
    ...(erpOverHttp ? {} : { erp: erp.connector() }),
    config: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      configFile: '(bench)',
      adminKey: BENCH_KEY,
      demoTraffic: false,
      backend: 'embedded',
      checkpointIntervalMs: 5000,
      apiKeys: [],
      file: {
        locations: { DAL: { name: 'Dallas', authority: 'wms-dal' }, ATL: { name: 'Atlanta', authority: 'wms-atl' } },
        channels: { web: { locations: ['DAL', 'ATL'], onErpUnavailable: 'queue' } },
        customers: { 'C-1': { name: 'Bench Co', active: true, creditHold: false } },
        ...(erpOverHttp ? { erp: { url: await erp.start() } } : {}),
      },
    },
  });
  const events: unknown[] = [];
  let seq = 0;
  const snap = (source: string, location: string, item: string, onHand: number) =>
    events.push({
      id: `${source}-${++seq}`,
      type: 'inventory.snapshot',
      source,
      seq,
      occurredAt: '2026-11-22T10:00:00Z',
      sku: item,
      location,
      balance: { onHand },
    });
  for (let i = 0; i < ORDER_SKUS; i++) {
    snap('wms-dal', 'DAL', sku(i), 1_000_000);
    snap('wms-atl', 'ATL', sku(i), 1_000_000);
  }
  snap('wms-dal', 'DAL', 'HOT-1', HOT_UNITS);
  for (let i = 0; i < SPREAD_ITEMS; i++) snap('wms-dal', 'DAL', `ONE-${i}`, 1);
  for (let i = 0; i < events.length; i += 10_000) await h.ingest.submit(events.slice(i, i + 10_000));
  return h.url;
}

/** The same framework answering the same POST (schema-validated) with a constant, touching no database. */
async function ordersBare(): Promise<string> {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  const answer = { id: 'ord_constant', status: 'accepted', lines: [{ sku: 'SKU-00001', qty: 1, reserved: 1, backordered: 0 }], erpOrderNumber: 'SO-100001' };
  app.post('/v1/orders', { schema: { body: OrderRequest } }, async (_req, reply) => reply.code(201).send(answer));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

export const XREF_SHOP_SECRET = 'bench-shop-secret-0123456789';

/**
 * A hub taking storefront orders and stock files, each from two systems configured alike but for
 * one thing: `shop-plain` and `files-plain` send the hub's own SKUs, `shop-xref` and `files-xref`
 * their own ids, translated through cross-references (loaded by the benchmark over the API).
 * The folders are under BENCH_XREF_DIR (the benchmark makes it and drops the files there).
 */
async function xrefHub(): Promise<string> {
  const dataDir = process.env.BENCH_XREF_DIR ?? mkdtempSync(join(tmpdir(), 'crossdock-bench-xref-'));
  process.env.BENCH_SHOP_SECRET = XREF_SHOP_SECRET;
  const erp = new ErpSimulator();
  const shop = { type: 'shopify', channel: 'web', customer: 'C-1', webhookSecretEnv: 'BENCH_SHOP_SECRET' } as const;
  const files = { type: 'csv-snapshot', columns: { sku: 'item', onHand: 'qty' }, pollSeconds: 0.05, settleSeconds: 0 } as const;
  const h = await startHub({
    logger: { level: 'info' },
    erp: erp.connector(),
    config: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      configFile: '(bench)',
      adminKey: BENCH_KEY,
      demoTraffic: false,
      backend: 'embedded',
      checkpointIntervalMs: 5000,
      apiKeys: [],
      file: {
        locations: {
          DAL: { name: 'Dallas', authority: 'wms-dal' },
          ATL: { name: 'Atlanta', authority: 'wms-atl' },
          PLN: { name: '3PL sending our SKUs', authority: 'files-plain' },
          XRF: { name: '3PL sending its own codes', authority: 'files-xref' },
        },
        channels: { web: { locations: ['DAL', 'ATL'], onErpUnavailable: 'queue' }, wholesale: { locations: ['PLN', 'XRF'] } },
        customers: { 'C-1': { name: 'Bench Co', active: true, creditHold: false } },
        systems: {
          'shop-plain': shop,
          'shop-xref': shop,
          'files-plain': { ...files, location: 'PLN' },
          'files-xref': { ...files, location: 'XRF', itemScheme: 'item' },
        },
      } as never,
    },
  });
  const events: unknown[] = [];
  for (let i = 0; i < ORDER_SKUS; i++)
    for (const [source, location] of [
      ['wms-dal', 'DAL'],
      ['wms-atl', 'ATL'],
    ] as const)
      events.push({
        id: `${source}-${i}`,
        type: 'inventory.snapshot',
        source,
        seq: i + 1,
        occurredAt: '2026-11-22T10:00:00Z',
        sku: sku(i),
        location,
        balance: { onHand: 1_000_000 },
      });
  for (let i = 0; i < events.length; i += 10_000) await h.ingest.submit(events.slice(i, i + 10_000));
  return h.url;
}

export type BenchServer = 'hub' | 'empty-hub' | 'bare' | 'orders-hub' | 'orders-hub-http-erp' | 'orders-bare' | 'xref-hub';

/** Starts one benchmark server in this process and returns its URL. */
export function serveBench(kind: BenchServer): Promise<string> {
  switch (kind) {
    case 'bare':
      return bare();
    case 'orders-hub':
      return ordersHub(false);
    case 'orders-hub-http-erp':
      return ordersHub(true);
    case 'orders-bare':
      return ordersBare();
    case 'xref-hub':
      return xrefHub();
    default:
      return hub(kind === 'hub');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = await serveBench((process.argv[2] ?? 'hub') as BenchServer);
  process.stdout.write(`READY ${url}\n`);
  process.on('SIGINT', () => process.exit(0));
}
