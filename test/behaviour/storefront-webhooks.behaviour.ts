/**
 * Orders arriving by storefront webhook, as both backends must take them: a real Shopify
 * orders/create (../shared/fixtures) verified by its HMAC, parked whole while one of its items is
 * unknown, captured on replay once the cause is fixed, captured once however often the store
 * retries, and cancelled by orders/cancelled. Run by storefront-webhooks-embedded.test.ts and
 * storefront-webhooks-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { skipReason, type Backend } from '../support/backends.js';
import { fixture, fixturesSkip } from '../support/fixtures.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

const SECRET = 'test-shop-secret';

export async function storefrontWebhookBehaviour(backend: Backend): Promise<void> {
  const skip = fixturesSkip() || (await skipReason(backend));
  describe(`storefront webhooks on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    let body: string;
    before(async () => {
      body = fixture('shopify/orders-create.webhook.json');
      process.env.TEST_SHOP_SECRET = SECRET;
      hub = await startOrderHarness(backend, {
        file: { systems: { shop: { type: 'shopify', channel: 'queued', customer: 'C-42', webhookSecretEnv: 'TEST_SHOP_SECRET' } } } as never,
      });
    });
    after(async () => {
      await hub?.stop();
    });

    const sign = (raw: string, secret = SECRET) => createHmac('sha256', secret).update(raw).digest('base64');
    const hook = (raw: string, topic: string, signature = sign(raw)) =>
      fetch(`${hub.url}/hooks/shop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': signature, 'x-shopify-webhook-id': 'w-1' },
        body: raw,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    test('a signed orders/create is captured once; an unsigned or tampered one is refused', async () => {
      assert.equal((await hook(body, 'orders/create', sign(body, 'wrong'))).status, 401);
      assert.equal((await hook(`${body} `, 'orders/create', sign(body))).status, 401);
      // One of its two items is not known yet: parked with the reason, nothing reserved.
      await hub.stock('706405908216', 'DAL', 10);
      const parked = await hook(body, 'orders/create');
      assert.equal(parked.status, 200);
      assert.equal(parked.body.status, 'parked');
      assert.ok(parked.body.errors.some((e: { path: string; message: string }) => e.path === '/lines/1/sku' && /706405907431/.test(e.message)));
      assert.equal(await hub.available('706405908216'), 10);
      const listed = (await hub.api('GET', '/v1/inbound/parked?system=shop')).body.parked;
      assert.equal(listed.length, 1);
      assert.equal(listed[0].body, body, 'kept exactly as it arrived');
      // The cause is fixed; the replay captures it.
      await hub.stock('706405907431', 'ATL', 10);
      const replayed = await hub.api('POST', `/v1/inbound/parked/${listed[0].id}/replay`);
      assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
      assert.equal(replayed.body.outcome.status, 'captured');
      assert.equal(replayed.body.parked.status, 'replayed');
      const orderId = replayed.body.outcome.orderId;
      const order = (await hub.api('GET', `/v1/orders/${orderId}`)).body;
      assert.equal(order.externalId, '820982911946154508');
      assert.equal(order.customer, 'C-42');
      assert.deepEqual(
        order.lines.map((l: { sku: string; qty: number }) => [l.sku, l.qty]),
        [
          ['706405908216', 1],
          ['706405907431', 1],
        ],
      );
      assert.equal(await hub.available('706405908216'), 9);
      // The store retries its webhook: the same order, not a second one.
      const again = await hook(body, 'orders/create');
      assert.equal(again.body.orderId, orderId);
      assert.equal(await hub.available('706405908216'), 9);
      assert.equal((await hub.api('POST', `/v1/inbound/parked/${listed[0].id}/replay`)).status, 409);

      const cancelled = await hook(body, 'orders/cancelled');
      assert.deepEqual(cancelled.body, { status: 'cancelled', orderId });
      assert.equal(await hub.available('706405908216'), 10);
      assert.equal((await hook('{"id": 1}', 'products/update')).body.status, 'ignored');
      assert.equal((await hook('{not json', 'orders/create')).body.status, 'parked');
      assert.equal((await fetch(`${hub.url}/hooks/nobody`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);
    });
  });
}
