import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, NETWORK, ADMIN_KEY, type TestHub } from './support/test-hub.js';

let hub: TestHub;
const READER_KEY = 'reader-key-abcdefghijklmnop';
before(async () => {
  hub = await startTestHub({ file: NETWORK, config: { apiKeys: [{ name: 'storefront', key: READER_KEY, scopes: ['availability:read'] }] } });
});
after(async () => {
  await hub.stop();
});

test('401 without a key or with an unknown one, 403 when the key lacks the scope', async () => {
  const none = await hub.api('GET', '/v1/channels', undefined, { key: null });
  assert.equal(none.status, 401);
  assert.equal(none.body.type, 'urn:crossdock:problem:unauthenticated');
  assert.equal((await hub.api('GET', '/v1/channels', undefined, { key: 'wrong-key' })).status, 401);
  const forbidden = await hub.api('POST', '/v1/events', [], { key: READER_KEY });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.requiredScope, 'events:write');
  assert.match(forbidden.body.detail, /storefront/);
  assert.equal((await hub.api('GET', '/v1/channels', undefined, { key: READER_KEY })).status, 200);
});

test('every response carries x-correlation-id, echoing the one sent', async () => {
  const echoed = await hub.api('GET', '/healthz', undefined, { headers: { 'x-correlation-id': 'order-W-1001-try-2' } });
  assert.equal(echoed.headers.get('x-correlation-id'), 'order-W-1001-try-2');
  const generated = await hub.api('GET', '/v1/nowhere');
  assert.equal(generated.status, 404);
  assert.match(generated.headers.get('x-correlation-id')!, /^[0-9a-f-]{36}$/);
  assert.equal(generated.body.correlationId, generated.headers.get('x-correlation-id'));
  const refused = await hub.api('GET', '/v1/channels', undefined, { key: null, headers: { 'x-correlation-id': 'abc' } });
  assert.equal(refused.headers.get('x-correlation-id'), 'abc');
});

test('serves health, Prometheus metrics, the OpenAPI document and a docs page', async () => {
  const health = await hub.api('GET', '/healthz', undefined, { key: null });
  assert.equal(health.status, 200);
  assert.equal((await hub.api('GET', '/metrics', undefined, { key: null })).status, 401, '/metrics needs a key unless auth.metricsPublic');
  assert.equal((await hub.api('GET', '/metrics', undefined, { key: READER_KEY })).status, 403);
  const metrics = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  const text = await metrics.text();
  assert.match(metrics.headers.get('content-type')!, /text\/plain/);
  assert.match(text, /# TYPE crossdock_events_total counter/);
  assert.match(text, /crossdock_http_request_seconds_bucket/);
  const doc = await hub.api('GET', '/openapi.json', undefined, { key: null });
  assert.equal(doc.body.openapi, '3.0.3');
  for (const path of [
    '/v1/events',
    '/v1/availability/{sku}',
    '/v1/availability/query',
    '/v1/availability/{sku}/explain',
    '/v1/locations/{id}',
    '/v1/channels/{id}',
    '/v1/items/{sku}',
    '/v1/channels/{id}/changes',
  ]) {
    assert.ok(doc.body.paths[path], `OpenAPI documents ${path}`);
  }
  assert.ok(doc.body.paths['/v1/events'].post.requestBody);
  const docs = await fetch(`${hub.url}/docs/`);
  assert.equal(docs.status, 200);
  assert.match(await docs.text(), /swagger/i);
});

test('validation errors on master data name the field', async () => {
  const res = await hub.api('PUT', '/v1/channels/bad', { locations: ['DAL'], safetyStock: -1, allocation: { percent: 120 } });
  assert.equal(res.status, 400);
  const paths = res.body.errors.map((e: { path: string }) => e.path);
  assert.ok(paths.includes('/safetyStock'), JSON.stringify(res.body));
  const unknownLoc = await hub.api('PUT', '/v1/channels/bad', { locations: ['DAL', 'NOWHERE'] });
  assert.equal(unknownLoc.status, 422);
  assert.deepEqual(
    unknownLoc.body.errors.map((e: { path: string }) => e.path),
    ['/locations/1'],
  );
  const badQuery = await hub.api('GET', '/v1/channels/web/changes?limit=zero');
  assert.equal(badQuery.status, 400);
  assert.equal(badQuery.body.errors[0].path, 'querystring/limit');
  const missingChannel = await hub.api('GET', '/v1/availability/X');
  assert.equal(missingChannel.status, 400);
  assert.ok(missingChannel.body.errors.some((e: { path: string }) => e.path.includes('channel')));
});
