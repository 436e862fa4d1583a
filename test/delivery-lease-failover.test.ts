/**
 * README, "What each process does": a destination is delivered to by the one worker holding its
 * lease; when that worker dies (SIGKILL: the database drops its lease with the connection) another
 * takes the destination within two seconds, from the cursor the last one saved. Asserted at the
 * receiving simulator: what was changed after the kill arrives, and no message arrives twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookReceiver } from '../sim/webhook-receiver.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { killHard, spawnHub, type HubProcess } from './support/hub-process.js';
import { apiClient, snapshot, tempDataDir } from './support/test-hub.js';
import { until } from './support/until.js';

const KEY = 'lease-failover-admin-key-0123456789';
const skip = await skipReason(scaleOut);

test('a destination whose worker is killed is taken over by another within two seconds, nothing sent twice', { skip, timeout: 90_000 }, async () => {
  const receiver = new WebhookReceiver();
  const url = await receiver.start();
  const namespace = `t_${randomBytes(5).toString('hex')}`;
  const dataDir = tempDataDir();
  const configFile = join(dataDir, 'hub.yaml');
  writeFileSync(
    configFile,
    `
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
channels:
  shelf: { locations: [DAL] }
systems:
  shop: { type: webhook, url: '${url}', channel: shelf, retry: { maxAttempts: 1000, baseMs: 20, maxMs: 200 } }
`,
  );
  const env = (role: string) => ({
    CROSSDOCK_DATA_DIR: dataDir,
    CROSSDOCK_CONFIG: configFile,
    CROSSDOCK_ADMIN_KEY: KEY,
    CROSSDOCK_BACKEND: 'scale-out',
    DATABASE_URL,
    NATS_URL,
    CROSSDOCK_NAMESPACE: namespace,
    CROSSDOCK_ROLE: role,
  });
  const processes: HubProcess[] = [];
  try {
    const apiProcess = await spawnHub(env('api'));
    processes.push(apiProcess);
    const workers = [await spawnHub(env('worker')), await spawnHub(env('worker'))];
    processes.push(...workers);
    const api = apiClient(apiProcess.url);
    const figure = (sku: string) => [...receiver.applied.values()].filter((m) => m.key === sku).at(-1)?.payload as { available: number } | undefined;
    let seq = 0;
    const stock = async (sku: string, onHand: number) => {
      const res = await api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: ++seq, sku, location: 'DAL', onHand })], { key: KEY });
      assert.equal(res.body.accepted, 1);
    };
    await stock('LF-1', 10);
    await until(
      'the first figure at the receiver',
      async () => figure('LF-1')?.available,
      (n) => n === 10,
      30_000,
    );
    // The holder is the worker that has delivered to the destination (its own metrics say so).
    const delivered = async (w: HubProcess) =>
      /crossdock_deliveries_total\{destination="shop",lane="bulk",outcome="delivered"\} [1-9]/.test(
        await fetch(`${w.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } }).then((r) => r.text()),
      );
    const held = await Promise.all(workers.map(delivered));
    assert.equal(held.filter(Boolean).length, 1, `one worker holds the destination: ${held}`);
    const holder = workers[held.indexOf(true)]!;
    const survivor = workers[held.indexOf(false)]!;

    await killHard(holder);
    const killedAt = Date.now();
    await stock('LF-2', 7);
    await stock('LF-1', 4);
    await until(
      'the survivor to deliver',
      () => delivered(survivor),
      (d) => d,
      10_000,
    );
    const tookOverMs = Date.now() - killedAt;
    // The survivor asks for the lease every 2 s; the rest is the delivery itself, this test's polling and a loaded machine.
    assert.ok(tookOverMs <= 3000, `the survivor delivered ${tookOverMs} ms after the kill`);
    await until(
      'the figures changed after the kill at the receiver',
      async () => [figure('LF-2')?.available, figure('LF-1')?.available],
      ([a, b]) => a === 7 && b === 4,
      10_000,
    );
    assert.equal(receiver.duplicates, 0, 'no message sent twice');
    const keys = receiver.calls.filter((c) => c.status === 200).flatMap((c) => c.keys);
    assert.equal(new Set(keys).size, keys.length, 'no idempotency key delivered twice');
  } finally {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await killHard(p);
    await receiver.close();
    await dropSchema(DATABASE_URL, namespace);
    const { JetStreamEventLog } = await import('../src/adapters/nats/jetstream-event-log.js');
    const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
    await log.destroy();
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
