/**
 * Scale-out ingest against the local PostgreSQL and NATS: one api process and 1 or 2 worker
 * processes of the real `crossdock` command. 100,000 movements over 10,000 items × 2 locations
 * and 3 channels go in through the api in batches of 1,000 from 8 clients.
 * - Accepted events/s (durable in JetStream, answered) beside the raw JetStream client publishing
 *   the same bodies with message ids and awaiting every ack, same batches and concurrency.
 * - Applied events/s (the workers' transactions committed in PostgreSQL) beside pgbench running
 *   the worker's own statements at 32 clients, with the batch size the workers actually saw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { dropSchema, openPostgres } from '../src/adapters/postgres/pg-database.js';
import { JetStreamEventLog } from '../src/adapters/nats/jetstream-event-log.js';
import { AckedPublisher } from '../src/adapters/nats/acked-publisher.js';
import { StockPosition } from '../src/domain/inventory/stock-position.js';
import { fmt, writeSection } from './support.js';
import { feedChangesSql, itemsStateSql, runPgbench } from './pgbench.js';
import { cpuSeconds, cpuUsedBetween } from './process-cpu.js';
import { reachable } from '../test/support/reachable.js';

const CLI = fileURLToPath(new URL('../../bin/crossdock.js', import.meta.url));
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
export const KEY = 'bench-admin-key-0123456789';
const EVENTS = 100_000,
  BATCH = 1000,
  CLIENTS = 8,
  ITEMS = 10_000;

function events(run: string) {
  return Array.from({ length: EVENTS }, (_, n) => {
    const [source, location] = n % 2 === 0 ? ['wms-dal', 'DAL'] : ['wms-atl', 'ATL'];
    return {
      id: `${run}-${n}`,
      type: 'inventory.movement',
      source,
      seq: n + 1,
      occurredAt: '2026-11-22T10:00:00Z',
      sku: `K-${(n * 7919) % ITEMS}`,
      location,
      reason: 'receipt',
      delta: { onHand: 1 + (n % 5) },
    };
  });
}

/** Runs `send` for every batch with CLIENTS at a time; resolves with the seconds it took. */
async function drive(batches: object[][], send: (batch: object[]) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batches.length) await send(batches[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

export function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export async function spawnHub(env: Record<string, string>, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'start'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', CROSSDOCK_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`hub exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}

/** CPU microseconds per event each process kind used over a run, accepted through applied. */
type CpuPerEvent = Record<'api' | 'workers' | 'postgres' | 'nats', number>;
interface HubRun {
  acceptedPerSec: number;
  appliedPerSec: number;
  meanBatch: number;
  cpu: CpuPerEvent;
}

/** The benchmark network's locations and channels (each benchmark adds what it needs). */
export const BENCH_NETWORK = [
  'locations:',
  '  DAL: { name: Dallas, authority: wms-dal }',
  '  ATL: { name: Atlanta, authority: wms-atl }',
  'channels:',
  '  amazon: { locations: [DAL], allocation: { percent: 80 } }',
  '  b2b: { locations: [DAL, ATL] }',
];

export interface BenchCluster {
  api: { child: ChildProcess; url: string };
  workers: { child: ChildProcess; url: string }[];
  log: JetStreamEventLog;
  /** Starts one more worker process in the namespace (`nodeArgs`: for profiling, say). */
  addWorker(nodeArgs?: string[]): Promise<{ child: ChildProcess; url: string }>;
  /** Stops the processes and removes the namespace (schema and stream) and the data folder. */
  close(): Promise<void>;
}

/** One api process and `workers` worker processes of the real command, in a namespace of their own, with `config` (YAML lines). */
export async function startCluster(config: string[], workers: number): Promise<BenchCluster> {
  const namespace = `bench_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-scale-'));
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, config.join('\n'));
  const env = (role: string) => ({
    CROSSDOCK_BACKEND: 'scale-out',
    CROSSDOCK_ROLE: role,
    CROSSDOCK_NAMESPACE: namespace,
    DATABASE_URL,
    NATS_URL,
    CROSSDOCK_CONFIG: file,
    CROSSDOCK_ADMIN_KEY: KEY,
    CROSSDOCK_DATA_DIR: dir,
  });
  const api = await spawnHub(env('api'));
  const workerProcs: { child: ChildProcess; url: string }[] = [];
  for (let i = 0; i < workers; i++) workerProcs.push(await spawnHub(env('worker')));
  const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
  return {
    api,
    workers: workerProcs,
    log,
    async addWorker(nodeArgs: string[] = []) {
      const w = await spawnHub(env('worker'), nodeArgs);
      workerProcs.push(w);
      return w;
    },
    async close() {
      for (const p of [api, ...workerProcs]) p.child.kill('SIGTERM');
      await log.destroy();
      await log.close();
      await dropSchema(DATABASE_URL, namespace);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The ingest benchmarks' network: the shared one plus a web channel with safety stock. */
const INGEST_NETWORK = [...BENCH_NETWORK, '  web: { locations: [DAL, ATL], safetyStock: 2 }'];

/** Posts the run's events through the api in batches from CLIENTS at a time, each batch checked accepted in full; resolves with the seconds it took. */
function postEvents(apiUrl: string, run: string): Promise<number> {
  const batches = chunk(events(run), BATCH).map((b) => JSON.stringify(b));
  return drive(batches as never, async (body) => {
    const res = await fetch(`${apiUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: body as unknown as string,
    });
    const answer = (await res.json()) as { accepted: number };
    if (res.status !== 200 || answer.accepted !== BATCH) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  });
}

