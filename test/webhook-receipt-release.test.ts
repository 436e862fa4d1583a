/**
 * A webhook whose taking fails (the store or the ERP unavailable) releases its id, so the
 * sender's retry with the same id is taken, not answered as a duplicate; once taken, the id
 * answers duplicate. Run against the use case with the real SQLite receipts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { InboundWebhooks } from '../src/app/inbound/receive-webhook.js';
import { ShopifyStorefront } from '../src/connectors/shopify/shopify-storefront.js';
import { SqliteWebhookReceipts } from '../src/adapters/sqlite/sqlite-webhook-receipts.js';
import { StorageFailedError } from '../src/domain/errors.js';
import { onSqlite } from './support/adapters.js';

test('a webhook whose capture failed is taken on the retry with the same id; then it is a duplicate', async () => {
  const receipts = await onSqlite((db) => new SqliteWebhookReceipts(db))();
  let failures = 1;
  const captured: string[] = [];
  const orders = {
    async capture(request: { externalId: string }) {
      if (failures-- > 0) throw new StorageFailedError('the order', new Error('disk full'));
      captured.push(request.externalId);
      return { body: { id: `ord-${captured.length}`, status: 'released' } };
    },
  };
  // No cross-references: the order's SKUs are the hub's own.
  const noReferences = {
    resolve: async (keys: readonly unknown[]) => keys.map(() => undefined),
    externalIds: async () => new Map(),
    packing: async () => new Map(),
  };
  const shop = new ShopifyStorefront('shop', 'secret', noReferences, { channel: 'web', customer: 'C-42', backorder: 'reject' });
  const hooks = new InboundWebhooks({
    orders: orders as never,
    inbound: { park: () => 1 } as never,
    clock: { now: () => Date.now() } as never,
    sources: new Map([['shop', shop]]),
    ingest: {} as never,
    partners: new Map(),
    receipts: receipts.store,
    replayWindow: { maxAgeSeconds: 60, clockSkewSeconds: 60 },
  });
  const body = JSON.stringify({ id: 42, line_items: [{ sku: 'ABC-100', quantity: 1 }], cancelled_at: null });
  const headers: Record<string, string> = {
    'x-shopify-topic': 'orders/create',
    'x-shopify-hmac-sha256': createHmac('sha256', 'secret').update(body).digest('base64'),
    'x-shopify-webhook-id': 'w-42',
  };
  const send = () => hooks.receive('shop', (name) => headers[name], body, 'c-1');
  try {
    await assert.rejects(send(), StorageFailedError);
    assert.deepEqual(await send(), { status: 'captured', orderId: 'ord-1', orderStatus: 'released' });
    assert.equal((await send()).status, 'duplicate');
    assert.deepEqual(captured, ['42']);
  } finally {
    await receipts.cleanup();
  }
});
