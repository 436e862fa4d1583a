import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shopifyOrderToRequest, storeLinesOf, topLevelNumberField } from './shopify-order.js';
import { verifyShopifyWebhook } from './verify-shopify-webhook.js';
import * as crypto from 'node:crypto';

// Written as text, as a store sends it: a JavaScript number literal would already have lost the id's last digits.
const order =
  '{"id": 820982911946154508, "name": "#9999", "customer": {"id": 115310627314723954, "email": "a@b.c"}, ' +
  '"line_items": [{"id": 1, "sku": "A-1", "quantity": 2}, {"id": 2, "sku": "A-1", "quantity": 1}, {"id": 3, "sku": "B-2", "quantity": 1}]}';

test('reads the order id from the text: Shopify ids are beyond safe integers', () => {
  assert.equal(topLevelNumberField(order, 'id'), '820982911946154508');
  assert.notEqual(String(JSON.parse(order).id), '820982911946154508');
  assert.equal(topLevelNumberField('{"line_items":[{"id":5}],"id":7}', 'id'), '7', "nested ids are not the order's");
  assert.equal(topLevelNumberField('{"note":"\\"id\\": 3","id":8}', 'id'), '8', 'ids inside strings are skipped');
  assert.equal(
    topLevelNumberField('{"id": 1, "note": "x", "id": 2}', 'id'),
    String(JSON.parse('{"id": 1, "note": "x", "id": 2}').id),
    'a field named twice is its last, as JSON.parse reads it',
  );
});

test("the prefixed customer is the order's own customer id, wherever the word 'customer' comes before it", () => {
  const prefixed = (raw: string) => {
    const mapped = shopifyOrderToRequest(raw, { channel: 'web', customerPrefix: 'p-', backorder: 'reject' });
    return mapped.ok ? mapped.request.customer : mapped.errors.map((e) => e.path).join();
  };
  const lines = '"line_items": [{"sku": "A", "quantity": 1, "properties": [{"name": "customer", "value": {"customer": {"id": 9}}}]}]';
  assert.equal(prefixed(`{"id": 5, "cancel_reason": "customer", ${lines}, "customer": {"email": "a@b.c", "default_address": {"id": 3}, "id": 12}}`), 'p-12');
  assert.equal(prefixed(`{"id": 5, ${lines}, "customer": null}`), '/customer/id');
  assert.equal(prefixed(`{"id": 5, ${lines}}`), '/customer/id');
  assert.equal(prefixed(`{"id": 5, ${lines}, "customer": {"id": "12"}}`), '/customer/id', 'an id written as a string is not a store id');
});

test('maps a Shopify order to a hub order: one line per SKU, the fixed or prefixed customer', () => {
  const fixed = shopifyOrderToRequest(order, { channel: 'web', customer: 'C-WEB', backorder: 'allow' });
  assert.deepEqual(fixed, {
    ok: true,
    orderId: '820982911946154508',
    request: {
      channel: 'web',
      externalId: '820982911946154508',
      customer: 'C-WEB',
      lines: [
        { sku: 'A-1', qty: 3 },
        { sku: 'B-2', qty: 1 },
      ],
      backorder: 'allow',
    },
    sources: [[0, 1], [2]],
  });
  const prefixed = shopifyOrderToRequest(order, { channel: 'web', customerPrefix: 'shop-', backorder: 'reject' });
  assert.equal(prefixed.ok && prefixed.request.customer, 'shop-115310627314723954');
});

test('names what is wrong with an order it cannot map', () => {
  const bad = shopifyOrderToRequest(
    JSON.stringify({
      id: 1,
      line_items: [
        { title: 'Gift card', quantity: 1 },
        { sku: 'X', quantity: 0 },
      ],
    }),
    { channel: 'web', backorder: 'allow' },
  );
  assert.equal(bad.ok, false);
  assert.deepEqual(!bad.ok && bad.errors.map((e) => e.path), ['/customer/id', '/line_items/0/sku', '/line_items/1/quantity']);
  assert.equal(shopifyOrderToRequest('{not json', { channel: 'web', customer: 'C', backorder: 'allow' }).ok, false);
});

test("a line's item is what the translation says: a store's variant mapped to a hub SKU, lines of one SKU merged", () => {
  const withVariants =
    '{"id": 5, "line_items": [{"sku": "STORE-A", "variant_id": 39072856, "quantity": 2}, {"variant_id": 808950810, "quantity": 1}, {"sku": "", "variant_id": 1, "quantity": 1}]}';
  assert.deepEqual(storeLinesOf(withVariants), [{ sku: 'STORE-A', variantId: '39072856' }, { variantId: '808950810' }, { variantId: '1' }]);
  const skus: Record<string, string> = { '39072856': 'ABC-100', '808950810': 'ABC-100' };
  const mapped = shopifyOrderToRequest(withVariants, { channel: 'web', customer: 'C', backorder: 'allow' }, (l) => skus[l.variantId ?? ''] ?? l.sku);
  assert.ok(!mapped.ok);
  assert.deepEqual(
    mapped.errors.map((e) => e.path),
    ['/line_items/2/sku'],
    'a line neither mapped nor carrying a SKU is named',
  );
  skus['1'] = 'XYZ-200';
  const whole = shopifyOrderToRequest(withVariants, { channel: 'web', customer: 'C', backorder: 'allow' }, (l) => skus[l.variantId ?? ''] ?? l.sku);
  assert.ok(whole.ok);
  assert.deepEqual(whole.request.lines, [
    { sku: 'ABC-100', qty: 3 },
    { sku: 'XYZ-200', qty: 1 },
  ]);
  assert.deepEqual(whole.sources, [[0, 1], [2]]);
});

test('verifies the HMAC of the raw body, in constant time', () => {
  const { createHmac } = crypto;
  const sig = createHmac('sha256', 'secret').update(order).digest('base64');
  assert.equal(verifyShopifyWebhook(order, sig, 'secret'), true);
  assert.equal(verifyShopifyWebhook(`${order} `, sig, 'secret'), false);
  assert.equal(verifyShopifyWebhook(order, sig, 'other'), false);
  assert.equal(verifyShopifyWebhook(order, undefined, 'secret'), false);
  assert.equal(verifyShopifyWebhook(order, 'not base64 at all!', 'secret'), false);
});

test('an edited line counts what is left of it (current_quantity); a line the edit removed is no line', () => {
  const mapped = (lines: string) => shopifyOrderToRequest(`{"id": 5, "line_items": [${lines}]}`, { channel: 'web', customer: 'C-1', backorder: 'reject' });
  const linesOf = (m: ReturnType<typeof mapped>) => (m.ok ? m.request.lines.map((l) => [l.sku, l.qty]) : m.errors.map((e) => e.path));
  assert.deepEqual(
    linesOf(mapped('{"sku": "A", "quantity": 3, "current_quantity": 1}, {"sku": "B", "quantity": 2, "current_quantity": 0}, {"sku": "C", "quantity": 4}')),
    [
      ['A', 1],
      ['C', 4],
    ],
  );
  assert.deepEqual(linesOf(mapped('{"sku": "A", "quantity": 3, "current_quantity": 0}')), ['/line_items']);
  assert.deepEqual(linesOf(mapped('{"sku": "A", "quantity": 3, "current_quantity": -1}')), ['/line_items/0/current_quantity']);
  assert.deepEqual(linesOf(mapped('{"sku": "A", "quantity": 3, "current_quantity": "1"}')), ['/line_items/0/current_quantity']);
});
