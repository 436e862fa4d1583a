/**
 * README, order capture on scale-out: a capture waits until the workers have applied the log up
 * to what it was validated against; with no worker running it answers 503 workers_behind after
 * 5 s with nothing reserved (no order, no hold, its key free), and once a worker has caught up
 * the same request with the same key captures the order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { startScaleOutHub, type ScaleOutHub } from '../src/wiring/scale-out-hub.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { orderNetwork } from './support/order-hub.js';
import { apiClient, snapshot, tempDataDir, testConfig } from './support/test-hub.js';
import { until } from './support/until.js';

const skip = await skipReason(scaleOut);

test('with no worker running a capture answers 503 workers_behind and reserves nothing; the same key captures once a worker caught up', { skip }, async () => {
  const erp = new ErpSimulator();
  const file = orderNetwork(await erp.start(), {});
  const namespace = `t_${randomBytes(5).toString('hex')}`;
  const dataDir = tempDataDir();
  const start = (role: 'api' | 'worker') =>
    startScaleOutHub({
      config: testConfig(dataDir, file, { backend: 'scale-out', scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role, namespace } }),
      logger: false,
    });
  const db = new pg.Client({ connectionString: DATABASE_URL });
  let api: ScaleOutHub | undefined;
  let worker: ScaleOutHub | undefined;
  try {
    api = await start('api');
    await db.connect();
    const call = apiClient(api.url);
    const stocked = await call('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'ABC-100', location: 'DAL', onHand: 10 })]);
    assert.equal(stocked.body.accepted, 1);
    const view = api.view!;
    await until(
      'the read model to show the stock',
      async () => view.position,
      (p) => p >= stocked.body.position,
    );
    const available = async () => (await call('GET', '/v1/availability/ABC-100?channel=queued')).body.available;
    assert.equal(await available(), 10);

    const body = { channel: 'queued', externalId: 'WB-1', customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 4 }] };
    const headers = { 'idempotency-key': 'behind-1' };
    const refused = await call('POST', '/v1/orders', body, { headers });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.type, 'urn:crossdock:problem:workers_behind');
    assert.equal(refused.body.retryable, true);
    assert.match(refused.body.detail, /Nothing was reserved/);
    // Nothing reserved: in the shared state, in the read model, at the ERP.
    const rows = async (sql: string) => (await db.query(sql)).rows[0].n as number;
    assert.equal(await rows(`SELECT count(*)::int AS n FROM ${namespace}.orders`), 0);
    assert.equal(await rows(`SELECT count(*)::int AS n FROM ${namespace}.stock_holds`), 0);
    assert.equal(await rows(`SELECT count(*)::int AS n FROM ${namespace}.order_refs`), 0);
    assert.equal(await rows(`SELECT count(*)::int AS n FROM ${namespace}.idempotency_keys`), 0, 'the key is free again');
    assert.equal(await available(), 10);
    assert.equal(erp.placements.size, 0);

    worker = await start('worker');
    await until(
      'the worker to apply the stock',
      async () => api!.log.pending('apply'),
      (n) => n === 0,
      20_000,
    );
    const captured = await call('POST', '/v1/orders', body, { headers });
    assert.equal(captured.status, 201, JSON.stringify(captured.body));
    assert.equal(captured.headers.get('idempotent-replayed'), null, 'the refused attempt stored no answer');
    await until('the hold to reach the read model', available, (n) => n === 6);
    assert.equal(await rows(`SELECT count(*)::int AS n FROM ${namespace}.orders`), 1);
  } finally {
    await api?.close();
    await worker?.close();
    await db.end().catch(() => {});
    await erp.close();
    await dropSchema(DATABASE_URL, namespace);
    const { JetStreamEventLog } = await import('../src/adapters/nats/jetstream-event-log.js');
    const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
    await log.destroy();
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