/** Resolves once the workers have finished every entry of the log. */
async function drained(log: JetStreamEventLog): Promise<void> {
  while ((await log.pending('apply')) > 0) await new Promise((r) => setTimeout(r, 20));
}

/** The workers' mean events per transaction, from their metrics. */
async function meanBatchOf(workers: readonly { url: string }[]): Promise<number> {
  let entries = 0,
    txs = 0;
  for (const w of workers) {
    entries += await metric(w.url, 'crossdock_worker_entries_total{outcome="applied"}');
    txs += await metric(w.url, 'crossdock_worker_batch_seconds_count');
  }
  return entries / Math.max(1, txs);
}

async function hubRun(workers: number): Promise<HubRun> {
  const cluster = await startCluster(INGEST_NETWORK, workers);
  const { api, log } = cluster;
  const workerProcs = cluster.workers;
  const run = `ingest-${randomBytes(3).toString('hex')}`;
  try {
    const groups = {
      api: { pids: [api.child.pid!] },
      workers: { pids: workerProcs.map((w) => w.child.pid!) },
      postgres: { command: 'postgres' },
      nats: { command: 'nats-server' },
    };
    const cpuBefore = cpuSeconds(groups);
    const perEvent = (): CpuPerEvent => {
      const used = cpuUsedBetween(cpuBefore, cpuSeconds(groups));
      return {
        api: (used.api! * 1e6) / EVENTS,
        workers: workers === 0 ? 0 : (used.workers! * 1e6) / EVENTS,
        postgres: (used.postgres! * 1e6) / EVENTS,
        nats: (used.nats! * 1e6) / EVENTS,
      };
    };
    const started = performance.now();
    const seconds = await postEvents(api.url, run);
    if (workers === 0) return { acceptedPerSec: EVENTS / seconds, appliedPerSec: NaN, meanBatch: NaN, cpu: perEvent() };
    await drained(log);
    const applied = (performance.now() - started) / 1000;
    return { acceptedPerSec: EVENTS / seconds, appliedPerSec: EVENTS / applied, meanBatch: await meanBatchOf(workerProcs), cpu: perEvent() };
  } finally {
    await cluster.close();
  }
}

interface BacklogRun {
  appliedPerSec: number;
  meanBatch: number;
  cpu: Omit<CpuPerEvent, 'api'>;
}

/**
 * Applied from a backlog: the events are accepted first with no worker running, then `workers`
 * start and apply them with nothing else loading the machine, as pgbench runs alone. The rate is
 * taken from the first entry finished to the last, so process start-up is not in it.
 */
