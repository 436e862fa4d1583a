/**
 * Plumbing shared by the chaos scenarios (test/chaos/README in docs/RELIABILITY terms: each
 * scenario drives a real hub process, computes what the hub should hold from the traffic it
 * generated, and compares). Nothing here imports node:test, so the same scenarios run from
 * `npm run chaos` (full size) and from test/chaos.test.ts (short).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { dropSchema } from '../../src/adapters/postgres/pg-database.js';
import { JetStreamEventLog } from '../../src/adapters/nats/jetstream-event-log.js';
import { DATABASE_URL, NATS_URL, scaleOut } from '../support/backends.js';

export const CLI = fileURLToPath(new URL('../../../bin/crossdock.js', import.meta.url));
export const ADMIN_KEY = 'chaos-admin-key-0123456789abcdef';

/** One figure of a scenario: what the hub (or the outside systems) showed beside what the oracle says it must be. */
export interface Figure {
  figure: string;
  observed: number | string;
  oracle: number | string;
  ok: boolean;
}

export interface ScenarioReport {
  name: string;
  /** What ran, in one line (sizes, seed, duration). */
  setting: string;
  figures: Figure[];
}

export const failures = (r: ScenarioReport) => r.figures.filter((f) => !f.ok);

/** observed must equal oracle. */
export const equal = (figure: string, observed: number | string, oracle: number | string): Figure => ({ figure, observed, oracle, ok: observed === oracle });
/** A figure reported for information, with the bound it must respect. */
export const atMost = (figure: string, observed: number, bound: number): Figure => ({ figure, observed, oracle: `≤ ${bound}`, ok: observed <= bound });
export const atLeast = (figure: string, observed: number, bound: number): Figure => ({ figure, observed, oracle: `≥ ${bound}`, ok: observed >= bound });
export const info = (figure: string, observed: number | string): Figure => ({ figure, observed, oracle: '—', ok: true });

/** Sizes scale with CHAOS_SCALE (1 = the full sizes of `npm run chaos`); never below `min`. */
export function scaled(full: number, scale: number, min = 1): number {
  return Math.max(min, Math.round(full * scale));
}

/** A seeded generator (mulberry32), so a failing run can be repeated with CHAOS_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

const children = new Set<ChildProcess>();
// A scenario that throws half-way must not leave a hub running behind the runner.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface HubProcess {
  child: ChildProcess;
  url: string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<string>;
}

/** A data directory with the hub's YAML configuration written into it. */
export function hubHome(configYaml: string): { dataDir: string; configFile: string; remove(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-chaos-'));
  const configFile = join(dataDir, 'hub.yaml');
  writeFileSync(configFile, configYaml);
  return { dataDir, configFile, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Runs `node bin/crossdock.js start` as an operator would, on a free loopback port. */
export async function startHubProcess(home: { dataDir: string; configFile: string }, env: Record<string, string> = {}): Promise<HubProcess> {
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      CROSSDOCK_LOG_LEVEL: 'warn',
      CROSSDOCK_DATA_DIR: home.dataDir,
      CROSSDOCK_CONFIG: home.configFile,
      CROSSDOCK_ADMIN_KEY: ADMIN_KEY,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ?? String(code));
    }),
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start in 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code}:\n${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr, exited };
}

export async function killHard(hub: HubProcess): Promise<void> {
  hub.child.kill('SIGKILL');
  await hub.exited;
}

