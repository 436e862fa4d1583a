import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { startOrderHub, type OrderHub } from './support/order-hub.js';
import { runCliSync } from './support/hub-process.js';
import { FIXTURES, fixturesSkip } from './support/fixtures.js';
import { tempDataDir } from './support/test-hub.js';

const MAPPINGS = fileURLToPath(new URL('../../config/mappings/', import.meta.url));
const skip = fixturesSkip();
let hub: OrderHub;

before(async () => {
  process.env.PORTAL_SECRET = 'portal-secret';
  process.env.WMS_REST_SECRET = 'wms-rest-secret';
  process.env.PORTAL2_SECRET = 'portal2-secret';
  hub = await startOrderHub({
    file: {
      channels: { portal: { locations: ['DAL', 'ATL'] }, queued: { locations: ['DAL', 'ATL'] } },
      systems: {
        portal: { type: 'rest-webhook', mapping: join(MAPPINGS, 'storefront-order.jsonata'), produces: 'order', channel: 'portal', secretEnv: 'PORTAL_SECRET' },
        'wms-rest': { type: 'rest-webhook', mapping: join(MAPPINGS, 'wms-adjustments.jsonata'), produces: 'events', secretEnv: 'WMS_REST_SECRET' },
        portal2: {
          type: 'rest-webhook',
          mapping: join(MAPPINGS, 'storefront-order.jsonata'),
          produces: 'order',
          channel: 'portal',
          secretEnv: 'PORTAL2_SECRET',
          idHeader: 'X-Message-Id',
          timestampHeader: 'X-Sent-At',
        },
      },
    } as never,
  });
});
after(async () => {
  await hub.stop();
});

const post = (system: string, body: string, secret: string) =>
  fetch(`${hub.url}/hooks/${system}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-signature': createHmac('sha256', secret).update(body).digest('hex') },
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

test('crossdock mappings test shows the canonical order a mapping makes of a real document, or what is wrong', { skip }, () => {
  const ok = runCliSync([
    'mappings',
    'test',
    join(MAPPINGS, 'storefront-order.jsonata'),
    '--produces',
    'order',
    join(FIXTURES, 'shopify/orders-create.webhook.json'),
  ]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const printed = JSON.parse(ok.stdout.slice(ok.stdout.indexOf('{')));
  assert.equal(printed.externalId, '1234');
  assert.deepEqual(
    printed.lines.map((l: { sku: string }) => l.sku),
    ['706405908216', '706405907431'],
  );
  const dir = tempDataDir();
  writeFileSync(join(dir, 'broken.jsonata'), '{ "channel": "portal", "lines": [] }');
  const bad = runCliSync(['mappings', 'test', join(dir, 'broken.jsonata'), '--produces', 'order', join(FIXTURES, 'shopify/orders-create.webhook.json')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /\/externalId: /);
  writeFileSync(join(dir, 'syntax.jsonata'), '{ "a": ');
  const syntax = runCliSync(['mappings', 'test', join(dir, 'syntax.jsonata'), '--produces', 'order', join(FIXTURES, 'shopify/orders-create.webhook.json')]);
  assert.equal(syntax.code, 1);
  assert.match(syntax.stderr, /syntax\.jsonata: does not compile/);
});

test('a signed REST order is mapped by its JSONata file and captured; unsigned is 401', async () => {
  await hub.stock('PT-1', 'DAL', 10);
  const order = JSON.stringify({
    order_number: 5001,
    line_items: [
      { sku: 'PT-1', quantity: 3, price: '4.50' },
      { sku: null, quantity: 1, price: '10.00' },
    ],
  });
  assert.equal((await post('portal', order, 'wrong')).status, 401);
  const res = await post('portal', order, 'portal-secret');
  assert.equal(res.body.status, 'captured', JSON.stringify(res.body));
  const found = (await hub.api('GET', '/v1/orders?channel=portal&externalId=5001')).body.orders[0];
  assert.deepEqual(
    found.lines.map((l: { sku: string; qty: number; reserved: number }) => [l.sku, l.qty, l.reserved]),
    [['PT-1', 3, 3]],
  );
  // What the mapping cannot make into an order is parked with the field named.
  const parked = await post('portal', JSON.stringify({ line_items: [] }), 'portal-secret');
  assert.equal(parked.body.status, 'parked');
  assert.ok(parked.body.errors.some((e: { path: string }) => e.path === '/externalId'));
});

test("a REST system's messages mapped to inventory events are ingested like any others", async () => {
  const notice = JSON.stringify({
    warehouse: 'DAL',
    sentAt: '2026-11-22T13:00:00Z',
    adjustments: [
      { ref: 'ADJ-1', seq: 9_100_001, item: 'PT-2', change: 12, reason: 'receipt' },
      { ref: 'ADJ-2', seq: 9_100_002, item: 'PT-2', change: -2, reason: 'damage' },
    ],
  });
  const res = await post('wms-rest', notice, 'wms-rest-secret');
  assert.deepEqual([res.body.status, res.body.accepted], ['ingested', 2]);
  assert.equal(await hub.available('PT-2'), 10);
  assert.equal((await post('wms-rest', notice, 'wms-rest-secret')).body.duplicates, 2, 'a re-sent notice changes nothing');
});

test('a REST system with id and timestamp headers: the signature binds the timestamp, a stale or repeated message is taken at most once', async () => {
  await hub.stock('PT-2', 'DAL', 10);
  const order = JSON.stringify({ order_number: 7001, line_items: [{ sku: 'PT-2', quantity: 1, price: '1.00' }] });
  const send = (body: string, headers: { id: string; at?: string; signedAt?: string }) => {
    const signedAt = headers.signedAt ?? headers.at;
    const signed = signedAt === undefined ? body : `${signedAt}.${body}`;
    return fetch(`${hub.url}/hooks/portal2`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-signature': createHmac('sha256', 'portal2-secret').update(signed).digest('hex'),
        'x-message-id': headers.id,
        ...(headers.at === undefined ? {} : { 'x-sent-at': headers.at }),
      },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  };
  const before = await hub.available('PT-2', 'portal');
  const now = String(Math.floor(Date.now() / 1000));
  assert.equal((await send(order, { id: 'm-1' })).status, 401, 'the timestamp header is required: the signature covers it');
  assert.equal((await send(order, { id: 'm-1', at: now, signedAt: String(Number(now) - 1) })).status, 401, 'a timestamp other than the signed one');
  const old = String(Math.floor(Date.now() / 1000) - 6 * 3600);
  const stale = await send(order, { id: 'm-1', at: old });
  assert.equal(stale.status, 422);
  assert.equal(stale.body.errors[0].path, 'headers/x-sent-at');
  const taken = await send(order, { id: 'm-1', at: now });
  assert.equal(taken.body.status, 'captured', JSON.stringify(taken.body));
  const repeat = await send(order, { id: 'm-1', at: now });
  assert.equal(repeat.body.status, 'duplicate');
  assert.equal(await hub.available('PT-2', 'portal'), before - 1);
});