async function backlogRun(workers: number): Promise<BacklogRun> {
  const cluster = await startCluster(INGEST_NETWORK, 0);
  const { api, log } = cluster;
  const run = `backlog-${randomBytes(3).toString('hex')}`;
  try {
    await postEvents(api.url, run);
    for (let i = 0; i < workers; i++) await cluster.addWorker();
    const groups = { workers: { pids: cluster.workers.map((w) => w.child.pid!) }, postgres: { command: 'postgres' }, nats: { command: 'nats-server' } };
    const pendingNow = () => log.pending('apply').catch(() => Number.POSITIVE_INFINITY);
    let initial = await pendingNow();
    while (!Number.isFinite(initial)) {
      await new Promise((r) => setTimeout(r, 5));
      initial = await pendingNow();
    }
    let fromPending = initial;
    while (fromPending >= initial) {
      await new Promise((r) => setTimeout(r, 5));
      fromPending = await pendingNow();
    }
    const started = performance.now();
    const cpuBefore = cpuSeconds(groups);
    while ((await pendingNow()) > 0) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    const used = cpuUsedBetween(cpuBefore, cpuSeconds(groups));
    return {
      appliedPerSec: fromPending / seconds,
      meanBatch: await meanBatchOf(cluster.workers),
      cpu: { workers: (used.workers! * 1e6) / fromPending, postgres: (used.postgres! * 1e6) / fromPending, nats: (used.nats! * 1e6) / fromPending },
    };
  } finally {
    await cluster.close();
  }
}

/**
 * The raw JetStream client: the same bodies, message ids, batches and concurrency, every ack
 * awaited. `client`: the client's js.publish per message. `inbox`: the same messages through the
 * hub's own batch publisher (one reply inbox per process, AckedPublisher) with no HTTP, parsing or
 * state around it: the fastest publish-with-ack we know from Node, so the stricter baseline.
 * With `follow`, the same process also consumes the stream as it fills, as every api process's
 * read model does (nats-server then delivers each entry as well as storing it).
 */
