import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { apiKeyBehaviour } from './behaviour/api-keys.behaviour.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { apiClient, NETWORK, tempDataDir, testConfig } from './support/test-hub.js';
import { until } from './support/until.js';
import { startScaleOutHub } from '../src/wiring/scale-out-hub.js';

await apiKeyBehaviour(scaleOut);

const REFRESH_MS = 200;

test('a key created or revoked through one api process is accepted or refused by another within auth.keyRefreshMs', {
  skip: await skipReason(scaleOut),
}, async () => {
  const file = { ...NETWORK, auth: { keyRefreshMs: REFRESH_MS } };
  const first = await scaleOut.start(file);
  const dataDir = tempDataDir();
  const second = await startScaleOutHub({
    config: testConfig(dataDir, file, {
      backend: 'scale-out',
      scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'api', namespace: first.namespace! },
    }),
    logger: false,
  });
  const workerDir = tempDataDir();
  const worker = await startScaleOutHub({
    config: testConfig(workerDir, file, {
      backend: 'scale-out',
      scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'worker', namespace: first.namespace! },
    }),
    logger: false,
  });
  try {
    const other = apiClient(second.url);
    const created = await first.api('POST', '/v1/keys', { name: 'storefront', scopes: ['availability:read'] });
    assert.equal(created.status, 201);
    const key = created.body.key as string;
    const status = async (api: typeof other) => (await api('GET', '/v1/channels', undefined, { key })).status;
    assert.equal(await status(first.api), 200, 'the process that created it accepts it at once');
    await until(
      'the other process to accept the new key',
      () => status(other),
      (s) => s === 200,
      20 * REFRESH_MS,
    );

    assert.equal((await other('DELETE', `/v1/keys/${created.body.id}`)).status, 200);
    assert.equal(await status(other), 401, 'the process that revoked it refuses it at once');
    await until(
      'the first process to refuse the revoked key',
      () => status(first.api),
      (s) => s === 401,
      20 * REFRESH_MS,
    );
    // The fast path of availability lookups reads the same key ring.
    assert.equal((await first.api('GET', '/v1/availability/ANY?channel=web', undefined, { key })).status, 401);

    // A worker's /metrics takes the same keys: a metrics key made through an api process.
    const scrape = apiClient(worker.url);
    assert.equal((await scrape('GET', '/metrics', undefined, { key: null })).status, 401);
    const prometheus = (await first.api('POST', '/v1/keys', { name: 'prometheus', scopes: ['metrics'] })).body.key as string;
    const scraped = await until(
      'the worker to accept the metrics key',
      () => scrape('GET', '/metrics', undefined, { key: prometheus }),
      (r) => r.status === 200,
      20 * REFRESH_MS,
    );
    assert.match(scraped.body, /crossdock_log_lag_entries/);
    assert.equal((await scrape('GET', '/metrics', undefined, { key })).status, 401, 'the revoked key');
  } finally {
    await worker.close();
    await second.close();
    await first.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workerDir, { recursive: true, force: true });
  }
});
