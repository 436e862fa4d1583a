/**
 * What cross-reference translation costs, measured beside the same load without it in one run, on
 * one real hub (embedded backend, its own process) configured with two storefronts and two
 * stock-file folders alike but for one thing: one of each sends the hub's own SKUs, the other
 * its own ids, mapped through cross-references loaded over PUT /v1/xrefs.
 * - Order capture: signed orders/create webhooks (3 lines) over HTTP, loaded by autocannon from
 *   this process; lines by variant id or by the store's SKU against lines in the hub's SKUs.
 * - Ingest: stock files dropped (written under a dotted name, then renamed) into the folders,
 *   timed from the drop to the last file's result beside it.
 * The two sides alternate within each round (the first side swapped every round), since this
 * machine's speed drifts; each ratio is taken within a round, and the figure is their median.
 * Short sides and many rounds: the closer in time the two sides of a ratio, the less a drift in
 * the machine's load moves it. BENCH_XREF_SECONDS, _ROUNDS, _FILES and _ROWS size it;
 * BENCH_XREF_PROFILE=<dir> has the hub write a CPU profile there.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { serve } from './lookup.js';
import { BENCH_KEY, ORDER_SKUS, XREF_SHOP_SECRET, sku } from './servers.js';
import { cpuSeconds } from './process-cpu.js';
import { fmt, writeSection } from './support.js';

const DURATION = Number(process.env.BENCH_XREF_SECONDS ?? 3);
const ROUNDS = Math.max(3, Number(process.env.BENCH_XREF_ROUNDS ?? 8));
const FILES = Number(process.env.BENCH_XREF_FILES ?? 10);
const ROWS = Number(process.env.BENCH_XREF_ROWS ?? 5000);
const CONNECTIONS = 50;
/** Cross-references behind each translated path: every one of the 10,000 items, by one id each. */
const MAPPED = ORDER_SKUS;
const TARGET = 0.9;

type Side = 'plain' | 'xref';
const SIDES: Side[] = ['plain', 'xref'];

/** The store's ids of item i: variant ids for even items, its own SKUs for odd ones (the other id of each line is not mapped). */
const variantOf = (i: number) => 40_000_000_000 + i;
const storeSkuOf = (i: number) => `SHOP-${i}`;
/** The 3PL's code of item i. */
const codeOf = (i: number) => `R-${String(i).padStart(5, '0')}`;

