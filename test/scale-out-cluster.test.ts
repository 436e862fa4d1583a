/**
 * A real cluster on loopback: two api and two worker processes of the `crossdock` command against
 * the local PostgreSQL and NATS. Movements go in through both api processes (with repeats), one
 * worker is killed with SIGKILL half-way, and at the end every event has been applied exactly
 * once: the shared figures, and both api processes' read models, equal an oracle. An api process
 * is killed too, and its replacement rebuilds its read model from the stream; a storefront fed by
 * the workers ends with every figure, each update applied once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { killHard, spawnHub, stopGracefully, type HubProcess } from './support/hub-process.js';
import { ADMIN_KEY, apiClient, movement, tempDataDir } from './support/test-hub.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { JetStreamEventLog } from '../src/adapters/nats/jetstream-event-log.js';
import { WebhookReceiver } from '../sim/webhook-receiver.js';

const SKUS = 200;
const BATCHES = 40;
const PER_BATCH = 250;

test('two api and two worker processes: a worker and an api process killed mid-stream lose nothing and apply nothing twice', { skip: await skipReason(scaleOut), timeout: 180_000 }, async (t) => {
  const namespace = `t_cluster_${randomBytes(4).toString('hex')}`;
  const dir = tempDataDir();
  const configFile = join(dir, 'cluster.yaml');
  const storefront = new WebhookReceiver();
  const storefrontUrl = await storefront.start();
  writeFileSync(configFile, [
    'locations:',
    '  DAL: { name: Dallas DC, authority: wms-dal }',
    '  ATL: { name: Atlanta DC, authority: wms-atl }',
    'channels:',
    '  all: { locations: [DAL, ATL] }',
    '  dal: { locations: [DAL] }',
    'systems:',
    `  storefront: { type: webhook, url: '${storefrontUrl}', channel: all, batchSize: 500 }`,
    'scaleOut:',
    '  ackWaitSeconds: 2',
  ].join('\n'));
  const env = (role: string) => ({
    CROSSDOCK_BACKEND: 'scale-out', CROSSDOCK_ROLE: role, CROSSDOCK_NAMESPACE: namespace,
    DATABASE_URL, NATS_URL, CROSSDOCK_CONFIG: configFile, CROSSDOCK_ADMIN_KEY: ADMIN_KEY, CROSSDOCK_DATA_DIR: dir,
  });
  const processes: HubProcess[] = [];
  const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
  try {
    const api1 = await spawnHub(env('api'));
    processes.push(api1);
    const api2 = await spawnHub(env('api'));
    const worker1 = await spawnHub(env('worker'));
    const worker2 = await spawnHub(env('worker'));
    processes.push(api2, worker1, worker2);
    const apis = [apiClient(api1.url), apiClient(api2.url)];
    const killedApi = api2;

    // The oracle: what each item × location should hold once every distinct event applied once.
    const oracle = new Map<string, number>();
    const batches = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: PER_BATCH }, (_, i) => {
      const n = b * PER_BATCH + i;
      const [source, location] = n % 2 === 0 ? ['wms-dal', 'DAL'] : ['wms-atl', 'ATL'];
      const sku = `K-${n % SKUS}`;
      const delta = 1 + (n % 7);
      oracle.set(`${sku}@${location}`, (oracle.get(`${sku}@${location}`) ?? 0) + delta);
      return movement({ source, seq: n + 1, id: `${source}-${n + 1}`, sku, location, delta: { onHand: delta }, reason: 'receipt' });
    }));

    let accepted = 0, duplicates = 0, highest = 0;
    const send = async (k: number, events: object[]) => {
      const res = await apis[k % 2]!('POST', '/v1/events', events);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      accepted += res.body.accepted; duplicates += res.body.duplicates;
      highest = Math.max(highest, res.body.position);
    };
    const waitFor = async (what: string, done: (p: { pending: number; held: number }) => boolean) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const info = await log.consumerState('apply');
        if (done(info)) return info;
        assert.ok(Date.now() < deadline, `timed out waiting until ${what}: ${JSON.stringify(info)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const round = async (from: number, to: number) => {
      for (let b = from; b < to; b += 4) {
        await Promise.all(batches.slice(b, b + 4).map((events, k) => send(b + k, events)));
        // Every other round repeats an earlier batch through the other api process.
        if (b % 8 === 0) await send(b + 1, batches[b]!);
      }
    };
    await round(0, 16);
    // Freeze worker 1 with its pull outstanding: entries handed to it stay unacknowledged.
    worker1.child.kill('SIGSTOP');
    await round(16, 32);
    const frozen = await waitFor('worker 2 has done all it can and worker 1 holds the rest', (p) => p.pending === 0 && p.held > 0);
    t.diagnostic(`entries held by the frozen worker when it was killed: ${frozen.held}`);
    await killHard(worker1);
    // An api process dies too; its replacement rebuilds its read model from the stream.
    await killHard(killedApi);
    const api3 = await spawnHub(env('api'));
    processes.push(api3);
    apis[1] = apiClient(api3.url);
    await round(32, BATCHES);
    // Worker 2 gets worker 1's entries once their ack wait (2 s) runs out.
    await waitFor('every entry is applied', (p) => p.pending === 0 && p.held === 0);
    const survivor = await (await fetch(`${worker2.url}/healthz`)).json() as { status: string; position: number };
    assert.equal(survivor.status, 'ok');
    assert.ok(survivor.position > 0, 'a worker reports how far it has applied');
    assert.equal(accepted, BATCHES * PER_BATCH, 'every distinct event accepted once');
    assert.equal(duplicates, (BATCHES / 8) * PER_BATCH, 'every repeat answered as a duplicate');

    const expected = (sku: string) => ({ all: (oracle.get(`${sku}@DAL`) ?? 0) + (oracle.get(`${sku}@ATL`) ?? 0), dal: oracle.get(`${sku}@DAL`) ?? 0 });
    const skus = Array.from({ length: SKUS }, (_, i) => `K-${i}`);
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    try {
      const applied = await db.query(`SELECT count(*)::int AS n FROM ${namespace}.applied_event_ids`);
      assert.equal(applied.rows[0].n, BATCHES * PER_BATCH, 'each event in the inbox once');
      const dead = await db.query(`SELECT count(*)::int AS n FROM ${namespace}.dead_entries`);
      assert.equal(dead.rows[0].n, 0);
      const figures = await db.query(`SELECT channel, sku, available::int AS available FROM ${namespace}.channel_figures`);
      const shared = new Map(figures.rows.map((r: { channel: string; sku: string; available: number }) => [`${r.channel}/${r.sku}`, r.available]));
      for (const sku of skus) {
        assert.equal(shared.get(`all/${sku}`) ?? 0, expected(sku).all, `shared figure of ${sku} on 'all'`);
        assert.equal(shared.get(`dal/${sku}`) ?? 0, expected(sku).dal, `shared figure of ${sku} on 'dal'`);
      }
      // The change feed replays to the same figures: last change per item = the figure.
      const feed = await db.query(`SELECT DISTINCT ON (sku) sku, available::int AS available FROM ${namespace}.channel_changes WHERE channel = 'all' ORDER BY sku, cursor DESC`);
      for (const r of feed.rows as { sku: string; available: number }[]) assert.equal(r.available, expected(r.sku).all);
      const cursors = await db.query(`SELECT count(*)::int AS n, max(cursor)::int AS last FROM ${namespace}.channel_changes WHERE channel = 'all'`);
      assert.equal(cursors.rows[0].n, cursors.rows[0].last, 'feed cursors are dense');
    } finally {
      await db.end();
    }
    // The storefront ends with every item's figure, each message applied once, though the
    // worker that held its lease died mid-stream.
    const lastFigure = () => {
      const last = new Map<string, number>();
      for (const m of storefront.applied.values()) last.set(m.key, (m.payload as { available: number }).available);
      return last;
    };
    for (const deadline = Date.now() + 60_000; ;) {
      const last = lastFigure();
      if (skus.every((sku) => last.get(sku) === expected(sku).all)) break;
      assert.ok(Date.now() < deadline, `the storefront holds every figure: ${skus.filter((sku) => last.get(sku) !== expected(sku).all).length} differ`);
      await new Promise((r) => setTimeout(r, 100));
    }
    t.diagnostic(`storefront: ${storefront.applied.size} updates applied, ${storefront.duplicates} repeats ignored by idempotency key`);
    // Both api processes' read models (one of them rebuilt after a crash) show the same figures once they reach the last position.
    for (const api of apis) {
      for (;;) {
        const res = await api('POST', '/v1/availability/query', { channel: 'all', skus });
        if (res.body.position >= highest) {
          for (const item of res.body.items as { sku: string; available: number }[]) assert.equal(item.available, expected(item.sku).all, `read model figure of ${item.sku}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    await Promise.all(processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => stopGracefully(p)));
    await log.destroy();
    await log.close();
    await dropSchema(DATABASE_URL, namespace);
    await storefront.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
