/**
 * PostgreSQL dropping every connection of the namespace again and again (a restart, a failover)
 * while one api and two worker processes take movements and orders: no process dies, every
 * accepted event is applied exactly once, captures refused with 503 and retried with their key
 * end as one order each (and one ERP order each), and the figures equal an oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { spawnHub, stopGracefully, type HubProcess } from './support/hub-process.js';
import { ADMIN_KEY, apiClient, movement, tempDataDir } from './support/test-hub.js';
import { until } from './support/until.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { JetStreamEventLog } from '../src/adapters/nats/jetstream-event-log.js';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { assertPlacedOnceEach } from './support/erp-placements.js';

const SKUS = 50;
const BATCHES = 32;
const PER_BATCH = 400;
const ORDERS = 40;

test('connections cut again and again mid-stream: no process dies, every event applies once, every retried capture is one order', {
  skip: await skipReason(scaleOut),
  timeout: 180_000,
}, async (t) => {
  const namespace = `t_pgcut_${randomBytes(4).toString('hex')}`;
  const dir = tempDataDir();
  const configFile = join(dir, 'hub.yaml');
  const erp = new ErpSimulator();
  const erpUrl = await erp.start();
  writeFileSync(
    configFile,
    [
      'locations:',
      '  DAL: { name: Dallas DC, authority: wms-dal }',
      'channels:',
      '  web: { locations: [DAL], onErpUnavailable: queue }',
      'customers:',
      '  C-1: { name: Lone Star Plumbing, active: true, creditHold: false }',
      `erp: { url: '${erpUrl}', timeoutMs: 500, retryBaseMs: 100, retryMaxMs: 500 }`,
      'scaleOut:',
      '  ackWaitSeconds: 2',
      '  connections: 8',
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
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  const processes: HubProcess[] = [];
  const exits: string[] = [];
  let cutting: NodeJS.Timeout | undefined;
  const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
  try {
    for (const role of ['api', 'worker', 'worker']) {
      const p = await spawnHub(env(role));
      p.child.on('exit', (code, signal) => exits.push(`${role} exited (${code ?? signal}): ${p.stderr().slice(-2000)}`));
      processes.push(p);
    }
    const api = apiClient(processes[0]!.url);

    let cuts = 0,
      cutConnections = 0;
    cutting = setInterval(() => {
      admin.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name LIKE $1`, [`crossdock ${namespace}%`]).then(
        (r) => {
          cuts++;
          cutConnections += r.rows[0].n as number;
        },
        () => {},
      );
    }, 200);

    // Movements: every batch sent until it is answered 200 (a 503 says nothing was taken, and a
    // repeat of what was taken is a duplicate), four senders at once.
    const batches = Array.from({ length: BATCHES }, (_, b) =>
      Array.from({ length: PER_BATCH }, (_, i) => {
        const n = b * PER_BATCH + i;
        return movement({ source: 'wms-dal', seq: n + 1, id: `cut-${n}`, sku: `CUT-${n % SKUS}`, location: 'DAL', delta: { onHand: 1 }, reason: 'receipt' });
      }),
    );
    let refusedBatches = 0,
      next = 0;
    const send = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        for (;;) {
          const r = await api('POST', '/v1/events', batch);
          if (r.status === 200) break;
          assert.equal(r.status, 503, `a refused batch is 503, got ${r.status}: ${JSON.stringify(r.body)}`);
          refusedBatches++;
          await new Promise((res) => setTimeout(res, 50));
        }
      }
    };
    // Orders for one unit of CUT-0 each, every one retried with its key until it is answered.
    const orderIds = new Map<string, string>();
    let refusedCaptures = 0;
    const capture = async (k: number) => {
      const key = `cut-order-${k}`;
      for (;;) {
        const r = await api(
          'POST',
          '/v1/orders',
          { channel: 'web', externalId: key, customer: 'C-1', lines: [{ sku: 'CUT-0', qty: 1 }] },
          { headers: { 'idempotency-key': key } },
        );
        if (r.status === 201 || r.status === 202) {
          orderIds.set(key, r.body.id as string);
          return;
        }
        assert.ok([503, 409].includes(r.status), `a capture is answered, refused 503 or in progress 409, got ${r.status}: ${JSON.stringify(r.body)}`);
        refusedCaptures++;
        await new Promise((res) => setTimeout(res, 50));
      }
    };
    // Stock first, so every order finds it.
    await api('POST', '/v1/events', [
      movement({ source: 'wms-dal', seq: 1_000_000, id: 'cut-stock', sku: 'CUT-0', location: 'DAL', delta: { onHand: ORDERS }, reason: 'receipt' }),
    ]);
    await until(
      'the stock for the orders to show',
      () => api('GET', '/v1/availability/CUT-0?channel=web'),
      (r) => r.body.available === ORDERS,
    );
    await Promise.all([
      ...Array.from({ length: 4 }, send),
      (async () => {
        for (let k = 0; k < ORDERS; k++) await capture(k);
      })(),
    ]);
    await until(
      'the cuts to have reached some connections',
      async () => cutConnections,
      (n) => n > 0,
    );
    clearInterval(cutting);
    t.diagnostic(
      `cuts: ${cuts}, connections cut: ${cutConnections}, batches refused and sent again: ${refusedBatches}, captures refused and sent again: ${refusedCaptures}`,
    );

    await until(
      'the workers to apply everything',
      () => log.pending('apply'),
      (n) => n === 0,
      90_000,
      100,
    );
    assert.deepEqual(exits, [], 'no hub process ended');

    const schema = namespace;
    const applied = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.applied_event_ids WHERE id LIKE 'cut-%'`);
    assert.equal(applied.rows[0].n, BATCHES * PER_BATCH + 1, 'every event applied exactly once');
    const dead = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.dead_entries`);
    assert.equal(dead.rows[0].n, 0, 'nothing went to the dead letters');

    assert.equal(new Set(orderIds.values()).size, ORDERS, 'one order per key');
    const orders = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.orders`);
    assert.equal(orders.rows[0].n, ORDERS, 'no order captured twice');

    await until(
      'every order to be committed to the ERP',
      async () => erp.placedOrders,
      (n) => n >= ORDERS,
      30_000,
    );
    assertPlacedOnceEach(erp, orderIds.values());

    // Oracle: each item got the same number of units; CUT-0's extra stock is what the orders hold.
    const per = (BATCHES * PER_BATCH) / SKUS;
    const skus = Array.from({ length: SKUS }, (_, i) => `CUT-${i}`);
    const query = await until(
      'the figures to settle',
      () => api('POST', '/v1/availability/query', { channel: 'web', skus }),
      (r) => r.status === 200 && (r.body.items as { available: number }[]).every((x) => x.available === per),
      20_000,
    );
    assert.equal(query.body.items.length, SKUS);
  } finally {
    clearInterval(cutting);
    await Promise.all(processes.filter((p) => p.child.exitCode === null).map((p) => stopGracefully(p)));
    await admin.end();
    await log.destroy().catch(() => {});
    await log.close();
    await dropSchema(DATABASE_URL, namespace);
    rmSync(dir, { recursive: true, force: true });
    await erp.close();
  }
});
