import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { StorefrontSimulator } from '../sim/storefront-simulator.js';
import { startOrderHub } from './support/order-hub.js';
import { snapshot } from './support/test-hub.js';

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A hub whose storefront `shop` is the simulator, with the settings a test varies. */
function shopHub(store: StorefrontSimulator, adminUrl: string, settings: Record<string, unknown>) {
  process.env.OUT_SHOP_SECRET = 'out-shop-secret';
  return startOrderHub({
    file: {
      systems: {
        shop: {
          type: 'shopify',
          channel: 'queued',
          customer: 'C-42',
          webhookSecretEnv: 'OUT_SHOP_SECRET',
          adminUrl,
          locationId: store.locationId,
          ...settings,
        },
      },
    } as never,
  });
}

/** One count per item at DAL: item i of `prefix` gets `onHand(i)`. */
const counts = (n: number, firstSeq: number, prefix: string, ids: string, onHand: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => snapshot({ id: `${ids}-${i}`, seq: firstSeq + i, sku: `${prefix}-${i}`, location: 'DAL', onHand: onHand(i) }));

test('availability reaches the store through inventorySetQuantities within its rate limit, and shipments become fulfilments', { timeout: 60_000 }, async () => {
  const store = new StorefrontSimulator();
  const adminUrl = await store.start();
  const hub = await shopHub(store, adminUrl, { rateLimit: { perSecond: 2, burst: 40 }, retry: { maxAttempts: 20, baseMs: 100, maxMs: 2000 } });
  try {
    // 1,200 items at once: five 250-quantity calls plus lookups, well inside a bucket of 40.
    const events = counts(1200, 50_000, 'SF', 'snap', (i) => 1 + (i % 7));
    assert.equal((await hub.api('POST', '/v1/events', events)).body.accepted, 1200);
    await waitFor(
      'every figure at the store',
      () => store.items.size >= 1200 && [...Array(1200).keys()].every((i) => store.availableOf(`SF-${i}`) === 1 + (i % 7)),
    );
    assert.equal(store.calls.throttled, 0, "no 429: the hub kept to the store's budget");
    assert.ok(store.calls.mutations <= 10, `${store.calls.mutations} mutation calls for 1,200 items`);

    // A store order: captured from its webhook, shipped by the warehouse, fulfilled at the store with tracking.
    const body = JSON.stringify({ id: 4400000000000001, customer: { id: 1 }, line_items: [{ sku: 'SF-6', quantity: 2, price: '9.99' }] });
    const hook = (await fetch(`${hub.url}/hooks/shop`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': createHmac('sha256', 'out-shop-secret').update(body).digest('base64'),
      },
    }).then((r) => r.json())) as { status: string; orderId: string };
    assert.equal(hook.status, 'captured');
    await waitFor('the reservation at the store', () => store.availableOf('SF-6') === 5);
    await hub.api('POST', '/v1/events', [
      { id: 'rel-sf', type: 'order.released', source: 'erp-main', seq: 60_001, occurredAt: '2026-11-22T12:00:00Z', orderId: hook.orderId },
      {
        id: 'shp-sf',
        type: 'order.shipped',
        source: 'wms-dal',
        seq: 60_002,
        occurredAt: '2026-11-22T12:05:00Z',
        orderId: hook.orderId,
        location: 'DAL',
        lines: [{ sku: 'SF-6', qty: 2 }],
        tracking: { carrier: 'UPS', number: '1ZSF' },
      },
    ]);
    await waitFor('the fulfilment', () => store.fulfillments.length === 1);
    assert.deepEqual({ ...store.fulfillments[0], at: 0 }, { orderId: '4400000000000001', trackingNumber: '1ZSF', trackingCompany: 'UPS', at: 0 });
  } finally {
    await hub.stop();
    await store.close();
  }
});

test('GraphQL calls over the cost budget (200 with THROTTLED) are waited out and sent again: every figure reaches the store, none is dead-lettered', {
  timeout: 60_000,
}, async () => {
  const store = new StorefrontSimulator();
  const adminUrl = await store.start();
  // The first lookup and the first two settings of quantities are throttled, as the GraphQL Admin API does.
  store.faults.graphqlThrottled = 3;
  const hub = await shopHub(store, adminUrl, { rateLimit: { perSecond: 20, burst: 40 }, retry: { maxAttempts: 10, baseMs: 100, maxMs: 500 } });
  try {
    const events = counts(300, 70_000, 'TH', 'thr', (i) => 1 + (i % 5));
    assert.equal((await hub.api('POST', '/v1/events', events)).body.accepted, 300);
    await waitFor('every figure at the store', () => [...Array(300).keys()].every((i) => store.availableOf(`TH-${i}`) === 1 + (i % 5)), 45_000);
    assert.equal(store.calls.throttled, 3, 'the store throttled three calls');
    assert.deepEqual((await hub.api('GET', '/v1/dead-letters?destination=shop')).body.deadLetters, [], 'nothing given up on');
  } finally {
    await hub.stop();
    await store.close();
  }
});

test('with inventoryApi: rest, availability goes out through inventory_levels/set, one item a call, within the limit', { timeout: 60_000 }, async () => {
  const store = new StorefrontSimulator();
  const adminUrl = await store.start();
  const hub = await shopHub(store, adminUrl, { inventoryApi: 'rest', rateLimit: { perSecond: 2, burst: 40 } });
  try {
    const events = counts(20, 70_000, 'RS', 'rest', (i) => 3 + i);
    await hub.api('POST', '/v1/events', events);
    await waitFor('every figure at the store', () => [...Array(20).keys()].every((i) => store.availableOf(`RS-${i}`) === 3 + i));
    assert.equal(store.calls.mutations, 0, 'no GraphQL mutation');
    assert.equal(store.calls.throttled, 0);
  } finally {
    await hub.stop();
    await store.close();
  }
});
