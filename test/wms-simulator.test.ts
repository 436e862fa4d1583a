import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WmsSimulator } from '../sim/wms-simulator.js';
import { startOrderHub } from './support/order-hub.js';
import { ADMIN_KEY } from './support/test-hub.js';

test('released orders reach the warehouse through the delivery engine, and its shipments come back, through a WMS outage', { timeout: 60_000 }, async () => {
  const wms = new WmsSimulator({ apiKey: ADMIN_KEY, source: 'wms-dal', location: 'DAL', shipAfterMs: 50 });
  const url = await wms.start();
  const hub = await startOrderHub({
    file: {
      systems: { 'wms-dal': { type: 'webhook', url, circuitBreaker: { failures: 2, openSeconds: 0.5 }, retry: { maxAttempts: 100, baseMs: 50, maxMs: 300 } } },
    } as never,
  });
  wms.attach(hub.url);
  try {
    await hub.stock('WS-1', 'DAL', 20);
    wms.faults.outage = true;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = (await hub.order({ channel: 'queued', externalId: `WS-${i}`, customer: 'C-42', lines: [{ sku: 'WS-1', qty: 2 }] })).body.id as string;
      await hub.api('POST', '/v1/events', [
        { id: `ws-rel-${i}`, type: 'order.released', source: 'erp-main', seq: 4_400_000 + i, occurredAt: '2026-11-22T12:00:00Z', orderId: id },
      ]);
      ids.push(id);
    }
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(wms.tasks.size, 0, 'nothing got through while the WMS was down');
    wms.faults.outage = false;
    for (let i = 0; i < 200 && ids.some((id) => wms.tasks.get(id)?.status !== 'shipped'); i++) await new Promise((r) => setTimeout(r, 50));
    for (const id of ids) assert.equal(wms.tasks.get(id)?.status, 'shipped');
    for (let i = 0; i < 100; i++) {
      const statuses = await Promise.all(ids.map(async (id) => (await hub.api('GET', `/v1/orders/${id}`)).body.status));
      if (statuses.every((s) => s === 'shipped')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const stock = (await hub.api('GET', '/v1/availability/WS-1/explain?channel=queued')).body.locations[0];
    assert.deepEqual([stock.onHand, stock.reserved], [10, 0], 'ten shipped, counted once');
  } finally {
    await hub.stop();
    await wms.close();
  }
});
