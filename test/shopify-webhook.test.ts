import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, fixturesSkip } from './support/fixtures.js';
import { verifyShopifyWebhook } from '../src/connectors/shopify/verify-shopify-webhook.js';

// The webhook's behaviour end to end (parking, replay, retries, cancellation) is in
// test/behaviour/storefront-webhooks.behaviour.ts, run on both backends.
const skip = fixturesSkip();

test("the fixture's known signature vector verifies", { skip }, () => {
  const body = fixture('shopify/orders-create.webhook.json');
  assert.equal(verifyShopifyWebhook(body, 'hvTE9wpDzMcDnPEuHWvYZ58ElKn5vHs0LomurfNIuUc=', '00000000000000000000000000000000'), true);
  assert.equal(verifyShopifyWebhook(`${body} `, 'hvTE9wpDzMcDnPEuHWvYZ58ElKn5vHs0LomurfNIuUc=', '00000000000000000000000000000000'), false);
});