async function api(url: string, method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

async function loadReferences(url: string): Promise<void> {
  const refs: unknown[] = [];
  for (let i = 0; i < MAPPED; i++) {
    refs.push(
      i % 2 === 0
        ? { kind: 'item', system: 'shop-xref', scheme: 'variant_id', external: String(variantOf(i)), id: sku(i) }
        : { kind: 'item', system: 'shop-xref', scheme: 'sku', external: storeSkuOf(i), id: sku(i) },
    );
    refs.push({ kind: 'item', system: 'files-xref', scheme: 'item', external: codeOf(i), id: sku(i) });
  }
  for (let i = 0; i < refs.length; i += 2000) {
    const r = (await api(url, 'PUT', '/v1/xrefs', refs.slice(i, i + 2000))) as { upserted: number; rejected: unknown[] };
    if (r.rejected.length > 0) throw new Error(`cross-references rejected: ${JSON.stringify(r.rejected.slice(0, 3))}`);
  }
}

let nextOrder = 1;

/**
 * One Shopify orders/create body of 3 lines. Plain: each line's SKU is the hub's and its variant
 * is not mapped (both looked up, neither found, the SKU taken as is: what a store whose SKUs are
 * the hub's runs). Translated: the even items found by variant id, the odd ones by the store's SKU.
 */
function orderBody(side: Side, n: number): string {
  const id = 7_000_000_000_000 + nextOrder++;
  const lines = [0, 1, 2].map((k) => {
    const i = (n * 3 + k * 3331) % ORDER_SKUS;
    return side === 'plain'
      ? { id: id * 10 + k, variant_id: 90_000_000_000 + i, sku: sku(i), quantity: 1 + ((n + k) % 3), title: `Item ${i}`, price: '9.99' }
      : { id: id * 10 + k, variant_id: variantOf(i), sku: storeSkuOf(i), quantity: 1 + ((n + k) % 3), title: `Item ${i}`, price: '9.99' };
  });
  return JSON.stringify({
    id,
    name: `#${id}`,
    email: 'buyer@example.com',
    created_at: '2026-12-06T10:00:00-05:00',
    currency: 'USD',
    financial_status: 'paid',
    cancelled_at: null,
    cancel_reason: null,
    customer: { id: 115310627314723950 },
    line_items: lines,
  });
}

interface Round {
  rate: number;
  cpuUsPerItem: number;
  items: number;
  other: number;
}

/** Orders/create webhooks to one storefront for `seconds` at 50 connections; captured orders per second and server CPU per order. */
async function orderRound(url: string, pid: number, side: Side, seconds: number): Promise<Round> {
  let n = 0,
    captured = 0,
    other = 0;
  const before = cpuSeconds({ s: { pids: [pid] } }).s!;
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path: `/hooks/shop-${side}`,
            setupRequest(req) {
              const body = orderBody(side, ++n);
              return {
                ...req,
                body,
                headers: {
                  'content-type': 'application/json',
                  'x-shopify-topic': 'orders/create',
                  'x-shopify-hmac-sha256': createHmac('sha256', XREF_SHOP_SECRET).update(body).digest('base64'),
                  'x-shopify-webhook-id': `${side}-${n}-${nextOrder}`,
                  'x-shopify-triggered-at': new Date().toISOString(),
                },
              };
            },
            onResponse(status, body) {
              if (status === 200 && (JSON.parse(body) as { status: string }).status === 'captured') captured++;
              else other++;
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );
  const used = cpuSeconds({ s: { pids: [pid] } }).s! - before;
  return { rate: captured / (result.duration || seconds), cpuUsPerItem: (used * 1e6) / Math.max(1, captured), items: captured, other };
}

function csv(side: Side, round: number, file: number): string {
  const rows = ['item,qty'];
  for (let r = 0; r < ROWS; r++) {
    const i = (file * ROWS + r) % ORDER_SKUS;
    // Counts change every round, so every snapshot moves a figure on both sides alike.
    rows.push(`${side === 'plain' ? sku(i) : codeOf(i)},${10 + ((i + round) % 50)}`);
  }
  return `${rows.join('\n')}\n`;
}

/** A file's result, read once the hub has finished writing it (it may appear before its content). */
async function readReport(path: string): Promise<{ accepted?: number; rows?: number }> {
  for (let tries = 0; ; tries++) {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as { accepted?: number; rows?: number };
    } catch (err) {
      if (tries > 200) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Drops FILES stock files at once into one system's folder; rows per second from the drop to the last result, server CPU per row. */
async function fileRound(dataDir: string, pid: number, side: Side, round: number, files = FILES): Promise<Round> {
  const folder = join(dataDir, 'inbox', `files-${side}`);
  const label = round < 0 ? 'warm' : `r${round}`;
  const names = Array.from({ length: files }, (_, f) => `${label}-${String(f).padStart(3, '0')}.csv`);
  // Written under a dotted name (never taken), renamed when complete: the file's own drop is not timed.
  names.forEach((name, f) => {
    writeFileSync(join(folder, `.${name}`), csv(side, round, f));
  });
  const before = cpuSeconds({ s: { pids: [pid] } }).s!;
  const started = process.hrtime.bigint();
  for (const name of names) renameSync(join(folder, `.${name}`), join(folder, name));
  const processed = join(folder, 'processed');
  let last = names.length - 1;
  for (;;) {
    // The last name is taken last (oldest name first); its result means the others' are there.
    while (last >= 0 && existsSync(join(processed, `${names[last]}.result.json`))) last--;
    if (last < 0) break;
    if (Number(process.hrtime.bigint() - started) > 120e9) throw new Error(`${side}: ${names[last]} not taken within 120 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = cpuSeconds({ s: { pids: [pid] } }).s! - before;
  let accepted = 0,
    other = 0;
  for (const name of names) {
    const report = await readReport(join(processed, `${name}.result.json`));
    accepted += report.accepted ?? 0;
    other += (report.rows ?? ROWS) - (report.accepted ?? 0);
  }
  return { rate: accepted / seconds, cpuUsPerItem: (used * 1e6) / Math.max(1, accepted), items: accepted, other };
}

/** Runs `measure` for both sides in every round, the side going first swapped each round. */
async function alternate(measure: (side: Side, round: number) => Promise<Round>): Promise<Record<Side, Round[]>> {
  const runs: Record<Side, Round[]> = { plain: [], xref: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? SIDES : [...SIDES].reverse()) runs[side].push(await measure(side, round));
  }
  return runs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Figure {
  path: string;
  unit: string;
  runs: Record<Side, Round[]>;
}

function summarise(f: Figure) {
  const ratios = f.runs.xref.map((r, i) => r.rate / f.runs.plain[i]!.rate);
  const cpuRatios = f.runs.xref.map((r, i) => r.cpuUsPerItem / f.runs.plain[i]!.cpuUsPerItem);
  const side = (s: Side) => ({ rate: median(f.runs[s].map((r) => r.rate)), cpu: median(f.runs[s].map((r) => r.cpuUsPerItem)) });
  return { ratio: median(ratios), ratios, cpuRatio: median(cpuRatios), cpuRatios, plain: side('plain'), xref: side('xref') };
}

export async function benchXrefTranslation(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-xref-'));
  process.env.BENCH_XREF_DIR = dataDir;
  // BENCH_XREF_PROFILE=<dir>: the hub process writes a CPU profile there when the benchmark ends.
  const profile = process.env.BENCH_XREF_PROFILE;
  const loadAtStart = loadavg()[0]!;
  const hub = await serve('xref-hub', profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
  const pid = hub.child.pid!;
  try {
    await loadReferences(hub.url);
    for (const side of SIDES) {
      const folder = join(dataDir, 'inbox', `files-${side}`);
      for (let t = 0; !existsSync(folder); t++) {
        if (t > 200) throw new Error(`the hub made no folder ${folder}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // Warm both paths up (JIT, caches) before any measured round.
    for (const side of SIDES) await orderRound(hub.url, pid, side, 2);
    for (const side of SIDES) await fileRound(dataDir, pid, side, -1, 4);

    const orders: Figure = {
      path: 'order capture: signed orders/create webhooks, 3 lines',
      unit: 'orders',
      runs: await alternate((side) => orderRound(hub.url, pid, side, DURATION)),
    };
    const ingest: Figure = {
      path: `ingest: stock files of ${fmt(ROWS)} rows, ${FILES} dropped at once`,
      unit: 'rows',
      runs: await alternate((side, round) => fileRound(dataDir, pid, side, round)),
    };
    const figures = [orders, ingest];
    const other = figures.flatMap((f) => SIDES.flatMap((s) => f.runs[s].map((r) => r.other))).reduce((a, b) => a + b, 0);

    const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    const rows = figures.flatMap((f) => {
      const s = summarise(f);
      const verdict = s.ratio >= TARGET ? `met (≥ ${TARGET.toFixed(2)})` : `**missed** (< ${TARGET.toFixed(2)})`;
      return [
        `| ${f.path}, hub's own SKUs (no translation) | ${fmt(s.plain.rate)} ${f.unit}/s | ${fmt(s.plain.cpu, 1)} | 1.00 | | | |`,
        `| ${f.path}, partner's ids via ${fmt(MAPPED)} cross-references | ${fmt(s.xref.rate)} ${f.unit}/s | ${fmt(s.xref.cpu, 1)} | ${s.ratio.toFixed(2)} (${range(s.ratios)}) | ×${s.cpuRatio.toFixed(2)} (${range(s.cpuRatios)}) | ${s.ratios.map((x) => x.toFixed(2)).join(', ')} | ${verdict} |`,
      ];
    });
    const lines = [
      '## Cross-reference translation',
      '',
      `One hub (embedded backend, its own process) with two storefronts and two stock-file folders configured alike, one of each sending the hub's own SKUs and the other its own ids, translated through ${fmt(MAPPED)} cross-references each (loaded with PUT /v1/xrefs). Orders: signed Shopify-style orders/create webhooks of 3 lines at ${CONNECTIONS} connections for ${DURATION} s a side, the translated lines found by variant id (half) or by the store's SKU (half); the untranslated lines are looked up too (a storefront's variant is always asked for) and taken as is. Ingest: ${FILES} files of ${fmt(ROWS)} rows dropped at once (renamed into the folder), timed from the drop to the last file's result. ${ROUNDS} rounds, the two sides alternating within each round (first side swapped every round); throughput and CPU are the median round, the ratio the median of the rounds' translated ÷ untranslated throughput.`,
      '',
      `| path | throughput | server CPU µs per ${figures.map((f) => f.unit.replace(/s$/, '')).join(' / ')} | throughput ratio, translated ÷ not (spread) | CPU per item, translated ÷ not (spread) | round ratios | target: ratio ≥ ${TARGET.toFixed(2)} |`,
      '|---|---:|---:|---:|---:|---|---|',
      ...rows,
      '',
      `Answers other than captured (orders) and rows not accepted (files): ${fmt(other)}. Server CPU from /proc over each round. The machine's load average was ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end on ${cpus().length} cores: under load from other work both the round ratios and the CPU per item spread widely, and a run's median is only as good as that spread says.`,
    ];
    console.log(lines.join('\n'));
    writeSection('xref-translation', lines.join('\n'));
  } finally {
    // SIGINT lets the server exit normally, writing its profile when asked for one.
    const exited = new Promise((resolve) => hub.child.once('exit', resolve));
    hub.child.kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchXrefTranslation();
