/**
 * Availability lookups over HTTP: single lookups at 50 connections against a bare node:http
 * server answering a constant (the baseline), and a batch lookup of 1,000 SKUs; each server in
 * its own process, loaded by autocannon from this one, measured in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_KEY, BENCH_SKUS, sku, type BenchServer } from './servers.js';
import { fmt, writeSection } from './support.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SERVERS = fileURLToPath(new URL('./servers.js', import.meta.url));

/** Starts a benchmark server in its own process; `nodeArgs` go to its node (--cpu-prof, say). */
export async function serve(kind: BenchServer, nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeArgs, SERVERS, kind], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+)/.exec(out);
      // Past READY the server's log is drained unread: the load generator shares this process.
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { url, child };
}

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

const singlePaths = Array.from({ length: 64 }, (_, i) => ({ method: 'GET' as const, path: `/v1/availability/${sku((i * 157) % BENCH_SKUS)}?channel=web` }));

async function single(url: string): Promise<autocannon.Result> {
  await load({ url, connections: 50, duration: 2, headers: { authorization: `Bearer ${BENCH_KEY}` }, requests: singlePaths });
  return load({ url, connections: 50, duration: DURATION, headers: { authorization: `Bearer ${BENCH_KEY}` }, requests: singlePaths });
}

export async function benchLookup(): Promise<void> {
  const bare = await serve('bare');
  const hub = await serve('hub');
  // Alternate baseline and hub, keeping each one's median round: this machine's speed drifts.
  const bareRuns: autocannon.Result[] = [],
    hubRuns: autocannon.Result[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await single(bare.url));
    hubRuns.push(await single(hub.url));
  }
  bare.child.kill();
  const median = (runs: autocannon.Result[]) => [...runs].sort((a, b) => a.requests.average - b.requests.average)[Math.floor(runs.length / 2)]!;
  const bareResult = median(bareRuns),
    hubResult = median(hubRuns);
  const body = JSON.stringify({ channel: 'web', skus: Array.from({ length: 1000 }, (_, i) => sku((i * 7) % BENCH_SKUS)) });
  const batchOpts = {
    url: `${hub.url}/v1/availability/query`,
    connections: 4,
    duration: DURATION,
    method: 'POST' as const,
    body,
    headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
  };
  await load({ ...batchOpts, duration: 2 });
  const batch = await load(batchOpts);
  const batchAlone = await load({ ...batchOpts, connections: 1 });
  if (batch.non2xx > 0) console.error('batch status codes', JSON.stringify(batch.statusCodeStats));
  hub.child.kill();

  // This VM's speed drifts by tens of percent within a minute: each hub round is paired with the
  // baseline round just before it, and the ratio is the median of those pairs.
  const pairs = hubRuns.map((h, i) => h.requests.average / bareRuns[i]!.requests.average).sort((a, b) => a - b);
  const ratio = pairs[Math.floor(pairs.length / 2)]!;
  const errors = hubResult.non2xx + hubResult.errors + batch.non2xx + batch.errors + batchAlone.non2xx + batchAlone.errors;
  const lines = [
    '## Availability lookups over HTTP',
    '',
    `Server and load generator (autocannon) in separate processes on the same machine; ${DURATION} s per measurement after a 2 s warm-up, ${ROUNDS} rounds alternating baseline and hub; req/s and latencies are each one's median round, the ratio is the median of the ${ROUNDS} paired rounds (${pairs.map((r) => r.toFixed(2)).join(', ')}); ${fmt(BENCH_SKUS)} items × 2 locations; the hub logs at info.`,
    '',
    '| what | connections | req/s | p50 ms | p99 ms | ratio |',
    '|---|---:|---:|---:|---:|---:|',
    `| hub: GET /v1/availability/{sku}?channel=web (auth, correlation id, metrics) | 50 | ${fmt(hubResult.requests.average)} | ${hubResult.latency.p50} | ${hubResult.latency.p99} | ${ratio.toFixed(2)} |`,
    `| baseline: bare node:http answering a constant | 50 | ${fmt(bareResult.requests.average)} | ${bareResult.latency.p50} | ${bareResult.latency.p99} | 1.00 |`,
    `| hub: POST /v1/availability/query, 1,000 SKUs | 1 | ${fmt(batchAlone.requests.average)} | ${batchAlone.latency.p50} | ${batchAlone.latency.p99} | |`,
    `| hub: POST /v1/availability/query, 1,000 SKUs | 4 | ${fmt(batch.requests.average)} | ${batch.latency.p50} | ${batch.latency.p99} | |`,
    '',
    `Errors or non-2xx answers: ${errors} (single: ${hubResult.non2xx} non-2xx, ${hubResult.errors} errors, ${hubResult.timeouts} timeouts; batch: ${batch.non2xx} non-2xx, ${batch.errors} errors).`,
    'Targets: single lookups ≥ 65% of the baseline with p99 ≤ 5 ms at 50 connections; a 1,000-SKU batch p99 under 5 ms.',
  ];
  console.log(lines.join('\n'));
  writeSection('lookup', lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLookup();
