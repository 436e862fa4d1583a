import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { spawnHub, killHard, stopGracefully, runCliSync } from './support/hub-process.js';
import { tempDataDir } from './support/test-hub.js';

const KEY = 'order-restart-key-0123456789';

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

test('after kill -9, captured orders, their reservations, keys and a queued ERP commit all survive', async () => {
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
erp: { url: '${erpUrl}', timeoutMs: 3000, retryBaseMs: 100, retryMaxMs: 300 }
`,
  );
  const env = { CROSSDOCK_DATA_DIR: dataDir, CROSSDOCK_CONFIG: configFile, CROSSDOCK_ADMIN_KEY: KEY, CROSSDOCK_CHECKPOINT_MS: '200' };
  try {
    let hub = await spawnHub(env);
    await call(hub.url, 'POST', '/v1/events', [
      {
        id: 's1',
        type: 'inventory.snapshot',
        source: 'wms-dal',
        seq: 1,
        occurredAt: '2026-11-22T10:00:00Z',
        sku: 'K-1',
        location: 'DAL',
        balance: { onHand: 50 },
      },
    ]);
    const bodies = Array.from({ length: 20 }, (_, i) => ({ channel: 'web', externalId: `R-${i}`, customer: 'C-1', lines: [{ sku: 'K-1', qty: 2 }] }));
    const answers = await Promise.all(bodies.map((b, i) => call(hub.url, 'POST', '/v1/orders', b, { 'idempotency-key': `rk-${i}` })));
    assert.ok(answers.every((a) => a.status === 201));
    erp.faults.outage = true;
    const queued = await call(
      hub.url,
      'POST',
      '/v1/orders',
      { channel: 'web', externalId: 'R-Q', customer: 'C-1', lines: [{ sku: 'K-1', qty: 5 }] },
      { 'idempotency-key': 'rk-q' },
    );
    assert.equal(queued.status, 202);
    assert.equal((await call(hub.url, 'GET', '/v1/availability/K-1?channel=web')).body.available, 5);
    await killHard(hub);

    erp.faults.outage = false;
    hub = await spawnHub(env);
    assert.equal((await call(hub.url, 'GET', '/v1/availability/K-1?channel=web')).body.available, 5, 'reservations rebuilt from the orders');
    const replay = await call(hub.url, 'POST', '/v1/orders', bodies[3], { 'idempotency-key': 'rk-3' });
    assert.equal(replay.status, 201);
    assert.deepEqual(replay.body, answers[3]!.body, 'the stored answer survives');
    let v: any;
    for (let i = 0; i < 100; i++) {
      v = (await call(hub.url, 'GET', `/v1/orders/${queued.body.id}`)).body;
      if (v.status !== 'pending_erp') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(v.status, 'accepted', 'the queued order reached the ERP after the restart');
    assert.equal(erp.placedOrders, 21);
    assert.deepEqual(erp.placedTwice(), [], 'no order placed twice across the crash');
    assert.equal(await stopGracefully(hub), 0);
    const verify = runCliSync(['replay', '--verify', '--data-dir', dataDir]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /the ledger matches the log/);
  } finally {
    await erp.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