async function rawPublish(mode: 'client' | 'inbox', follow = false): Promise<number> {
  // The same client settings as the hub's (no async stack traces per request).
  const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const name = `bench_raw_${randomBytes(4).toString('hex')}`;
  await jsm.streams.add({ name, subjects: [`${name}.>`], storage: StorageType.File });
  const js = jetstream(nc);
  let following: { close(): Promise<unknown> } | undefined;
  let followed = 0;
  if (follow) {
    const messages = await (await js.consumers.get(name, { deliver_policy: DeliverPolicy.All })).consume({ max_messages: 5000 });
    following = messages;
    void (async () => {
      for await (const m of messages) {
        m.string();
        followed++;
      }
    })();
  }
  try {
    return await publishAll(nc, name, (sku) => `${name}.inventory.${sku.length % 16}`, mode);
  } finally {
    if (following) {
      for (const deadline = Date.now() + 30_000; followed < EVENTS && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      await following.close();
    }
    await jsm.streams.delete(name);
    await nc.close();
  }
}

/** Publishes the benchmark's events with acks, same batches and concurrency; answers events/s. */
async function publishAll(nc: NatsConnection, run: string, subjectOf: (sku: string) => string, mode: 'client' | 'inbox'): Promise<number> {
  const js = jetstream(nc);
  const batches = chunk(events(run), BATCH);
  const publisher = new AckedPublisher(nc);
  try {
    const seconds = await drive(batches, async (batch) => {
      const messages = batch.map((e) => {
        const ev = e as { sku: string; source: string; id: string };
        return { subject: subjectOf(ev.sku), body: JSON.stringify(e), msgId: JSON.stringify([ev.source, ev.id]) };
      });
      if (mode === 'inbox') await publisher.publish(messages);
      else await Promise.all(messages.map((m) => js.publish(m.subject, m.body, { msgID: m.msgId })));
    });
    return EVENTS / seconds;
  } finally {
    publisher.close();
  }
}

/**
 * The raw client's js.publish into a running cluster's own stream while its `workers` apply what
 * arrives (and its api process follows it): the baseline that shares the two cores the way an
 * api process accepting beside working workers does.
 */
async function rawPublishBesideWorkers(workers: number): Promise<number> {
  const cluster = await startCluster(INGEST_NETWORK, workers);
  const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
  try {
    const rate = await publishAll(nc, `raw-beside-${randomBytes(3).toString('hex')}`, (sku) => cluster.log.subjectOf('inventory', sku), 'client');
    await drained(cluster.log);
    return rate;
  } finally {
    await nc.close();
    await cluster.close();
  }
}

/** pgbench running the worker's statements for one batch of `batch` events per transaction, at 32 clients. */
async function pgbench(batch: number): Promise<{ eventsPerSec: number; tps: number }> {
  const namespace = `bench_pg_${randomBytes(4).toString('hex')}`;
  const db = await openPostgres(DATABASE_URL, namespace);
  await db.pool.end();
  const state = JSON.stringify(Object.assign(new StockPosition('wms-dal', 'K-1', 'DAL').toJSON(), {}));
  const skus = `(SELECT 'K-' || ((:base + g * 7919) % ${ITEMS}) AS sku, g FROM generate_series(1, ${batch}) g)`;
  const changes = feedChangesSql(skus, batch);
  const itemsState = itemsStateSql(skus);
  const script = `\\set base random(1, 1000000000)
BEGIN;
SELECT id FROM catalog_lock WHERE id = 1 FOR SHARE;
INSERT INTO applied_event_ids (source, id, position) SELECT 'wms-dal', 'pg-' || :base || '-' || g, g FROM generate_series(1, ${batch}) g ORDER BY 2 ON CONFLICT DO NOTHING RETURNING source, id;
INSERT INTO applied_sequences (source, seq) SELECT 'pg-' || :base, g FROM generate_series(1, ${batch}) g ON CONFLICT DO NOTHING RETURNING source, seq;
INSERT INTO items (sku) SELECT sku FROM ${skus} s ORDER BY sku ON CONFLICT DO NOTHING;
SELECT sku FROM items WHERE sku IN (SELECT sku FROM ${skus} s) ORDER BY sku FOR UPDATE;
${itemsState}
INSERT INTO stock_positions (source, sku, location, state) SELECT 'wms-dal', sku, 'DAL', '${state}'::jsonb FROM ${skus} s ON CONFLICT (sku, location, source) DO UPDATE SET state = EXCLUDED.state;
${changes}
COMMIT;
`;
  const tps = await runPgbench(DATABASE_URL, namespace, script);
  return { tps, eventsPerSec: tps * batch };
}

export async function benchScaleOut(): Promise<void> {
  if (!(await reachable(DATABASE_URL, 5432)) || !(await reachable(NATS_URL, 4222))) {
    console.log(`scale-out benchmark skipped: it needs PostgreSQL at ${DATABASE_URL} and NATS at ${NATS_URL} (set DATABASE_URL / NATS_URL)`);
    return;
  }
  const alone = await hubRun(0);
  const one = await hubRun(1);
  // Each baseline twice, beside the hub runs, and averaged: this machine's speed drifts.
  const client1 = await rawPublish('client'),
    inbox1 = await rawPublish('inbox');
  const two = await hubRun(2);
  const client2 = await rawPublish('client'),
    inbox2 = await rawPublish('inbox');
  const client = (client1 + client2) / 2,
    inbox = (inbox1 + inbox2) / 2;
  const inboxFollowed = await rawPublish('inbox', true);
  const beside1 = await rawPublishBesideWorkers(1);
  const beside2 = await rawPublishBesideWorkers(2);
  const backlog1 = await backlogRun(1);
  const backlog2 = await backlogRun(2);
  const batch = Math.max(1, Math.round((one.meanBatch + two.meanBatch + backlog1.meanBatch + backlog2.meanBatch) / 4));
  const pg = await pgbench(batch);
  const accepted = (label: string, rate: number) =>
    `| accepted, ${label} | ${fmt(rate)} | ${fmt(client)} | ${fmt(rate / client, 2)} | ${fmt(inbox)} | ${fmt(rate / inbox, 2)} |`;
  const lines = [
    '## Scale-out ingest (PostgreSQL + NATS JetStream)',
    '',
    `${fmt(EVENTS)} movements over ${fmt(ITEMS)} items × 2 locations, 3 channels; one api process and 1 or 2 worker processes of the real command; ${CLIENTS} clients posting batches of ${fmt(BATCH)}. Accepted: answered, durable in JetStream. Applied: committed by the workers in PostgreSQL (inbox, positions, figures, feed).`,
    '',
    "Two publish-with-ack baselines, the same messages, message ids, batches and concurrency from one process with no HTTP: the official client's js.publish per message, and the stricter one, the same client publishing each batch through one reply inbox as the hub itself does (src/adapters/nats/acked-publisher.ts).",
    '',
    '| what | events/s | raw js.publish | ratio | raw batch inbox | ratio |',
    '|---|---:|---:|---:|---:|---:|',
    accepted('api alone (no worker running)', alone.acceptedPerSec),
    `| accepted, api alone, beside the batch-inbox publisher also following the stream (what an api process does) | ${fmt(alone.acceptedPerSec)} | | | ${fmt(inboxFollowed)} | ${fmt(alone.acceptedPerSec / inboxFollowed, 2)} |`,
    accepted('1 worker applying meanwhile', one.acceptedPerSec),
    accepted('2 workers applying meanwhile', two.acceptedPerSec),
    `| accepted, 1 worker applying meanwhile, beside js.publish into a cluster's stream while 1 worker applies it | ${fmt(one.acceptedPerSec)} | ${fmt(beside1)} | ${fmt(one.acceptedPerSec / beside1, 2)} | | |`,
    `| accepted, 2 workers applying meanwhile, beside js.publish into a cluster's stream while 2 workers apply it | ${fmt(two.acceptedPerSec)} | ${fmt(beside2)} | ${fmt(two.acceptedPerSec / beside2, 2)} | | |`,
    '',
    '| what | events/s | baseline | ratio |',
    '|---|---:|---:|---:|',
    `| applied, 1 worker (mean ${fmt(one.meanBatch)} events per transaction) | ${fmt(one.appliedPerSec)} | pgbench, worker SQL, 32 clients ${fmt(pg.eventsPerSec)} | ${fmt(one.appliedPerSec / pg.eventsPerSec, 2)} |`,
    `| applied, 2 workers (mean ${fmt(two.meanBatch)} events per transaction) | ${fmt(two.appliedPerSec)} | pgbench, worker SQL, 32 clients ${fmt(pg.eventsPerSec)} | ${fmt(two.appliedPerSec / pg.eventsPerSec, 2)} |`,
    `| applied from a backlog, 1 worker (mean ${fmt(backlog1.meanBatch)} events per transaction) | ${fmt(backlog1.appliedPerSec)} | pgbench, worker SQL, 32 clients ${fmt(pg.eventsPerSec)} | ${fmt(backlog1.appliedPerSec / pg.eventsPerSec, 2)} |`,
    `| applied from a backlog, 2 workers (mean ${fmt(backlog2.meanBatch)} events per transaction) | ${fmt(backlog2.appliedPerSec)} | pgbench, worker SQL, 32 clients ${fmt(pg.eventsPerSec)} | ${fmt(backlog2.appliedPerSec / pg.eventsPerSec, 2)} |`,
    '',
    'The first two applied rows run from the first event posted to the last applied, while the api process is still accepting on the same two cores; the backlog rows accept every event first, then start the workers and time them from the first entry they finish to the last, with the machine otherwise idle as it is for pgbench: the like-for-like comparison.',
    '',
    'CPU per event, from /proc, each process kind over the whole run (accepted through applied); the machine has 2 cores, so the rates above are bound by the sum:',
    '',
    '| run | api | workers | PostgreSQL | nats-server | sum (µs of CPU per event) |',
    '|---|---:|---:|---:|---:|---:|',
    ...(
      [
        ['api alone', alone],
        ['1 worker', one],
        ['2 workers', two],
      ] as const
    ).map(
      ([label, r]) =>
        `| ${label} | ${fmt(r.cpu.api, 1)} | ${fmt(r.cpu.workers, 1)} | ${fmt(r.cpu.postgres, 1)} | ${fmt(r.cpu.nats, 1)} | ${fmt(r.cpu.api + r.cpu.workers + r.cpu.postgres + r.cpu.nats, 1)} |`,
    ),
    ...(
      [
        ['backlog, 1 worker (applying only)', backlog1],
        ['backlog, 2 workers (applying only)', backlog2],
      ] as const
    ).map(
      ([label, r]) =>
        `| ${label} | | ${fmt(r.cpu.workers, 1)} | ${fmt(r.cpu.postgres, 1)} | ${fmt(r.cpu.nats, 1)} | ${fmt(r.cpu.workers + r.cpu.postgres + r.cpu.nats, 1)} |`,
    ),
    '',
    `pgbench ran the worker's statements for a batch of ${fmt(batch)} events per transaction (the workers' mean) at ${fmt(pg.tps, 1)} transactions/s. Raw publish: the mean of two runs of each kind beside the hub runs; the follower variant and the runs into a cluster's stream once each, after them (those publish into the stream of a running api process and its workers, which apply every event as they would the api's, so the baseline shares the cores as the hub does). On two cores the api process, the workers, nats-server and PostgreSQL share the CPU (the table above says how): every worker applying at the same time takes its share from the api, and PostgreSQL running the workers' statements is the largest share. Targets: accepted ≥ 80% of raw publish-with-ack, applied ≥ 70% of pgbench. Order captures: see the next section.`,
  ];
  console.log(lines.join('\n'));
  writeSection('scale-out', lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await benchScaleOut();
