/**
 * Servers the HTTP benchmarks load from a separate process, so the load generator and the server
 * do not share an event loop: `hub` (a real hub on the embedded backend, seeded with stock) and
 * `bare` (node:http answering a constant of the same shape, the baseline). Prints the URL.
 */
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub } from '../src/main.js';

export const BENCH_KEY = 'bench-admin-key-0123456789';
export const BENCH_SKUS = 10_000;
export const sku = (i: number) => `SKU-${String(i).padStart(5, '0')}`;

async function hub(seed = true): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-http-'));
  const h = await startHub({
    logger: { level: 'info' },
    config: {
      port: 0, host: '127.0.0.1', dataDir, configFile: '(bench)', adminKey: BENCH_KEY, demoTraffic: false, backend: 'embedded',
      checkpointIntervalMs: 5000, apiKeys: [],
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
    for (const [source, location] of [['wms-dal', 'DAL'], ['wms-atl', 'ATL']] as const) {
      events.push({ id: `${source}-${i}`, type: 'inventory.snapshot', source, seq: i + 1, occurredAt: '2026-11-22T10:00:00Z', sku: sku(i), location, balance: { onHand: 20 + (i % 100) } });
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

/** Starts one benchmark server in this process and returns its URL. */
export function serveBench(kind: 'hub' | 'empty-hub' | 'bare'): Promise<string> {
  return kind === 'bare' ? bare() : hub(kind === 'hub');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = await serveBench((process.argv[2] ?? 'hub') as 'hub' | 'empty-hub' | 'bare');
  process.stdout.write(`READY ${url}\n`);
  process.on('SIGINT', () => process.exit(0));
}
