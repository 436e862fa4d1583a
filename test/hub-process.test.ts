/**
 * The start path both backends share (src/wiring/hub-process.ts), seen from an extension handed
 * in from outside src/ the way bin/crossdock.js hands in the demo: what it is given, and where
 * its traffic and its systems stop in the one shutdown order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { startHub } from '../src/main.js';
import type { HubExtension, StartedHub } from '../src/wiring/hub-extension.js';
import { ADMIN_KEY, NETWORK, tempDataDir, testConfig } from './support/test-hub.js';

test('an extension adds its systems and ERP before the hub is built, sees it running, and stops around it in order', async () => {
  const dataDir = tempDataDir();
  const calls: string[] = [];
  let seen: StartedHub | undefined;
  let hubUrl = '';
  const extension: HubExtension = {
    name: 'recorder',
    async prepare(config) {
      calls.push(`prepare (${config.backend})`);
      return {
        systems: { recorder: { type: 'webhook', url: 'http://127.0.0.1:9/never' } },
        erp: { placeOrder: async (o) => ({ orderNumber: `REC-${o.reference}` }), findOrder: async () => undefined, changeOrder: async () => {} },
      };
    },
    started(hub) {
      seen = hub;
      calls.push('started');
    },
    async stopTraffic() {
      // The hub still answers while the extension's traffic stops (draining: not ready); HTTP closes after it.
      const res = await fetch(`${hubUrl}/healthz`);
      calls.push(`stopTraffic (HTTP answered ${res.status})`);
    },
    async close() {
      const stillAnswers = await fetch(`${hubUrl}/healthz`).then(
        () => true,
        () => false,
      );
      calls.push(`close (HTTP ${stillAnswers ? 'still open' : 'closed'})`);
    },
  };
  const hub = await startHub({
    config: testConfig(dataDir, { ...NETWORK, customers: { 'C-42': { name: 'Lone Star', active: true, creditHold: false } } }),
    logger: false,
    extensions: [extension],
  });
  hubUrl = hub.url;
  try {
    assert.equal(hub.lifecycle(), 'running');
    assert.deepEqual(calls, ['prepare (embedded)', 'started']);
    assert.equal(seen?.url, hub.url);
    assert.equal(seen?.adminKey, ADMIN_KEY);
    assert.equal(seen?.freshLog, true);
    assert.deepEqual(seen?.locations.map((l) => l.id).sort(), ['ATL', 'DAL']);
    assert.deepEqual(seen?.channels.sort(), ['amazon', 'b2b', 'web']);
    const status = (await (await fetch(`${hub.url}/v1/deliveries`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      destinations: { destination: string }[];
    };
    assert.ok(
      status.destinations.some((d) => d.destination === 'recorder'),
      "the extension's system is delivered to",
    );
    const stock = await fetch(`${hub.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: 's1',
          type: 'inventory.snapshot',
          source: 'wms-dal',
          seq: 1,
          occurredAt: '2026-11-22T10:00:00Z',
          sku: 'EXT-1',
          location: 'DAL',
          balance: { onHand: 10 },
        },
      ]),
    });
    assert.equal(stock.status, 200);
    const order = await fetch(`${hub.url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': 'ext-1' },
      body: JSON.stringify({
        channel: 'web',
        externalId: 'EXT-1',
        customer: 'C-42',
        lines: [{ sku: 'EXT-1', qty: 1 }],
      }),
    });
    const body = (await order.json()) as { id: string; erpOrderNumber?: string };
    assert.equal(body.erpOrderNumber, `REC-${body.id}`, "orders go to the extension's ERP");
  } finally {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.equal(hub.lifecycle(), 'stopped');
  assert.deepEqual(calls.slice(2), ['stopTraffic (HTTP answered 503)', 'close (HTTP closed)']);
});

test('a start that fails part-way closes what it had opened, extensions included, and says why', async () => {
  const dataDir = tempDataDir();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const calls: string[] = [];
  try {
    await assert.rejects(
      startHub({
        config: testConfig(dataDir, NETWORK, { port }),
        logger: false,
        extensions: [
          {
            name: 'recorder',
            close: async () => {
              calls.push('close');
            },
          },
        ],
      }),
      /EADDRINUSE/,
    );
    assert.deepEqual(calls, ['close']);
    // The store was closed: the same data directory starts again at once.
    const again = await startHub({ config: testConfig(dataDir, NETWORK), logger: false });
    assert.equal(again.lifecycle(), 'running');
    await again.close();
  } finally {
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
