/**
 * Idempotency-Keys are kept for orders.idempotencyKeyHours (README, "An order is taken once"):
 * within that time a key answers its order (another body under it is 422); after it, the sweep
 * that runs at start and hourly forgets the key, so the same key takes a new order. Both backends;
 * the hub is restarted on the same store with its clock moved on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import type { Clock } from '../src/ports/clock.js';
import { startScaleOutHub } from '../src/wiring/scale-out-hub.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { orderNetwork } from './support/order-hub.js';
import { apiClient, snapshot, startTestHub, tempDataDir, testConfig } from './support/test-hub.js';

const HOUR = 3_600_000;
type Api = ReturnType<typeof apiClient>;

/** Starts a hub of one backend on `store` at the clock's time; returns its API and how to stop it. */
type StartAt = (clock: Clock) => Promise<{ api: Api; settled: () => Promise<void>; stop: () => Promise<void> }>;

async function keyExpiry(start: StartAt): Promise<void> {
  // From the real time: PostgreSQL stamps a key with its own clock, the sweep's cut-off comes from the hub's.
  let now = Date.now();
  const clock: Clock = { now: () => now };
  const order = (externalId: string) => ({ channel: 'queued', externalId, customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }] });
  const send = (api: Api, body: object) => api('POST', '/v1/orders', body, { headers: { 'idempotency-key': 'expiring-key' } });

  // Whatever fails, the hub running at that moment is stopped (a live hub keeps the test file from ending).
  let hub: Awaited<ReturnType<StartAt>> | undefined;
  const restart = async () => {
    await hub?.stop();
    hub = undefined;
    hub = await start(clock);
    return hub;
  };
  try {
    let h = await restart();
    const stocked = await h.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'ABC-100', location: 'DAL', onHand: 10 })]);
    assert.equal(stocked.body.accepted, 1);
    await h.settled();
    const first = await send(h.api, order('EXP-1'));
    assert.equal(first.status, 201, JSON.stringify(first.body));

    // 23 hours later (restarted, so the start-up sweep ran): the key still answers its order.
    now += 23 * HOUR;
    h = await restart();
    const replay = await send(h.api, order('EXP-1'));
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.body.id, first.body.id);
    assert.equal((await send(h.api, order('EXP-2'))).status, 422, 'another body under a kept key');

    // 25 hours after the capture: the key is forgotten and takes a new order.
    now += 2 * HOUR;
    h = await restart();
    const fresh = await send(h.api, order('EXP-2'));
    assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
    assert.notEqual(fresh.body.id, first.body.id);
    assert.equal(fresh.headers.get('idempotent-replayed'), null);
  } finally {
    await hub?.stop();
  }
}

test('an Idempotency-Key is kept for idempotencyKeyHours, then forgotten, on the embedded backend', async () => {
  const erp = new ErpSimulator();
  const file = orderNetwork(await erp.start(), {});
  const dataDir = tempDataDir();
  try {
    await keyExpiry(async (clock) => {
      const hub = await startTestHub({ file, dataDir, clock });
      return { api: hub.api, settled: async () => {}, stop: () => hub.stop({ keepData: true }) };
    });
  } finally {
    await erp.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const skip = await skipReason(scaleOut);

test('an Idempotency-Key is kept for idempotencyKeyHours, then forgotten, on the scale-out backend', { skip }, async () => {
  const erp = new ErpSimulator();
  const file = orderNetwork(await erp.start(), {});
  const namespace = `t_${randomBytes(5).toString('hex')}`;
  const dataDir = tempDataDir();
  try {
    await keyExpiry(async (clock) => {
      const config = testConfig(dataDir, file, { backend: 'scale-out', scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'all', namespace } });
      const hub = await startScaleOutHub({ config, logger: false, clock });
      const api = apiClient(hub.url);
      return {
        api,
        async settled() {
          const head = await hub.log.head();
          while ((await hub.log.pending('apply')) > 0 || hub.view!.position < head) await new Promise((r) => setTimeout(r, 10));
        },
        stop: () => hub.close(),
      };
    });
  } finally {
    await erp.close();
    await dropSchema(DATABASE_URL, namespace);
    const { JetStreamEventLog } = await import('../src/adapters/nats/jetstream-event-log.js');
    const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
    await log.destroy();
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
