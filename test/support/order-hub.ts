/**
 * A test hub wired for orders: the two-DC network, a few customers and items, and the ERP
 * simulator over HTTP, with helpers to stock items and capture orders. `startOrderHub` runs the
 * embedded hub (its internals reachable); `startOrderHarness` runs either backend for the
 * behavioural suites.
 */
import type { DestinationStream } from 'pino';
import { ErpSimulator } from '../../sim/erp-simulator.js';
import type { HubConfig, HubFile } from '../../src/config/hub-config.js';
import type { Backend, HarnessHub } from './backends.js';
import type { Clock } from '../../src/ports/clock.js';
import { NETWORK, snapshot, startTestHub, type TestHub } from './test-hub.js';

type Api = TestHub['api'];

export interface OrderHelpers {
  erp: ErpSimulator;
  erpUrl: string;
  stock(sku: string, location: string, onHand: number): Promise<void>;
  order(body: Record<string, unknown>, key?: string): Promise<{ status: number; body: any; headers: Headers }>;
  available(sku: string, channel?: string): Promise<number>;
}

export type OrderHub = TestHub & OrderHelpers;
export type OrderHarness = HarnessHub & OrderHelpers;

interface OrderHubOptions {
  file?: HubFile;
  erp?: ErpSimulator;
  erpTimeoutMs?: number;
  config?: Partial<HubConfig>;
  clock?: Clock;
  /** API keys besides the admin key (startOrderHarness). */
  apiKeys?: HubConfig['apiKeys'];
  /** Where the hub's log lines go (startOrderHarness). */
  logs?: DestinationStream;
}

let keyCounter = 0;
let snapSeq = 1_000_000;

export function orderNetwork(erpUrl: string, options: OrderHubOptions): HubFile {
  return {
    ...NETWORK,
    channels: {
      ...NETWORK.channels,
      queued: { locations: ['DAL', 'ATL'], onErpUnavailable: 'queue' },
      strict: { locations: ['DAL', 'ATL'], onErpUnavailable: 'fail', onCreditHold: 'reject' },
    },
    items: {
      'ABC-100': { description: 'Copper elbow', uom: 'EA' },
      'XYZ-200': { description: 'Brass valve', uom: 'EA' },
      'PIPE-1': { description: 'Pipe', uom: 'EA' },
    },
    customers: {
      'C-42': { name: 'Lone Star Plumbing', active: true, creditHold: false },
      'C-HOLD': { name: 'Slow Payer Inc', active: true, creditHold: true },
      'C-GONE': { name: 'Closed Ltd', active: false, creditHold: false },
    },
    erp: { url: erpUrl, timeoutMs: options.erpTimeoutMs ?? 1000, retryBaseMs: 50, retryMaxMs: 200 },
    ...options.file,
  };
}

function helpers(api: Api, erp: ErpSimulator, erpUrl: string): OrderHelpers {
  return {
    erp,
    erpUrl,
    async stock(sku, location, onHand) {
      const source = location === 'DAL' ? 'wms-dal' : 'wms-atl';
      const res = await api('POST', '/v1/events', [snapshot({ source, seq: ++snapSeq, sku, location, onHand })]);
      if (res.body.accepted !== 1) throw new Error(`stocking failed: ${JSON.stringify(res.body)}`);
    },
    order(body, key = `key-${++keyCounter}`) {
      return api('POST', '/v1/orders', body, { headers: { 'idempotency-key': key } });
    },
    async available(sku, channel = 'queued') {
      return (await api('GET', `/v1/availability/${sku}?channel=${channel}`)).body.available as number;
    },
  };
}

export async function startOrderHub(options: OrderHubOptions & { dataDir?: string } = {}): Promise<OrderHub> {
  const erp = options.erp ?? new ErpSimulator();
  const erpUrl = await erp.start();
  const hub = await startTestHub({
    file: orderNetwork(erpUrl, options),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.config ? { config: options.config } : {}),
  });
  const stop = hub.stop.bind(hub);
  return Object.assign(hub, helpers(hub.api, erp, erpUrl), {
    async stop(o?: { keepData?: boolean }) {
      await stop(o);
      if (!options.erp) await erp.close();
    },
  });
}

export async function startOrderHarness(backend: Backend, options: OrderHubOptions = {}): Promise<OrderHarness> {
  const erp = options.erp ?? new ErpSimulator();
  const erpUrl = await erp.start();
  const apiKeys = options.apiKeys ?? options.config?.apiKeys;
  const hub = await backend.start(orderNetwork(erpUrl, options), {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(apiKeys ? { apiKeys } : {}),
    ...(options.logs ? { logs: options.logs } : {}),
  });
  return {
    ...hub,
    ...helpers(hub.api, erp, erpUrl),
    async stop() {
      await hub.stop();
      if (!options.erp) await erp.close();
    },
  };
}
