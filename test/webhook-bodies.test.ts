/**
 * Storefront webhooks whose signed body is valid JSON but not an order (null, an array, a number, a
 * line that is not an object) are parked with the reason naming the field, on both backends; they
 * were answered 500 (the mapping read fields of null). An order id the store sent before with other
 * content is answered 422 naming /id, not a problem without the field. A body that is not JSON
 * where the parser's message quotes half of a character beyond the basic plane is parked with that
 * message made storable (PostgreSQL refused the lone surrogate: 500 on scale-out). Found by the
 * fuzz suite.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { embedded, scaleOut, skipReason, type Backend } from './support/backends.js';
import { startOrderHarness, type OrderHarness } from './support/order-hub.js';

const SECRET = 'webhook-bodies-secret';

for (const backend of [embedded, scaleOut] as Backend[]) {
  describe(`storefront webhook bodies on the ${backend.name} backend`, { skip: await skipReason(backend) }, () => {
    let hub: OrderHarness;
    let serial = 0;
    before(async () => {
      process.env.WEBHOOK_BODIES_SECRET = SECRET;
      hub = await startOrderHarness(backend, {
        file: { systems: { shop: { type: 'shopify', channel: 'queued', customer: 'C-42', webhookSecretEnv: 'WEBHOOK_BODIES_SECRET' } } } as never,
      });
      await hub.stock('ABC-100', 'DAL', 50);
    });
    after(() => hub?.stop());

    const hook = (raw: string) =>
      fetch(`${hub.url}/hooks/shop`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(raw).digest('base64'),
          'x-shopify-webhook-id': `wb-${++serial}`,
        },
        body: raw,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    test('a signed body that is JSON but not an order is parked naming the field', async () => {
      for (const [raw, path] of [
        ['null', '/'],
        ['[]', '/'],
        ['42', '/'],
        ['"text"', '/'],
        ['{"id":77,"line_items":[null]}', '/line_items/0'],
      ] as const) {
        const res = await hook(raw);
        assert.equal(res.status, 200, `${raw}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.status, 'parked');
        assert.ok(
          res.body.errors.some((e: { path: string }) => e.path === path),
          `${raw}: ${JSON.stringify(res.body.errors)}`,
        );
      }
    });

    test('a body whose JSON error quotes half of an emoji is parked, the message kept well-formed', async () => {
      const res = await hook('{"id":5,"x":😀😀😀}');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'parked');
      const listed = (await hub.api('GET', `/v1/inbound/parked?system=shop&limit=1000`)).body.parked as { id: number; errors: { message: string }[] }[];
      const kept = listed.find((p) => p.id === res.body.parkedId);
      assert.ok(kept, 'listed');
      assert.ok(
        kept.errors.every((e) => (e.message as unknown as { isWellFormed(): boolean }).isWellFormed()),
        JSON.stringify(kept.errors),
      );
    });

    test('an order id sent again with other content is refused naming /id, and the first capture stands', async () => {
      const order = (qty: number) => JSON.stringify({ id: 990001, line_items: [{ sku: 'ABC-100', quantity: qty, title: 'Copper elbow' }] });
      const first = await hook(order(2));
      assert.equal(first.body.status, 'captured', JSON.stringify(first.body));
      const changed = await hook(order(3));
      assert.equal(changed.status, 422);
      assert.equal(changed.body.type, 'urn:crossdock:problem:idempotency_key_reused');
      assert.deepEqual(
        changed.body.errors.map((e: { path: string }) => e.path),
        ['/id'],
      );
      await hub.settled();
      assert.equal(await hub.available('ABC-100'), 48);
    });
  });
}
