/**
 * Orders arriving by storefront webhook, as both backends must take them: a real Shopify
 * orders/create (../shared/fixtures) verified by its HMAC, parked whole while one of its items is
 * unknown, captured on replay once the cause is fixed, captured once however often the store
 * retries, and cancelled by orders/cancelled; each body checked against its topic (a fulfilment is
 * no order); orders/updated captures an order not captured yet, cancels one the store cancelled,
 * says what it leaves alone and parks a change of lines. Run by storefront-webhooks-embedded.test.ts and
 * storefront-webhooks-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { skipReason, type Backend } from '../support/backends.js';
import { fixture, fixturesSkip } from '../support/fixtures.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { until } from '../support/until.js';

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
        file: {
          systems: {
            shop: { type: 'shopify', channel: 'queued', customer: 'C-42', webhookSecretEnv: 'TEST_SHOP_SECRET' },
            // The hub customer is named from the store's: SHOP- and the order's customer id.
            accounts: { type: 'shopify', channel: 'queued', customerPrefix: 'SHOP-', webhookSecretEnv: 'TEST_SHOP_SECRET' },
          },
        } as never,
      });
    });
    after(async () => {
      await hub?.stop();
    });

    const sign = (raw: string, secret = SECRET) => createHmac('sha256', secret).update(raw).digest('base64');
    let webhookIds = 0;
    /** Sends a webhook as Shopify does: each with its own id (a retry keeps it: pass `headers`), triggered now. */
    const hook = (raw: string, topic: string, signature = sign(raw), headers: Record<string, string> = {}, system = 'shop') =>
      fetch(`${hub.url}/hooks/${system}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': topic,
          'x-shopify-hmac-sha256': signature,
          'x-shopify-webhook-id': `w-${backend.name}-${++webhookIds}`,
          'x-shopify-triggered-at': new Date().toISOString(),
          ...headers,
        },
        body: raw,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    /**
     * A real order's orders/create body: the fixture is Shopify's test notification, whose sample
     * order is cancelled; a store's new order is not (cancelled_at null). Edited as text, since
     * the order id exceeds JavaScript's safe integers.
     */
    const newOrderBody = (storeOrderId: string) =>
      body
        .replace('820982911946154508', storeOrderId)
        .replace(/"cancelled_at":\s*"[^"]*"/, '"cancelled_at": null')
        .replace(/"cancel_reason":\s*"[^"]*"/, '"cancel_reason": null');
    const orderByStoreId = async (storeOrderId: string) =>
      (await hub.api('GET', `/v1/orders?channel=queued&externalId=${storeOrderId}`)).body.orders[0] as { id: string; status: string } | undefined;

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

    test('a captured orders/create body re-sent as orders/cancelled is refused naming the topic, and the order is not cancelled', async () => {
      await hub.stock('706405908216', 'DAL', 10);
      await hub.stock('706405907431', 'ATL', 10);
      const raw = newOrderBody('820982911946100001');
      const before = await hub.available('706405908216');
      const created = await hook(raw, 'orders/create');
      assert.equal(created.body.status, 'captured', JSON.stringify(created.body));
      const orderId = created.body.orderId as string;
      assert.equal(await hub.available('706405908216'), before - 1);

      // The same signed bytes, replayed under another topic (and another webhook id).
      const replayed = await hook(raw, 'orders/cancelled', sign(raw));
      assert.equal(replayed.status, 422, JSON.stringify(replayed.body));
      assert.equal(replayed.body.type, 'urn:crossdock:problem:topic_mismatch');
      assert.equal(replayed.body.errors[0].path, 'headers/x-shopify-topic');
      assert.match(replayed.body.errors[0].message, /cancelled_at is null/);
      assert.equal((await hub.api('GET', `/v1/orders/${orderId}`)).body.status === 'cancelled', false, 'the order is not cancelled');
      assert.equal(await hub.available('706405908216'), before - 1, 'its reservation is held');
      const toErp = (await hub.api('GET', '/v1/outbox?destination=erp&limit=1000')).body.messages as { topic: string; messageKey: string }[];
      assert.ok(!toErp.some((m) => m.topic === 'order.cancel' && m.messageKey === orderId), 'the ERP is told of no cancellation');

      // The store really cancels it: its orders/cancelled body says so, and is taken.
      const cancelledBody = raw.replace('"cancelled_at": null', '"cancelled_at": "2026-12-06T10:00:00-05:00"');
      assert.deepEqual((await hook(cancelledBody, 'orders/cancelled')).body, { status: 'cancelled', orderId });
      assert.equal(await hub.available('706405908216'), before);
      // Not an order at all under an order topic: it cannot act as one, and is kept (parked, naming the field).
      const notAnOrder = await hook('{"id": 5, "inventory_item_id": 7}', 'orders/create');
      assert.equal(notAnOrder.status, 200, JSON.stringify(notAnOrder.body));
      assert.equal(notAnOrder.body.status, 'parked');
      assert.equal(await hub.available('706405908216'), before, 'it changed nothing');
    });

    test('a fulfilment sent as orders/create is refused naming what it is; an order sent as fulfillments/create too', async () => {
      await hub.stock('IPOD2008GREEN', 'DAL', 10);
      // The fulfilment inside the REST Order resource: the fulfillments/create body (it has line_items as an order does).
      const fulfilment = JSON.stringify((JSON.parse(fixture('shopify/order.json')) as { order: { fulfillments: unknown[] } }).order.fulfillments[0]);
      const asOrder = await hook(fulfilment, 'orders/create');
      assert.equal(asOrder.status, 422, JSON.stringify(asOrder.body));
      assert.equal(asOrder.body.type, 'urn:crossdock:problem:topic_mismatch');
      assert.match(asOrder.body.errors[0].message, /a fulfilment of order 450789469 .*not an order/);
      assert.equal(await orderByStoreId('255858046'), undefined, 'nothing captured');
      assert.equal(await hub.available('IPOD2008GREEN'), 10);
      // Under its own topic it is read and not taken: the hub ships from its own locations.
      assert.equal((await hook(fulfilment, 'fulfillments/create')).body.status, 'ignored');
      const anOrder = newOrderBody('820982911946100009');
      const orderAsFulfilment = await hook(anOrder, 'fulfillments/create');
      assert.equal(orderAsFulfilment.status, 422);
      assert.match(orderAsFulfilment.body.errors[0].message, /is an order .*not a fulfilment/);
      assert.equal(await orderByStoreId('820982911946100009'), undefined);
    });

    test('orders/updated captures an order not captured yet, leaves alone what the hub order does not hold, amends changed lines and cancels a cancelled order', async () => {
      await hub.stock('706405908216', 'DAL', 10);
      await hub.stock('706405907431', 'ATL', 10);
      const before = await hub.available('706405908216');
      const raw = newOrderBody('820982911946100006');
      // Shopify may deliver orders/updated before orders/create: the order is captured once.
      const first = await hook(raw, 'orders/updated');
      assert.equal(first.body.status, 'captured', JSON.stringify(first.body));
      const orderId = first.body.orderId as string;
      assert.equal((await hook(raw, 'orders/create')).body.orderId, orderId, 'the same order, not a second one');
      assert.equal(await hub.available('706405908216'), before - 1);
      // A new note and shipping address: nothing the hub order holds changed.
      const noted = raw.replace('"note": null', '"note": "leave at the back door"').replace('123 Shipping Street', '9 Other Road');
      const unchanged = await hook(noted, 'orders/updated');
      assert.equal(unchanged.body.status, 'unchanged', JSON.stringify(unchanged.body));
      assert.equal(unchanged.body.orderId, orderId);
      assert.match(unchanged.body.ignored, /addresses, note/);
      // The store edited a quantity: the hub order is amended in place, its stock and the ERP follow.
      const edited = raw.replace(/"quantity": 1,/, '"quantity": 3,');
      const amended = await hook(edited, 'orders/updated');
      assert.equal(amended.body.status, 'amended', JSON.stringify(amended.body));
      assert.equal(amended.body.orderId, orderId);
      await hub.settled();
      assert.equal(await hub.available('706405908216'), before - 3);
      const order = (await hub.api('GET', `/v1/orders/${orderId}`)).body;
      assert.deepEqual(
        order.lines.map((l: { sku: string; qty: number }) => l.qty),
        [3, 1],
      );
      await until(
        'the ERP to receive the change',
        async () => hub.erp.changes.filter((c) => c.externalReference === orderId).length,
        (n) => n === 1,
      );
      // Released to the warehouse, the order takes no more changes: the update is parked with the reason, nothing changed.
      const released = await hub.api('POST', '/v1/events', [
        { id: `rel-${orderId}`, type: 'order.released', source: 'erp-main', seq: 7_000_001, occurredAt: '2026-12-06T09:00:00Z', orderId },
      ]);
      assert.equal(released.status, 200, JSON.stringify(released.body));
      await hub.settled();
      const late = await hook(raw, 'orders/updated');
      assert.equal(late.body.status, 'parked', JSON.stringify(late.body));
      assert.match(late.body.reason, /706405908216: 3 → 1.*released/);
      assert.equal(await hub.available('706405908216'), before - 3);
      // The store cancels it: orders/updated with cancelled_at set cancels, and the orders/cancelled Shopify sends beside it finds it done.
      const cancelled = raw.replace('"cancelled_at": null', '"cancelled_at": "2026-12-06T10:00:00-05:00"');
      assert.deepEqual((await hook(cancelled, 'orders/updated')).body, { status: 'cancelled', orderId });
      assert.equal(await hub.available('706405908216'), before);
      const second = await hook(cancelled, 'orders/cancelled');
      assert.equal(second.body.status, 'unchanged', JSON.stringify(second.body));
      assert.equal((await hub.api('GET', `/v1/orders/${orderId}`)).body.status, 'cancelled');
    });

    test('an order edit that removes units (current_quantity below quantity, or 0) amends the hub order to what is left', async () => {
      await hub.stock('706405908216', 'DAL', 10);
      await hub.stock('706405907431', 'ATL', 10);
      const before = await hub.available('706405908216');
      const raw = newOrderBody('820982911946100008').replace(/"quantity": 1,/, '"quantity": 3,');
      const first = await hook(raw, 'orders/create');
      assert.equal(first.body.status, 'captured', JSON.stringify(first.body));
      const orderId = first.body.orderId as string;
      assert.equal(await hub.available('706405908216'), before - 3);
      // Shopify keeps quantity as ordered and says what is left in current_quantity.
      const edited = raw
        .replace(/"quantity": 3,/, '"quantity": 3, "current_quantity": 1,')
        .replace(/("quantity": 1,)(?![\s\S]*"quantity": 1,)/, '"quantity": 1, "current_quantity": 0,');
      assert.notEqual(edited, raw);
      const amended = await hook(edited, 'orders/updated');
      assert.equal(amended.body.status, 'amended', JSON.stringify(amended.body));
      await hub.settled();
      assert.deepEqual(
        (await hub.api('GET', `/v1/orders/${orderId}`)).body.lines.map((l: { sku: string; qty: number }) => [l.sku, l.qty]),
        [['706405908216', 1]],
      );
      assert.equal(await hub.available('706405908216'), before - 1);
    });

    test('a webhook id is taken once, whatever body comes with it again; a refused webhook claims no id', async () => {
      await hub.stock('706405908216', 'DAL', 10);
      await hub.stock('706405907431', 'ATL', 10);
      const before = await hub.available('706405908216');
      const first = await hook(newOrderBody('820982911946100002'), 'orders/create', undefined, { 'x-shopify-webhook-id': 'dup-1' });
      assert.equal(first.body.status, 'captured');
      assert.equal(await hub.available('706405908216'), before - 1);
      // Another order under the same webhook id: a repeat, answered 200 so the sender stops, and nothing captured.
      const other = newOrderBody('820982911946100003');
      const again = await hook(other, 'orders/create', sign(other), { 'x-shopify-webhook-id': 'dup-1' });
      assert.equal(again.status, 200);
      assert.equal(again.body.status, 'duplicate');
      assert.equal(await orderByStoreId('820982911946100003'), undefined, 'not captured');
      assert.equal(await hub.available('706405908216'), before - 1);
      // A refused webhook (bad signature) claims nothing: the genuine one with that id is taken.
      assert.equal((await hook(other, 'orders/create', sign(other, 'wrong'), { 'x-shopify-webhook-id': 'dup-2' })).status, 401);
      assert.equal((await hook(other, 'orders/create', sign(other), { 'x-shopify-webhook-id': 'dup-2' })).body.status, 'captured');
      assert.ok(await orderByStoreId('820982911946100003'));
    });

    test("a store's customer names the hub customer by prefix: the order's own customer, though Shopify's values say 'customer' before it", async () => {
      await hub.stock('706405908216', 'DAL', 10);
      await hub.stock('706405907431', 'ATL', 10);
      assert.equal((await hub.api('PUT', '/v1/customers/SHOP-115310627314723954', { name: 'Shopify buyer', active: true, creditHold: false })).status, 201);
      // The fixture as Shopify sends it ("cancel_reason": "customer" comes first), under an order id of its own.
      const raw = body.replace('820982911946154508', '820982911946100005');
      assert.match(raw.slice(0, raw.indexOf('"customer": {')), /"cancel_reason": "customer"/);
      const sent = await hook(raw, 'orders/create', sign(raw), {}, 'accounts');
      assert.equal(sent.body.status, 'captured', JSON.stringify(sent.body));
      assert.equal((await hub.api('GET', `/v1/orders/${sent.body.orderId}`)).body.customer, 'SHOP-115310627314723954');
      // A nested "customer" object and a note naming the word come before the order's own: still the order's.
      const nested = newOrderBody('820982911946100007').replace(
        '"note_attributes": [',
        '"note_attributes": [{"name": "customer", "value": "x"}, {"name": "by", "value": {"customer": {"id": 7}}}',
      );
      assert.notEqual(nested, newOrderBody('820982911946100007'));
      const second = await hook(nested, 'orders/create', sign(nested), {}, 'accounts');
      assert.equal(second.body.status, 'captured', JSON.stringify(second.body));
      assert.equal((await hub.api('GET', `/v1/orders/${second.body.orderId}`)).body.customer, 'SHOP-115310627314723954');
    });

    test('a webhook triggered longer ago than the replay window, or too far ahead, is refused naming the header; nothing is captured', async () => {
      await hub.stock('706405908216', 'DAL', 10);
      await hub.stock('706405907431', 'ATL', 10);
      const raw = newOrderBody('820982911946100004');
      const before = await hub.available('706405908216');
      const sixHoursAgo = new Date(Date.now() - 6 * 3_600_000).toISOString();
      const stale = await hook(raw, 'orders/create', sign(raw), { 'x-shopify-triggered-at': sixHoursAgo });
      assert.equal(stale.status, 422);
      assert.equal(stale.body.type, 'urn:crossdock:problem:stale_webhook');
      assert.equal(stale.body.errors[0].path, 'headers/x-shopify-triggered-at');
      assert.match(stale.body.errors[0].message, /older than the replay window \(webhooks.maxAgeSeconds = 18000\)/);
      const ahead = await hook(raw, 'orders/create', sign(raw), { 'x-shopify-triggered-at': new Date(Date.now() + 3_600_000).toISOString() });
      assert.equal(ahead.status, 422);
      const garbled = await hook(raw, 'orders/create', sign(raw), { 'x-shopify-triggered-at': 'yesterday' });
      assert.equal(garbled.status, 422);
      assert.equal(await orderByStoreId('820982911946100004'), undefined);
      assert.equal(await hub.available('706405908216'), before);
      // Shopify's retry within the window (triggered 4 hours ago, nanosecond precision) is taken.
      const fourHoursAgo = new Date(Date.now() - 4 * 3_600_000).toISOString().replace('Z', '123456Z');
      assert.equal((await hook(raw, 'orders/create', sign(raw), { 'x-shopify-triggered-at': fourHoursAgo })).body.status, 'captured');
    });
  });
}
