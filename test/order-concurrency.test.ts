import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOrderHub } from './support/order-hub.js';

const HOT = ['HOT-1', 'HOT-2', 'HOT-3', 'HOT-4', 'HOT-5'];

test('200 concurrent captures on 5 hot items holding 100 units: exactly 100 reserved, every loser told why', async () => {
  const hub = await startOrderHub();
  try {
    for (const sku of HOT) { await hub.stock(sku, 'DAL', 12); await hub.stock(sku, 'ATL', 8); }
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => hub.order({
      channel: 'queued', externalId: `HOT-${i}`, customer: 'C-42', lines: [{ sku: HOT[i % 5]!, qty: 1 }],
    })));
    const won = results.filter((r) => r.status === 201);
    const lost = results.filter((r) => r.status !== 201);
    assert.equal(won.length, 100);
    for (const r of lost) {
      assert.equal(r.status, 409);
      assert.equal(r.body.type, 'urn:crossdock:problem:insufficient_stock');
      assert.match(r.body.detail, /HOT-\d \(wanted 1, available 0\)/);
    }
    for (const sku of HOT) assert.equal(await hub.available(sku), 0);
    const explain = (await hub.api('GET', `/v1/availability/HOT-1/explain?channel=queued`)).body;
    assert.deepEqual(explain.locations.map((l: { reserved: number; onHand: number }) => [l.onHand, l.reserved]), [[12, 12], [8, 8]], 'never more reserved than on hand');
    assert.equal(hub.erp.orders.size, 100);
  } finally { await hub.stop(); }
});

test('retry storm: each request sent 3 times at once with its key gives one order and one ERP order', async () => {
  const hub = await startOrderHub();
  try {
    await hub.stock('RS-1', 'DAL', 1000);
    hub.erp.faults.latencyMs = 30;
    const bodies = Array.from({ length: 40 }, (_, i) => ({ channel: 'queued', externalId: `RS-${i}`, customer: 'C-42', lines: [{ sku: 'RS-1', qty: 2 }] }));
    const sends = bodies.flatMap((body, i) => [0, 1, 2].map(() => hub.order(body, `storm-${i}`)));
    const results = await Promise.all(sends);
    for (let i = 0; i < bodies.length; i++) {
      const mine = results.slice(i * 3, i * 3 + 3);
      const created = mine.filter((r) => r.status === 201);
      assert.ok(created.length >= 1, `request ${i}: ${mine.map((r) => r.status)}`);
      for (const r of mine) assert.ok(r.status === 201 || (r.status === 409 && r.body.type === 'urn:crossdock:problem:idempotency_key_in_use'), `${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(new Set(created.map((r) => r.body.id)).size, 1);
    }
    hub.erp.faults.latencyMs = 0;
    // Retried once more after the storm: every key answers its one order.
    const replays = await Promise.all(bodies.map((body, i) => hub.order(body, `storm-${i}`)));
    assert.ok(replays.every((r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true'));
    assert.equal(new Set(replays.map((r) => r.body.id)).size, 40);
    assert.equal(hub.erp.orders.size, 40);
    assert.equal(await hub.available('RS-1'), 1000 - 80);
  } finally { await hub.stop(); }
});

test('ERP outage, queue policy: answered 202 pending_erp, committed once when the ERP is back', async () => {
  const hub = await startOrderHub({ erpTimeoutMs: 200 });
  try {
    await hub.stock('EQ-1', 'DAL', 10);
    hub.erp.faults.outage = true;
    const res = await hub.order({ channel: 'queued', externalId: 'EQ-A', customer: 'C-42', lines: [{ sku: 'EQ-1', qty: 3 }] });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'pending_erp');
    assert.equal(await hub.available('EQ-1'), 7, 'still reserved while pending');
    hub.erp.faults.outage = false;
    let v: any;
    for (let i = 0; i < 100; i++) {
      v = (await hub.api('GET', `/v1/orders/${res.body.id}`)).body;
      if (v.status !== 'pending_erp') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(v.status, 'accepted');
    assert.match(v.erpOrderNumber, /^SO-/);
    assert.equal(hub.erp.orders.size, 1);
    const again = await hub.order({ channel: 'queued', externalId: 'EQ-A', customer: 'C-42', lines: [{ sku: 'EQ-1', qty: 3 }] });
    assert.equal(again.status, 409, 'the same channel order under a new key is a duplicate');
  } finally { await hub.stop(); }
});

test('ERP slower than the timeout, queue policy: the retry asks the ERP first and finds the order, so one ERP order', async () => {
  const hub = await startOrderHub({ erpTimeoutMs: 100 });
  try {
    await hub.stock('ES-1', 'DAL', 10);
    hub.erp.faults.latencyMs = 300;
    const res = await hub.order({ channel: 'queued', externalId: 'ES-A', customer: 'C-42', lines: [{ sku: 'ES-1', qty: 1 }] });
    assert.equal(res.status, 202);
    await new Promise((r) => setTimeout(r, 350));
    hub.erp.faults.latencyMs = 0;
    let v: any;
    for (let i = 0; i < 100; i++) {
      v = (await hub.api('GET', `/v1/orders/${res.body.id}`)).body;
      if (v.status !== 'pending_erp') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(v.status, 'accepted');
    assert.equal(v.erpOrderNumber, hub.erp.orders.get(res.body.id)?.orderNumber);
    assert.equal(hub.erp.orders.size, 1);
    assert.equal(hub.erp.calls.place, 1, 'placed once; the retry found it by reference');
    assert.ok(hub.erp.calls.find >= 1);
  } finally { await hub.stop(); }
});

test('ERP outage, fail policy: 503, reservation released, and the same key may try again', async () => {
  const hub = await startOrderHub({ erpTimeoutMs: 200 });
  try {
    await hub.stock('EF-1', 'DAL', 10);
    hub.erp.faults.outage = true;
    const body = { channel: 'strict', externalId: 'EF-A', customer: 'C-42', lines: [{ sku: 'EF-1', qty: 4 }] };
    const res = await hub.order(body, 'ef-key');
    assert.equal(res.status, 503);
    assert.equal(res.body.type, 'urn:crossdock:problem:erp_unavailable');
    assert.equal(await hub.available('EF-1', 'strict'), 10, 'reservation released');
    const failed = (await hub.api('GET', `/v1/orders/${res.body.orderId}`)).body;
    assert.equal(failed.status, 'erp_failed');
    hub.erp.faults.outage = false;
    const retry = await hub.order(body, 'ef-key');
    assert.equal(retry.status, 201, JSON.stringify(retry.body));
    assert.notEqual(retry.body.id, res.body.orderId);
    assert.equal(await hub.available('EF-1', 'strict'), 6);
    assert.equal(hub.erp.orders.size, 1);
  } finally { await hub.stop(); }
});
