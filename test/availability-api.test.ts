import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { movement, snapshot, startTestHub, NETWORK, type TestHub } from './support/test-hub.js';

let hub: TestHub;
const now = Date.parse('2026-11-22T12:00:00Z');
before(async () => {
  hub = await startTestHub({ file: NETWORK, clock: { now: () => now } });
});
after(async () => {
  await hub.stop();
});

const figure = async (sku: string, channel: string) => (await hub.api('GET', `/v1/availability/${sku}?channel=${channel}`)).body.available as number;

test("computes each channel's figure from its own rule", async () => {
  await hub.api('POST', '/v1/events', [
    snapshot({ source: 'wms-dal', sku: 'A-1', location: 'DAL', onHand: 50, qualityHold: 3, damaged: 2 }),
    snapshot({ source: 'wms-atl', sku: 'A-1', location: 'ATL', onHand: 1 }),
  ]);
  assert.equal(await figure('A-1', 'web'), 43); // (50-3-2-2) + max(0, 1-2)
  assert.equal(await figure('A-1', 'amazon'), 36); // floor(45 × 0.8)
  assert.equal(await figure('A-1', 'b2b'), 46);
});

test('uses only the authoritative source; other sources are shadows shown in the explanation', async () => {
  await hub.api('POST', '/v1/events', [
    snapshot({ source: 'wms-dal', sku: 'S-1', location: 'DAL', onHand: 10 }),
    snapshot({ source: 'erp', sku: 'S-1', location: 'DAL', onHand: 999 }),
    movement({ source: 'wms-dal', sku: 'S-1', location: 'DAL', delta: { onHand: -3 }, reason: 'pick' }),
  ]);
  assert.equal(await figure('S-1', 'amazon'), 5); // floor(7 × 0.8)
  const ex = await hub.api('GET', '/v1/availability/S-1/explain?channel=amazon');
  assert.equal(ex.status, 200);
  assert.equal(ex.body.available, 5);
  assert.equal(ex.body.pool, 7);
  const dal = ex.body.locations[0];
  assert.equal(dal.authority, 'wms-dal');
  assert.equal(dal.onHand, 7);
  assert.equal(dal.net, 7);
  assert.deepEqual(
    dal.events.map((e: { type: string }) => e.type),
    ['inventory.snapshot', 'inventory.movement'],
  );
  assert.equal(dal.events[1].reason, 'pick');
  assert.deepEqual(dal.shadows, [{ source: 'erp', onHand: 999, qualityHold: 0, damaged: 0 }]);
});

test('answers batch lookups, marking unknown items, with one position', async () => {
  const res = await hub.api('POST', '/v1/availability/query', { channel: 'web', skus: ['A-1', 'NEVER-SEEN'] });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.items, [
    { sku: 'A-1', available: 43, known: true },
    { sku: 'NEVER-SEEN', available: 0, known: false },
  ]);
  assert.ok(Number.isInteger(res.body.position));
  assert.equal((await hub.api('POST', '/v1/availability/query', { channel: 'nope', skus: ['A-1'] })).status, 404);
  assert.equal((await hub.api('POST', '/v1/availability/query', { channel: 'web', skus: [] })).status, 400);
});

test('the change feed records every figure change once, in order, one per commit, and pages by cursor', async () => {
  const start = (await hub.api('GET', '/v1/channels/web/changes?after=0&limit=10000')).body.next;
  // Several movements of one item in one batch: one commit, so one change with the final figure.
  await hub.api('POST', '/v1/events', [
    snapshot({ source: 'wms-dal', sku: 'F-1', location: 'DAL', onHand: 10 }),
    movement({ source: 'wms-dal', sku: 'F-1', location: 'DAL', delta: { onHand: -1 } }),
    movement({ source: 'wms-dal', sku: 'F-1', location: 'DAL', delta: { onHand: -1 } }),
  ]);
  await hub.api('POST', '/v1/events', [movement({ source: 'wms-dal', sku: 'F-1', location: 'DAL', delta: { onHand: -2 } })]);
  // A movement that leaves the figure where it was (inside safety stock) records nothing.
  await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', sku: 'F-2', location: 'DAL', onHand: 1 })]);
  const page1 = await hub.api('GET', `/v1/channels/web/changes?after=${start}&limit=1`);
  assert.equal(page1.body.changes.length, 1);
  assert.deepEqual([page1.body.changes[0].sku, page1.body.changes[0].previous, page1.body.changes[0].available], ['F-1', 0, 6]);
  const page2 = await hub.api('GET', `/v1/channels/web/changes?after=${page1.body.next}`);
  assert.deepEqual(
    page2.body.changes.map((c: { sku: string; available: number }) => [c.sku, c.available]),
    [['F-1', 4]],
  );
  assert.equal(page2.body.changes[0].cursor, page1.body.next + 1);
  assert.equal((await hub.api('GET', '/v1/channels/nope/changes')).status, 404);
});

