/**
 * /metrics times each answer as the caller waited for it: an order capture whose ERP takes
 * 150 ms is counted above 0.1 s, not at zero. (Fastify times a request only when an onResponse
 * hook exists; without one every route's latency read 0.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrderHub, type OrderHub } from './support/order-hub.js';

let hub: OrderHub;
before(async () => {
  hub = await startOrderHub();
});
after(async () => {
  await hub.stop();
});

const series = (text: string, le: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`crossdock_http_request_seconds_bucket{le="${le}",route="/v1/orders",method="POST",status="201"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};

test('records the latency of an answer as the caller saw it', async () => {
  await hub.stock('MET-1', 'DAL', 5);
  hub.erp.faults.latencyMs = 150;
  try {
    const res = await hub.order({ channel: 'queued', externalId: 'MET-1', customer: 'C-42', lines: [{ sku: 'MET-1', qty: 1 }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  } finally {
    hub.erp.faults.latencyMs = 0;
  }
  const text = (await hub.api('GET', '/metrics')).body as string;
  assert.equal(series(text, '+Inf'), 1);
  assert.equal(series(text, '0.1'), 0, 'a 150 ms answer counted at or below 0.1 s');
  // Refusals are timed too, under their own status.
  assert.equal((await hub.order({ channel: 'queued', externalId: 'MET-2', customer: 'C-42', lines: [{ sku: 'MET-1', qty: 99 }] })).status, 409);
  assert.match((await hub.api('GET', '/metrics')).body, /crossdock_http_request_seconds_count\{route="\/v1\/orders",method="POST",status="409"\} 1/);
});
