/**
 * The demo network run for real (`crossdock start`, debug logs) with customers carrying names
 * and emails, refused requests about them, and the generated order traffic: no name or email
 * reaches the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnHub, stopGracefully } from './support/hub-process.js';
import { ADMIN_KEY, apiClient, tempDataDir } from './support/test-hub.js';
import { until } from './support/until.js';

test('driving the demo network leaves no private data in the logs', { timeout: 90_000 }, async () => {
  const dir = tempDataDir();
  const hub = await spawnHub({ CROSSDOCK_DATA_DIR: dir, CROSSDOCK_LOG_LEVEL: 'debug', CROSSDOCK_ADMIN_KEY: ADMIN_KEY }, { keepStdout: true });
  try {
    const api = apiClient(hub.url);
    const person = { name: 'Ada Quartermaine', email: 'ada.q@example.org' };
    assert.ok([200, 201].includes((await api('PUT', '/v1/customers/C-PRIV', { ...person, active: true, creditHold: false })).status));
    // Refused requests are logged: one naming an unknown item for the customer, one with a bad field beside the private ones.
    const refused = await api(
      'POST',
      '/v1/orders',
      { channel: 'web', externalId: 'PRIV-1', customer: 'C-PRIV', lines: [{ sku: 'NO-SUCH', qty: 1 }] },
      {
        headers: { 'idempotency-key': 'priv-1' },
      },
    );
    assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused.body));
    assert.equal((await api('PUT', '/v1/customers/C-BAD', { ...person, active: 'yes' })).status, 400);
    await until(
      'the demo traffic to capture orders',
      async () => (await api('GET', '/v1/orders?limit=20')).body.orders?.length ?? 0,
      (n) => n >= 5,
      60_000,
      250,
    );
  } finally {
    await stopGracefully(hub);
  }
  const logs = hub.stdout() + hub.stderr();
  assert.match(logs, /"level":20/, 'debug lines were logged');
  const demo = readFileSync(new URL('../../config/demo.yaml', import.meta.url), 'utf8');
  const demoNames = [...demo.matchAll(/name: '([^']+)'/g)].map((m) => m[1]!).filter((n) => /Plumbing|Janitorial/.test(n));
  assert.ok(demoNames.length >= 2, 'the demo customers are named');
  for (const secret of ['Ada Quartermaine', 'ada.q@example.org', ...demoNames]) assert.ok(!logs.includes(secret), `${secret} reached the log`);
});