test('redefining a channel recomputes its figures and records the moves', async () => {
  await hub.api('PUT', '/v1/channels/flash', { locations: ['DAL'] });
  await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', sku: 'R-1', location: 'DAL', onHand: 100 })]);
  assert.equal(await figure('R-1', 'flash'), 100);
  const res = await hub.api('PUT', '/v1/channels/flash', { locations: ['DAL'], allocation: { max: 10 } });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.allocation, { max: 10 });
  assert.equal(await figure('R-1', 'flash'), 10);
  const feed = await hub.api('GET', '/v1/channels/flash/changes');
  assert.deepEqual(
    feed.body.changes.filter((c: { sku: string }) => c.sku === 'R-1').map((c: { available: number }) => c.available),
    [100, 10],
  );
  const listed = await hub.api('GET', '/v1/channels/flash');
  assert.deepEqual(listed.body.locations, ['DAL']);
});

test('a figure is never negative however far stock goes below zero', async () => {
  await hub.api('POST', '/v1/events', [movement({ source: 'wms-dal', sku: 'NEG-1', location: 'DAL', delta: { onHand: -40 }, reason: 'pick' })]);
  assert.equal(await figure('NEG-1', 'web'), 0);
  const ex = await hub.api('GET', '/v1/availability/NEG-1/explain?channel=web');
  assert.equal(ex.body.locations[0].onHand, -40);
  assert.equal(ex.body.locations[0].net, 0);
});

test('lists and reads locations and channels; unknown ones are 404 problems', async () => {
  const locations = await hub.api('GET', '/v1/locations');
  assert.deepEqual(locations.body.locations.map((l: { id: string }) => l.id).sort(), ['ATL', 'DAL']);
  assert.deepEqual((await hub.api('GET', '/v1/locations/ATL')).body, { id: 'ATL', name: 'Atlanta DC', authority: 'wms-atl' });
  const missing = await hub.api('GET', '/v1/locations/NOPE');
  assert.equal(missing.status, 404);
  assert.match(missing.body.detail, /NOPE/);
  const channels = await hub.api('GET', '/v1/channels');
  assert.ok(channels.body.channels.some((c: { id: string; safetyStock: number }) => c.id === 'web' && c.safetyStock === 2));
  assert.equal((await hub.api('GET', '/v1/channels/nope')).status, 404);
  const badLocation = await hub.api('PUT', '/v1/locations/X', { name: 'X' });
  assert.equal(badLocation.status, 400);
  assert.ok(badLocation.body.errors.some((e: { path: string }) => e.path === '/authority'));
});

test('a plain lookup answers exactly as the route does through the framework, and anything else falls through to it', async () => {
  await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', sku: 'P-1', location: 'DAL', onHand: 9 })]);
  // A plain lookup is answered before Fastify; one with an extra query parameter goes through it.
  const plain = await hub.api('GET', '/v1/availability/P-1?channel=web', undefined, { headers: { 'x-correlation-id': 'corr-plain' } });
  const routed = await hub.api('GET', '/v1/availability/P-1?channel=web&via=route', undefined, { headers: { 'x-correlation-id': 'corr-routed' } });
  assert.equal(plain.status, 200);
  assert.deepEqual(plain.body, routed.body);
  assert.deepEqual(plain.body, { sku: 'P-1', channel: 'web', available: 7, position: plain.body.position });
  assert.equal(plain.headers.get('content-type'), routed.headers.get('content-type'));
  assert.equal(plain.headers.get('x-correlation-id'), 'corr-plain');
  assert.equal(routed.headers.get('x-correlation-id'), 'corr-routed');
  assert.match((await hub.api('GET', '/v1/availability/P-1?channel=web')).headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
  // Every refusal is the route's own problem answer.
  const unknownItem = await hub.api('GET', '/v1/availability/NOPE-1?channel=web');
  assert.equal(unknownItem.status, 404);
  assert.equal(unknownItem.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal((await hub.api('GET', '/v1/availability/P-1?channel=nope')).status, 404);
  assert.equal((await hub.api('GET', '/v1/availability/P-1?channel=web', undefined, { key: null })).status, 401);
  assert.equal((await hub.api('GET', '/v1/availability/P-1?channel=web', undefined, { key: 'not-a-key' })).status, 401);
  assert.equal((await hub.api('GET', '/v1/availability/P-1?channel=')).status, 400);
  // An escaped SKU is decoded by the framework, as before.
  await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', sku: 'P 2/x', location: 'DAL', onHand: 5 })]);
  const escaped = await hub.api('GET', `/v1/availability/${encodeURIComponent('P 2/x')}?channel=web`);
  assert.equal(escaped.status, 200);
  assert.equal(escaped.body.sku, 'P 2/x');
  // Lookups through either path are counted under the route in /metrics.
  const metrics = (await hub.api('GET', '/metrics')).body as string;
  assert.match(metrics, /crossdock_http_request_seconds_count\{route="\/v1\/availability\/:sku",method="GET",status="200"\} \d+/);
});
