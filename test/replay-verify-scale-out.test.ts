/**
 * `crossdock replay --verify` on the scale-out backend: after inventory traffic and an order
 * holding stock, the shared log replayed into a fresh read model matches the workers' state in
 * PostgreSQL; a damaged channel figure and a damaged hold are each named.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason, type HarnessHub } from './support/backends.js';
import { movement, snapshot, NETWORK } from './support/test-hub.js';
import { runCliSync } from './support/hub-process.js';

const skip = await skipReason(scaleOut);
let hub: HarnessHub;

before(async () => {
  if (skip) return;
  hub = await scaleOut.start({ ...NETWORK, customers: { 'C-HOLD': { name: 'Held Co', active: true, creditHold: true } } });
});
after(async () => {
  if (!skip) await hub.stop();
});

const verify = () =>
  runCliSync(['replay', '--verify'], {
    CROSSDOCK_BACKEND: 'scale-out',
    DATABASE_URL,
    NATS_URL,
    CROSSDOCK_NAMESPACE: hub.namespace!,
  });

test('the shared state matches the replayed log, and a damaged figure or hold is named', { skip }, async () => {
  const events = await hub.api('POST', '/v1/events', [
    snapshot({ source: 'wms-dal', sku: 'V-1', location: 'DAL', onHand: 40 }),
    snapshot({ source: 'wms-atl', sku: 'V-1', location: 'ATL', onHand: 5 }),
    snapshot({ source: 'erp', sku: 'V-1', location: 'DAL', onHand: 99 }),
    movement({ source: 'wms-dal', sku: 'V-1', location: 'DAL', delta: { onHand: -3, damaged: 2 } }),
    snapshot({ source: 'wms-dal', sku: 'V-2', location: 'DAL', onHand: 7 }),
  ]);
  assert.equal(events.status, 200, JSON.stringify(events.body));
  // A customer on credit hold: the order is captured held, and its stock is held without the ERP.
  const order = await hub.api(
    'POST',
    '/v1/orders',
    { channel: 'web', externalId: 'V-ORDER-1', customer: 'C-HOLD', lines: [{ sku: 'V-1', qty: 4 }] },
    { headers: { 'idempotency-key': 'v-order-1' } },
  );
  assert.equal(order.status, 201, JSON.stringify(order.body));
  await hub.settled();

  const clean = verify();
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /the ledger matches the log/);
  assert.match(clean.stdout, /replayed 5 events into 4 stock positions; checked \d+ channel figures/);

  const db = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${hub.namespace}` });
  await db.connect();
  try {
    await db.query("UPDATE channel_figures SET available = available + 5 WHERE channel = 'amazon' AND sku = 'V-2'");
    await db.query("UPDATE reserved_stock SET units = units + 1 WHERE sku = 'V-1' AND location = 'DAL'");
  } finally {
    await db.end();
  }
  const damaged = verify();
  assert.equal(damaged.code, 3, damaged.stdout + damaged.stderr);
  assert.match(damaged.stdout, /V-2 on amazon: the feed last published 10, replay gives 5/);
  assert.match(damaged.stdout, /V-1 at DAL: 5 units held for orders, replay gives 4/);
});
