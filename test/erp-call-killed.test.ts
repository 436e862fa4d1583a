/**
 * README, "One ERP order per hub order": an api process killed for real (SIGKILL) while its ERP
 * call is in flight (the ERP has taken the order, its answer has not come back) leaves exactly one
 * ERP order: after the restart the hub asks the ERP for its reference, finds the order and records
 * its number, and the capture's key answers that order. Embedded and scale-out (another process
 * takes the order over once the dead one's lease runs out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { assertPlacedOnceEach } from './support/erp-placements.js';
import { killHard, spawnHub, stopGracefully } from './support/hub-process.js';
import { apiClient, snapshot, tempDataDir } from './support/test-hub.js';
import { until } from './support/until.js';

const KEY = 'erp-killed-admin-key-0123456789';

async function killedMidCall(extraEnv: Record<string, string>): Promise<void> {
  const erp = new ErpSimulator();
  const erpUrl = await erp.start();
  const dataDir = tempDataDir();
  const configFile = join(dataDir, 'hub.yaml');
  writeFileSync(
    configFile,
    `
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
channels:
  web: { locations: [DAL], onErpUnavailable: queue }
customers:
  C-1: { name: Acme, active: true, creditHold: false }
erp: { url: '${erpUrl}', timeoutMs: 2000, retryBaseMs: 100, retryMaxMs: 300 }
`,
  );
  const env = { CROSSDOCK_DATA_DIR: dataDir, CROSSDOCK_CONFIG: configFile, CROSSDOCK_ADMIN_KEY: KEY, ...extraEnv };
  let hub = await spawnHub(env);
  try {
    let api = apiClient(hub.url);
    const stocked = await api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'K-1', location: 'DAL', onHand: 10 })], { key: KEY });
    assert.equal(stocked.body.accepted, 1);
    await until(
      'the stock to show',
      async () => (await api('GET', '/v1/availability/K-1?channel=web', undefined, { key: KEY })).body.available,
      (n) => n === 10,
    );
    // The ERP stores the order and then takes longer than the hub lives to answer (the hub is killed at once).
    erp.faults.latencyMs = 4_000;
    const body = { channel: 'web', externalId: 'KILL-1', customer: 'C-1', lines: [{ sku: 'K-1', qty: 3 }] };
    const headers = { 'idempotency-key': 'killed-mid-call' };
    const inFlight = api('POST', '/v1/orders', body, { key: KEY, headers }).catch(() => undefined);
    await until(
      'the ERP to hold the order',
      async () => erp.placements.size,
      (n) => n === 1,
    );
    const [orderId] = [...erp.placements.keys()];
    await killHard(hub);
    await inFlight;
    erp.faults.latencyMs = 0;

    hub = await spawnHub(env);
    api = apiClient(hub.url);
    const order = await until(
      'the order to be committed after the restart',
      async () => (await api('GET', `/v1/orders/${orderId}`, undefined, { key: KEY })).body,
      (o) => o.status === 'accepted',
      30_000,
    );
    assert.equal(order.erpOrderNumber, erp.orders.get(orderId!)?.orderNumber);
    assertPlacedOnceEach(erp, [orderId!], 'one ERP order, though the process died during the call');
    assert.ok(erp.calls.find >= 1, 'the hub asked the ERP for its reference before placing again');
    const retried = await api('POST', '/v1/orders', body, { key: KEY, headers });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.body.id, orderId, 'the key answers the order the killed process made');
    assert.equal(await stopGracefully(hub), 0);
  } finally {
    if (hub.child.exitCode === null) await killHard(hub);
    await erp.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('an embedded hub killed while its ERP call is in flight leaves exactly one ERP order', { timeout: 60_000 }, async () => {
  await killedMidCall({});
});

const skip = await skipReason(scaleOut);

test('a scale-out process killed while its ERP call is in flight leaves exactly one ERP order', { skip, timeout: 90_000 }, async () => {
  const namespace = `t_${randomBytes(5).toString('hex')}`;
  try {
    await killedMidCall({ CROSSDOCK_BACKEND: 'scale-out', DATABASE_URL, NATS_URL, CROSSDOCK_NAMESPACE: namespace, CROSSDOCK_ROLE: 'all' });
  } finally {
    await dropSchema(DATABASE_URL, namespace);
    const { JetStreamEventLog } = await import('../src/adapters/nats/jetstream-event-log.js');
    const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
    await log.destroy();
    await log.close();
  }
});
