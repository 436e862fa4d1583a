/**
 * A real cluster on loopback: two api and two worker processes of the `crossdock` command against
 * the local PostgreSQL and NATS. Movements go in through both api processes (with repeats), one
 * worker is killed with SIGKILL half-way, and at the end every event has been applied exactly
 * once: the shared figures, and both api processes' read models, equal an oracle. An api process
 * is killed too, and its replacement rebuilds its read model from the stream; a storefront fed by
 * the workers ends with every figure, each update applied once. Orders are captured through both
 * api processes meanwhile, on a few hot items: some cancelled at once (the ERP's feed gets each
 * cancellation once), then a storm while the ERP is down (queued, committed later by whichever
 * worker survives), then one with every request repeated through the other api process: no item
 * is oversold, and the ERP holds exactly one order per accepted hub order. Twenty of the orders
 * are released and shipped through both api processes while the worker dies (some shipments
 * before their release): each ships once, its stock stops being held once the warehouse shows it
 * leaving, the Dallas warehouse gets each fulfilment request once and the storefront each shipment
 * confirmation once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { killHard, runCliSync, spawnHub, stopGracefully, type HubProcess } from './support/hub-process.js';
import { ADMIN_KEY, apiClient, movement, tempDataDir } from './support/test-hub.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { JetStreamEventLog } from '../src/adapters/nats/jetstream-event-log.js';
import { WebhookReceiver } from '../sim/webhook-receiver.js';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { assertPlacedOnceEach } from './support/erp-placements.js';

const SKUS = 200;
const HOT = ['HOT-0', 'HOT-1', 'HOT-2', 'HOT-3'];
const HOT_STOCK = 50;
const BATCHES = 40;
const PER_BATCH = 250;

test('two api and two worker processes: a worker and an api process killed mid-stream lose nothing and apply nothing twice', {
  skip: await skipReason(scaleOut),
  timeout: 180_000,
}, async (t) => {
  const namespace = `t_cluster_${randomBytes(4).toString('hex')}`;
  const dir = tempDataDir();
  const configFile = join(dir, 'cluster.yaml');
  const storefront = new WebhookReceiver();
  const storefrontUrl = await storefront.start();
  const erp = new ErpSimulator();
  const erpUrl = await erp.start();
  // The ERP's order feed: cancellations reach it through the order lane of the delivery engine.
  const erpFeed = new WebhookReceiver();
  const erpFeedUrl = await erpFeed.start();
  // The Dallas warehouse's system: released orders reach it as fulfilment requests.
  const wms = new WebhookReceiver();
  const wmsUrl = await wms.start();
  writeFileSync(
    configFile,
    [
      'locations:',
      '  DAL: { name: Dallas DC, authority: wms-dal }',
      '  ATL: { name: Atlanta DC, authority: wms-atl }',
      'channels:',
      '  all: { locations: [DAL, ATL] }',
      '  dal: { locations: [DAL] }',
      'systems:',
      `  storefront: { type: webhook, url: '${storefrontUrl}', channel: all, batchSize: 500 }`,
      `  erp: { type: webhook, url: '${erpFeedUrl}', receives: [order.cancel] }`,
      `  wms-dal: { type: webhook, url: '${wmsUrl}', receives: [fulfilment.request] }`,
      // Generous: the 40 orders before the outage must be taken (201) even on a loaded machine; the
      // outage answers 503 at once, so the storm does not wait on it.
      `erp: { url: '${erpUrl}', timeoutMs: 3000, retryBaseMs: 100, retryMaxMs: 500 }`,
      'customers:',
      '  C-1: { name: Lone Star Plumbing, active: true, creditHold: false }',
      'scaleOut:',
      '  ackWaitSeconds: 2',
      '  batchesInFlight: 3',
      // Five hub processes at once here, and another suite may run beside this one: stay well under max_connections.
      '  connections: 10',
    ].join('\n'),
  );
  const env = (role: string) => ({
    CROSSDOCK_BACKEND: 'scale-out',
    CROSSDOCK_ROLE: role,
    CROSSDOCK_NAMESPACE: namespace,
    DATABASE_URL,
    NATS_URL,
    CROSSDOCK_CONFIG: configFile,
    CROSSDOCK_ADMIN_KEY: ADMIN_KEY,
    CROSSDOCK_DATA_DIR: dir,
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
    const batches = Array.from({ length: BATCHES }, (_, b) =>
      Array.from({ length: PER_BATCH }, (_, i) => {
        const n = b * PER_BATCH + i;
        const [source, location] = n % 2 === 0 ? ['wms-dal', 'DAL'] : ['wms-atl', 'ATL'];
        const sku = `K-${n % SKUS}`;
        const delta = 1 + (n % 7);
        oracle.set(`${sku}@${location}`, (oracle.get(`${sku}@${location}`) ?? 0) + delta);
        return movement({ source, seq: n + 1, id: `${source}-${n + 1}`, sku, location, delta: { onHand: delta }, reason: 'receipt' });
      }),
    );

    let accepted = 0,
      duplicates = 0,
      highest = 0;
    const send = async (k: number, events: object[]) => {
      const res = await apis[k % 2]!('POST', '/v1/events', events);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      accepted += res.body.accepted;
      duplicates += res.body.duplicates;
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
    // Orders: a client that retries a 503 (workers catching up after the kill) with the same key, as the API asks.
    const answers = new Map<string, { status: number; id?: string; type?: string }>();
    const capture = async (api: number, n: number) => {
      const body = { channel: 'all', externalId: `CL-${n}`, customer: 'C-1', lines: [{ sku: HOT[n % HOT.length]!, qty: 1 }] };
      for (let attempt = 0; ; attempt++) {
        const res = await apis[api % 2]!('POST', '/v1/orders', body, { headers: { 'idempotency-key': `cluster-${n}` } });
        if ((res.status === 503 || (res.status === 409 && res.body.type === 'urn:crossdock:problem:idempotency_key_in_use')) && attempt < 50) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const answer = { status: res.status, ...(res.body.id ? { id: res.body.id } : {}), ...(res.body.type ? { type: res.body.type } : {}) };
        const earlier = answers.get(body.externalId);
        if (earlier) assert.deepEqual(answer, earlier, `the same key answers the same through either api process (${body.externalId})`);
        answers.set(body.externalId, answer);
        return;
      }
    };
    const stocked = await apis[0]!(
      'POST',
      '/v1/events',
      HOT.map((sku, i) => ({
        id: `hot-stock-${i}`,
        type: 'inventory.snapshot',
        source: 'wms-dal',
        seq: 1_000_000 + i,
        occurredAt: '2026-11-22T10:00:00Z',
        sku,
        location: 'DAL',
        balance: { onHand: HOT_STOCK, qualityHold: 0, damaged: 0 },
      })),
    );
    assert.equal(stocked.body.accepted, HOT.length);

    const round = async (from: number, to: number) => {
      for (let b = from; b < to; b += 4) {
        await Promise.all(batches.slice(b, b + 4).map((events, k) => send(b + k, events)));
        // Every other round repeats an earlier batch through the other api process.
        if (b % 8 === 0) await send(b + 1, batches[b]!);
      }
    };
    // 40 orders with the ERP up (10 of each item), half of them cancelled at once through either
    // api process: their stock comes back, and the ERP is sent a cancellation for each.
    await Promise.all(Array.from({ length: 40 }, (_, n) => capture(n, n)));
    const cancelledIds: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const id = answers.get(`CL-${n}`)!.id!;
        const res = await apis[n % 2]!('POST', `/v1/orders/${id}/cancel`, { reason: 'changed their mind' });
        assert.equal(res.body.status, 'cancelled', JSON.stringify(res.body));
        cancelledIds.push(id);
      }),
    );
    // Storm A while the ERP is down: every order is accepted and queued (45 of each item's 50 held then).
    erp.faults.outage = true;
    await Promise.all([round(0, 16), ...Array.from({ length: 160 }, (_, k) => capture(k, 40 + k))]);
    for (let n = 0; n < 40; n++) assert.equal(answers.get(`CL-${n}`)?.status, 201, `CL-${n} taken: ${JSON.stringify(answers.get(`CL-${n}`))}`);
    for (let n = 40; n < 200; n++) assert.equal(answers.get(`CL-${n}`)?.status, 202, `CL-${n} queued: ${JSON.stringify(answers.get(`CL-${n}`))}`);
    // The 20 orders taken with the ERP up and not cancelled are released and shipped while a worker
    // freezes and dies: release, shipment and the warehouse's ship movement (carrying the order id)
    // each sent through both api processes, the shipment before the release for every other order.
    const shippedIds = Array.from({ length: 20 }, (_, n) => answers.get(`CL-${20 + n}`)!.id!);
    let orderEventsAccepted = 0;
    const fulfil = async (k: number) => {
      const id = shippedIds[k]!;
      const sku = HOT[(20 + k) % HOT.length]!;
      const at = '2026-11-22T12:00:00Z';
      const released = { id: `erp-rel-${k}`, type: 'order.released', source: 'erp-main', seq: 3_000_000 + k, occurredAt: at, orderId: id };
      const shipped = {
        id: `wms-ship-${k}`,
        type: 'order.shipped',
        source: 'wms-dal',
        seq: 2_000_000 + 2 * k,
        occurredAt: at,
        orderId: id,
        location: 'DAL',
        lines: [{ sku, qty: 1 }],
      };
      const left = {
        ...movement({ source: 'wms-dal', seq: 2_000_001 + 2 * k, id: `wms-left-${k}`, sku, location: 'DAL', reason: 'ship', delta: { onHand: -1 } }),
        orderId: id,
      };
      const events = k % 2 === 0 ? [released, shipped, left] : [shipped, left, released];
      for (const api of [k % 2, (k + 1) % 2]) {
        const res = await apis[api]!('POST', '/v1/events', events);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        orderEventsAccepted += res.body.accepted;
      }
    };
    // Freeze worker 1 with its pull outstanding: entries handed to it stay unacknowledged.
    worker1.child.kill('SIGSTOP');
    await Promise.all([round(16, 32), ...shippedIds.map((_, k) => fulfil(k))]);
    assert.equal(orderEventsAccepted, shippedIds.length * 3, 'each order event accepted once, its repeat a duplicate');
    const frozen = await waitFor('worker 2 has done all it can and worker 1 holds the rest', (p) => p.pending === 0 && p.held > 0);
    t.diagnostic(`entries held by the frozen worker when it was killed: ${frozen.held}`);
    await killHard(worker1);
    // An api process dies too; its replacement rebuilds its read model from the stream.
    await killHard(killedApi);
    const api3 = await spawnHub(env('api'));
    processes.push(api3);
    apis[1] = apiClient(api3.url);
    erp.faults.outage = false;
    // Storm B, each order sent through both api processes: 5 of each item's last units remain.
    await Promise.all([round(32, BATCHES), ...Array.from({ length: 160 }, (_, k) => [capture(k, 200 + k), capture(k + 1, 200 + k)]).flat()]);
    // Worker 2 gets worker 1's entries once their ack wait (2 s) runs out.
    await waitFor('every entry is applied', (p) => p.pending === 0 && p.held === 0);
    const survivor = (await (await fetch(`${worker2.url}/healthz`)).json()) as { status: string; position: number };
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
      assert.equal(applied.rows[0].n, BATCHES * PER_BATCH + HOT.length + shippedIds.length * 3, 'each event in the inbox once');
      const dead = await db.query(`SELECT count(*)::int AS n FROM ${namespace}.dead_entries`);
      assert.equal(dead.rows[0].n, 0);
      const figures = await db.query(`SELECT channel, sku, available::int AS available FROM ${namespace}.channel_figures`);
      const shared = new Map(figures.rows.map((r: { channel: string; sku: string; available: number }) => [`${r.channel}/${r.sku}`, r.available]));
      for (const sku of skus) {
        assert.equal(shared.get(`all/${sku}`) ?? 0, expected(sku).all, `shared figure of ${sku} on 'all'`);
        assert.equal(shared.get(`dal/${sku}`) ?? 0, expected(sku).dal, `shared figure of ${sku} on 'dal'`);
      }
      // The change feed replays to the same figures: last change per item = the figure.
      const feed = await db.query(
        `SELECT DISTINCT ON (sku) sku, available::int AS available FROM ${namespace}.channel_changes WHERE channel = 'all' ORDER BY sku, cursor DESC`,
      );
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
    for (const deadline = Date.now() + 60_000; ; ) {
      const last = lastFigure();
      if (skus.every((sku) => last.get(sku) === expected(sku).all)) break;
      assert.ok(Date.now() < deadline, `the storefront holds every figure: ${skus.filter((sku) => last.get(sku) !== expected(sku).all).length} differ`);
      await new Promise((r) => setTimeout(r, 100));
    }
    t.diagnostic(`storefront: ${storefront.applied.size} updates applied, ${storefront.duplicates} repeats ignored by idempotency key`);
    // Orders: exactly the stock was sold (cancelled orders gave theirs back), every accepted order
    // is in the ERP once, the queued ones committed by the surviving worker.
    const taken = [...answers.values()].filter((a) => a.status === 201 || a.status === 202);
    const refused = [...answers.values()].filter((a) => a.status === 409);
    assert.equal(taken.length, HOT.length * HOT_STOCK + cancelledIds.length, 'no oversell, no undersell');
    assert.equal(refused.length, answers.size - taken.length);
    assert.ok(
      refused.every((a) => a.type === 'urn:crossdock:problem:insufficient_stock'),
      JSON.stringify(refused.slice(0, 3)),
    );
    const orderDb = new pg.Client({ connectionString: DATABASE_URL });
    await orderDb.connect();
    try {
      for (const deadline = Date.now() + 60_000; ; ) {
        const pending = await orderDb.query(`SELECT count(*)::int AS n FROM ${namespace}.orders WHERE erp_state <> 'committed'`);
        if (pending.rows[0].n === 0) break;
        assert.ok(Date.now() < deadline, `${pending.rows[0].n} orders still wait for the ERP`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // What shipped and was seen leaving is held no more (5 of each item): the rest is.
      const reserved = await orderDb.query(`SELECT sku, units::int AS units FROM ${namespace}.reserved_stock WHERE sku LIKE 'HOT-%' ORDER BY sku`);
      assert.deepEqual(
        reserved.rows,
        HOT.map((sku) => ({ sku, units: HOT_STOCK - shippedIds.length / HOT.length })),
      );
      const statuses = await orderDb.query(`SELECT status, count(*)::int AS n FROM ${namespace}.orders WHERE id = ANY($1::text[]) GROUP BY status`, [
        shippedIds,
      ]);
      assert.deepEqual(statuses.rows, [{ status: 'shipped', n: shippedIds.length }]);
    } finally {
      await orderDb.end();
    }
    assertPlacedOnceEach(
      erp,
      taken.map((a) => String(a.id)),
    );
    t.diagnostic(
      `orders: ${taken.length} accepted, ${cancelledIds.length} of them cancelled, ${refused.length} refused; ERP placements ${erp.calls.place}, lookups ${erp.calls.find}`,
    );
    // Every cancellation reached the ERP's feed, each applied once, though a worker died meanwhile.
    await receivedOnce(erpFeed, 'order.cancel', cancelledIds, 'cancellations reached the ERP');
    // Every release reached the warehouse that runs DAL once, as a fulfilment request.
    await receivedOnce(wms, 'fulfilment.request', shippedIds, 'fulfilment requests reached the warehouse');
    // Every shipment reached the storefront once.
    await receivedOnce(storefront, 'shipment.confirmed', shippedIds, 'shipment confirmations reached the storefront');
    // Both api processes' read models (one of them rebuilt after a crash) show the same figures once they reach the last position.
    for (const api of apis) {
      for (;;) {
        const res = await api('POST', '/v1/availability/query', { channel: 'all', skus: [...skus, ...HOT] });
        if (res.body.position >= highest) {
          for (const item of res.body.items as { sku: string; available: number }[]) {
            assert.equal(item.available, HOT.includes(item.sku) ? 0 : expected(item.sku).all, `read model figure of ${item.sku}`);
          }
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    // The whole shared log, replayed into a fresh read model, matches what the workers wrote.
    const verify = runCliSync(['replay', '--verify'], env('api'));
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /the ledger matches the log/);
    t.diagnostic(verify.stdout.split('\n')[0]!);
  } finally {
    await Promise.all(processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => stopGracefully(p)));
    await log.destroy();
    await log.close();
    await dropSchema(DATABASE_URL, namespace);
    await storefront.close();
    await erp.close();
    await erpFeed.close();
    await wms.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Waits until `receiver` has applied one `topic` message for each of `keys`, and no other. */
async function receivedOnce(receiver: WebhookReceiver, topic: string, keys: readonly string[], what: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; ; ) {
    const got = [...receiver.applied.values()]
      .filter((m) => m.topic === topic)
      .map((m) => m.key)
      .sort();
    if (got.length >= keys.length) {
      assert.deepEqual(got, [...keys].sort());
      return;
    }
    assert.ok(Date.now() < deadline, `${got.length} of ${keys.length} ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