export async function stopGracefully(hub: HubProcess): Promise<string> {
  hub.child.kill('SIGTERM');
  return hub.exited;
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** One call to the hub's API with the admin key; throws only when no answer came (connection refused or reset). */
export async function call<T = any>(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/**
 * Channel availability of many SKUs at once, in chunks the query route takes; with `atPosition`,
 * read once the figures reflect that log position (read-your-writes on the scale-out backend).
 */
export async function availability(url: string, channel: string, skus: string[], atPosition = 0): Promise<Map<string, number>> {
  const figures = new Map<string, number>();
  for (let i = 0; i < skus.length; i += 500) {
    let res: Answer<{ items: { sku: string; available: number }[]; position: number }>;
    const deadline = Date.now() + 60_000;
    for (;;) {
      res = await call(url, 'POST', '/v1/availability/query', { channel, skus: skus.slice(i, i + 500) });
      if (res.status !== 200) throw new Error(`availability query answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (res.body.position >= atPosition) break;
      if (Date.now() > deadline) throw new Error(`the figures did not reach position ${atPosition} in 60 s (at ${res.body.position})`);
      await sleep(20);
    }
    for (const item of res.body.items) figures.set(item.sku, item.available);
  }
  return figures;
}

/**
 * Reads figures until they equal `expected` or `withinMs` passes (the scale-out read model applies
 * holds a moment after the order is answered); answers the last figures read.
 */
export async function settledAvailability(url: string, channel: string, expected: Map<string, number>, withinMs: number): Promise<Map<string, number>> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const shown = await availability(url, channel, [...expected.keys()]);
    if ([...expected].every(([sku, n]) => shown.get(sku) === n) || Date.now() > deadline) return shown;
    await sleep(100);
  }
}

export type BackendName = 'embedded' | 'scale-out';

/** What a hub process needs to run on a backend, and the clean-up of the shared state it made. */
export interface ProcessBackend {
  name: BackendName;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Why the scale-out backend cannot run here (PostgreSQL or NATS unreachable), or undefined. */
export const scaleOutUnavailable = () => scaleOut.unavailable();

export function processBackend(name: BackendName): ProcessBackend {
  if (name === 'embedded') return { name, env: {}, close: async () => {} };
  const namespace = `chaos_${randomBytes(5).toString('hex')}`;
  return {
    name,
    env: { CROSSDOCK_BACKEND: 'scale-out', DATABASE_URL, NATS_URL, CROSSDOCK_ROLE: 'all', CROSSDOCK_NAMESPACE: namespace },
    async close() {
      await dropSchema(DATABASE_URL, namespace);
      const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
      await log.destroy();
      await log.close();
    },
  };
}

/** Every order of a channel, following the listing's cursor. */
export async function listOrders(url: string, channel: string): Promise<{ id: string; externalId: string; status: string; lines: any[]; erp?: any }[]> {
  const all = [];
  let cursor: string | null = null;
  do {
    const res: Answer = await call(url, 'GET', `/v1/orders?channel=${channel}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`order listing answered ${res.status}: ${JSON.stringify(res.body)}`);
    all.push(...res.body.orders);
    cursor = res.body.next;
  } while (cursor);
  return all;
}

/** A movement event of the canonical schema. */
export function movement(o: { id: string; source: string; seq: number; sku: string; location: string; onHand: number; reason?: string }) {
  return {
    id: o.id,
    type: 'inventory.movement',
    source: o.source,
    seq: o.seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: o.sku,
    location: o.location,
    reason: o.reason ?? (o.onHand >= 0 ? 'receipt' : 'adjustment'),
    delta: { onHand: o.onHand },
  };
}

export function snapshot(o: { id: string; source: string; seq: number; sku: string; location: string; onHand: number }) {
  return {
    id: o.id,
    type: 'inventory.snapshot',
    source: o.source,
    seq: o.seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: o.sku,
    location: o.location,
    balance: { onHand: o.onHand },
  };
}

/** The report as a Markdown table. */
export function table(r: ScenarioReport): string {
  const rows = r.figures.map((f) => `| ${f.figure} | ${fmtValue(f.observed)} | ${fmtValue(f.oracle)} | ${f.ok ? 'yes' : '**NO**'} |`);
  return [`| figure | observed | oracle | holds |`, `|---|--:|--:|:-:|`, ...rows].join('\n');
}

function fmtValue(v: number | string): string {
  return typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v;
}
