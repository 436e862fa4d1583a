/**
 * Starts a real hub (embedded SQLite in a temporary directory, HTTP on a free loopback port)
 * for integration tests, with a small typed client for its API.
 */
import type { DestinationStream } from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubConfig, HubFile } from '../../src/config/hub-config.js';
import { startHub, type Hub } from '../../src/main.js';
import type { Clock } from '../../src/ports/clock.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface TestHub extends Hub {
  dataDir: string;
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options?: { key?: string | null; headers?: Record<string, string>; raw?: string },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'crossdock-test-'));
}

export function testConfig(dataDir: string, file: HubFile = {}, extra: Partial<HubConfig> = {}): HubConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    configFile: '(test)',
    adminKey: ADMIN_KEY,
    demoTraffic: false,
    backend: 'embedded',
    checkpointIntervalMs: 60_000,
    file,
    apiKeys: [],
    ...extra,
  };
}

export async function startTestHub(
  options: { file?: HubFile; dataDir?: string; clock?: Clock; config?: Partial<HubConfig>; logs?: DestinationStream } = {},
): Promise<TestHub> {
  const dataDir = options.dataDir ?? tempDataDir();
  const hub = await startHub({
    config: testConfig(dataDir, options.file, options.config),
    ...(options.logs ? { logger: { level: 'debug' }, logDestination: options.logs } : { logger: false }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    ...hub,
    dataDir,
    api: apiClient(hub.url),
    async stop(stopOptions = {}) {
      await hub.close();
      if (!stopOptions.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small client for the hub's API: JSON in and out, the admin key unless told otherwise. */
export function apiClient(url: string): TestHub['api'] {
  return async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const key = opts.key === undefined ? ADMIN_KEY : opts.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined = opts.raw;
    if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url + path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
}

let seqCounter = 0;
/** A movement event with sensible defaults. */
export function movement(p: {
  source?: string;
  seq?: number;
  sku: string;
  location: string;
  delta: Record<string, number>;
  reason?: string;
  id?: string;
  eta?: string;
}) {
  const source = p.source ?? 'wms-dal';
  const seq = p.seq ?? ++seqCounter;
  return {
    id: p.id ?? `${source}-${seq}`,
    type: 'inventory.movement',
    source,
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: p.sku,
    location: p.location,
    reason: p.reason ?? 'adjustment',
    delta: p.delta,
    ...(p.eta ? { eta: p.eta } : {}),
  };
}

export function snapshot(p: {
  source?: string;
  seq?: number;
  sku: string;
  location: string;
  onHand: number;
  qualityHold?: number;
  damaged?: number;
  id?: string;
}) {
  const source = p.source ?? 'wms-dal';
  const seq = p.seq ?? ++seqCounter;
  return {
    id: p.id ?? `${source}-${seq}`,
    type: 'inventory.snapshot',
    source,
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: p.sku,
    location: p.location,
    balance: { onHand: p.onHand, qualityHold: p.qualityHold ?? 0, damaged: p.damaged ?? 0 },
  };
}

/** Master data most tests share: two DCs, a 3PL, and channels with each rule. */
export const NETWORK: HubFile = {
  locations: {
    DAL: { name: 'Dallas DC', authority: 'wms-dal' },
    ATL: { name: 'Atlanta DC', authority: 'wms-atl' },
  },
  channels: {
    web: { locations: ['DAL', 'ATL'], safetyStock: 2 },
    amazon: { locations: ['DAL'], allocation: { percent: 80 } },
    b2b: { locations: ['DAL', 'ATL'], includeInbound: { withinDays: 3 } },
  },
};
