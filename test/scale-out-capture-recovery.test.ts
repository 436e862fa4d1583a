/**
 * An api process that dies in the middle of a capture, on the scale-out backend: the order was
 * made (stock reserved) but the ERP never answered. Once the capture's lease runs out a worker
 * takes the order over, asks the ERP for it and commits it once; the client's retry with the same
 * key is answered with the order, never with a second one. Here the "dead" capture is one whose
 * ERP call never returns, in a process that keeps running (its lease runs out all the same).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ErpSimulator } from '../sim/erp-simulator.js';
import type { ErpConnector } from '../src/ports/erp.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { JetStreamEventLog } from '../src/adapters/nats/jetstream-event-log.js';
import { startScaleOutHub } from '../src/wiring/scale-out-hub.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { NETWORK, apiClient, snapshot, testConfig, tempDataDir } from './support/test-hub.js';
import { assertPlacedOnceEach } from './support/erp-placements.js';

test('a capture that died before the ERP answered is committed once by a worker, and its key answers that order', {
  skip: await skipReason(scaleOut),
  timeout: 60_000,
}, async () => {
  const namespace = `t_${randomBytes(5).toString('hex')}`;
  const erp = new ErpSimulator();
  // The first placement never returns (the process "died" waiting); later calls reach the ERP.
  let hang = true;
  // Ends the hung call when the test is done, so the server can close.
  let cutOff: (err: Error) => void = () => {};
  const connector: ErpConnector = {
    placeOrder: (order, timeoutMs) =>
      hang
        ? new Promise((_, reject) => {
            cutOff = reject;
          })
        : Promise.resolve(
            erp.place({
              externalReference: order.reference,
              customer: order.customer,
              channel: order.channel,
              channelOrderId: order.externalId,
              lines: order.lines.map((l) => ({ item: l.sku, quantity: l.qty })),
            }).order,
          )
            .then((o) => ({ orderNumber: o.orderNumber }))
            .finally(() => void timeoutMs),
    findOrder: async (reference) => {
      erp.calls.find++;
      const o = erp.orders.get(reference);
      return o ? { orderNumber: o.orderNumber } : undefined;
    },
    changeOrder: async () => {},
  };
  const file = {
    ...NETWORK,
    channels: { ...NETWORK.channels, queued: { locations: ['DAL', 'ATL'], onErpUnavailable: 'queue' as const } },
    customers: { 'C-42': { name: 'Lone Star Plumbing', active: true, creditHold: false } },
    erp: { timeoutMs: 200, retryBaseMs: 50, retryMaxMs: 200 },
  };
  const config = testConfig(tempDataDir(), file, { backend: 'scale-out', scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'all', namespace } });
  const hub = await startScaleOutHub({ config, logger: false, erp: connector });
  let abandoned: Promise<unknown> = Promise.resolve();
  try {
    const api = apiClient(hub.url);
    const stocked = await api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'ABC-100', location: 'DAL', onHand: 10 })]);
    assert.equal(stocked.body.accepted, 1);
    while (hub.view!.position < stocked.body.position) await new Promise((r) => setTimeout(r, 10));
    const body = { channel: 'queued', externalId: 'W-1', customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 4 }] };
    const headers = { 'idempotency-key': 'crash-1' };
    // The capture hangs in its ERP call: the client gives up on it.
    abandoned = api('POST', '/v1/orders', body, { headers }).catch(() => {});
    let found: { id: string } | undefined;
    for (let i = 0; i < 100 && !found; i++) {
      found = (await api('GET', '/v1/orders?channel=queued&externalId=W-1')).body.orders[0];
      if (!found) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(found, 'the order exists before the ERP answers');
    const available = await api('GET', '/v1/availability/ABC-100?channel=queued');
    assert.equal(available.body.available, 6, 'its stock is reserved');
    const inFlight = await api('POST', '/v1/orders', body, { headers });
    assert.equal(inFlight.status, 409, 'while the capture may still be running, its key is in flight');
    assert.equal(inFlight.body.type, 'urn:crossdock:problem:idempotency_key_in_use');
    hang = false;
    // The worker's sweep takes the order once the capture's lease (ERP timeout + 5 s) runs out.
    let order: { status: string; erpOrderNumber?: string } | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      order = (await api('GET', `/v1/orders/${found.id}`)).body;
      if (order!.status === 'accepted') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(order?.status, 'accepted');
    assert.equal(order?.erpOrderNumber, erp.orders.get(found.id)?.orderNumber);
    assertPlacedOnceEach(erp, [found.id]);
    assert.ok(erp.calls.find >= 1, 'the worker asked the ERP for the order before placing it');
    const retried = await api('POST', '/v1/orders', body, { headers });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.body.id, found.id, 'the retry is answered with the order the dead capture made');
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    const timeline = (await api('GET', `/v1/orders/${found.id}/timeline`)).body.entries.map((e: { step: string }) => e.step);
    assert.deepEqual(timeline, ['captured', 'erp.committed']);
  } finally {
    // Closing waits for the hung request, which ends once its call does.
    cutOff(new Error('the process that made this call is gone'));
    await hub.close();
    await abandoned;
    await dropSchema(DATABASE_URL, namespace);
    const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
    await log.destroy();
    await log.close();
  }
});
