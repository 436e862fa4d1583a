/**
 * No built-in secrets: the demo's webhook secrets are generated per data directory and kept
 * there owner-only, the simulators sign with them (their orders are captured), and a webhook
 * signed with the secrets earlier releases published is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnHub, stopGracefully } from './support/hub-process.js';
import { NETWORK, startTestHub, tempDataDir } from './support/test-hub.js';
import { ConfigError } from '../src/config/hub-config.js';
import { keptSecret } from '../src/wiring/kept-secret.js';

const DEMO = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));
const PUBLISHED = ['demo-shop-secret', 'demo-carrier-secret'];

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('the demo generates its webhook secrets per data directory, owner-only, and its storefront orders arrive signed with them', {
  timeout: 120_000,
}, async () => {
  const project = tempDataDir();
  const dataDir = join(project, 'data');
  mkdirSync(dataDir);
  const config = join(project, 'demo.yaml');
  writeFileSync(config, readFileSync(DEMO, 'utf8').replace(/ordersPerMinute: \d+/, 'ordersPerMinute: 120'));
  const hub = await spawnHub({
    CROSSDOCK_DATA_DIR: dataDir,
    CROSSDOCK_CONFIG: config,
    CROSSDOCK_ADMIN_KEY: '',
    CROSSDOCK_DEMO_TRAFFIC: 'on',
    CROSSDOCK_DEMO_SHOP_SECRET: '',
    CROSSDOCK_DEMO_CARRIER_SECRET: '',
  });
  try {
    const secrets = ['demo-shop.secret', 'demo-carrier.secret'].map((f) => {
      const path = join(dataDir, f);
      assert.equal(statSync(path).mode & 0o777, 0o600, `${f} is readable by its owner only`);
      return readFileSync(path, 'utf8').trim();
    });
    for (const s of secrets) {
      assert.ok(s.length >= 32, 'a generated secret');
      assert.ok(!PUBLISHED.includes(s));
    }
    const key = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    const webOrders = async () =>
      ((await (await fetch(`${hub.url}/v1/orders?channel=web&limit=5`, { headers: { authorization: `Bearer ${key}` } })).json()) as { orders: unknown[] })
        .orders;
    await until('a storefront order signed with the generated secret', async () => (await webOrders()).length > 0);

    const body = JSON.stringify({ id: 990001, line_items: [{ sku: 'ABC-100', quantity: 1 }], cancelled_at: null });
    const send = (secret: string) =>
      fetch(`${hub.url}/hooks/shop`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
        },
        body,
      });
    assert.equal((await send('demo-shop-secret')).status, 401, 'the secret once published opens nothing');
    assert.equal((await send(secrets[0]!)).status, 200);
  } finally {
    await stopGracefully(hub);
  }
});

test('a kept secret survives a restart, and another data directory has its own', () => {
  const a = join(tempDataDir(), 'demo-shop.secret');
  const b = join(tempDataDir(), 'demo-shop.secret');
  const first = keptSecret(a);
  assert.equal(first.generated, true);
  assert.deepEqual(keptSecret(a), { value: first.value, generated: false });
  assert.notEqual(keptSecret(b).value, first.value);
});

test('a webhook system whose secret variable is unset or empty stops the start with a config error naming the field', async () => {
  const cases: [object, string][] = [
    [{ shop: { type: 'shopify', channel: 'web', customer: 'C-42', webhookSecretEnv: 'CROSSDOCK_TEST_UNSET_SECRET' } }, 'systems.shop.webhookSecretEnv'],
    [{ ups: { type: 'carrier', secretEnv: 'CROSSDOCK_TEST_EMPTY_SECRET' } }, 'systems.ups.secretEnv'],
  ];
  delete process.env.CROSSDOCK_TEST_UNSET_SECRET;
  process.env.CROSSDOCK_TEST_EMPTY_SECRET = '';
  for (const [systems, field] of cases) {
    await assert.rejects(
      startTestHub({ file: { ...NETWORK, systems } as never }),
      (err: unknown) => err instanceof ConfigError && err.field === field && /is not set/.test(err.message),
      field,
    );
  }
});
