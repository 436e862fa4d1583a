/**
 * The ERP's answers as a careless ERP may write them: an answer that does not say what the hub
 * asked is a retryable ErpCallError naming what is missing, never "no such order" (which would
 * have the order placed again) and never a TypeError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { HttpErpConnector } from './http-erp-connector.js';
import { ErpCallError } from '../../domain/orders/order-errors.js';

async function erpAnswering(body: string): Promise<{ erp: HttpErpConnector; close: () => Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const erp = new HttpErpConnector(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
  return {
    erp,
    close: async () => {
      erp.close();
      await new Promise((r) => server.close(r));
    },
  };
}

const order = { reference: 'ord_1', customer: 'C-1', channel: 'web', externalId: 'W-1', lines: [{ sku: 'A', qty: 1 }] };

test('a lookup answered with no items list, or an order without its number, is a retryable error, not "none found"', async () => {
  for (const [body, reason] of [
    ['null', /without an items list/],
    ['{}', /without an items list/],
    ['{"items": {"orderNumber": "SO-1"}}', /without an items list/],
    ['{"items": [null]}', /an order without an orderNumber/],
    ['{"items": [{"orderNumber": 7}]}', /an order without an orderNumber/],
    ['{"items": [{"orderNumber": ""}]}', /an order without an orderNumber/],
  ] as const) {
    const { erp, close } = await erpAnswering(body);
    try {
      await assert.rejects(erp.findOrder('ord_1', 1000), (err: unknown) => err instanceof ErpCallError && err.retryable && reason.test(err.reason), body);
    } finally {
      await close();
    }
  }
  const { erp, close } = await erpAnswering('{"items": []}');
  try {
    assert.equal(await erp.findOrder('ord_1', 1000), undefined);
  } finally {
    await close();
  }
});

test('a placement answered without an order number is a retryable error naming it', async () => {
  for (const body of ['null', '{}', '{"orderNumber": 12}', '{"orderNumber": ""}']) {
    const { erp, close } = await erpAnswering(body);
    try {
      await assert.rejects(
        erp.placeOrder(order as never, 1000),
        (err: unknown) => err instanceof ErpCallError && err.retryable && /without an orderNumber/.test(err.reason),
        body,
      );
    } finally {
      await close();
    }
  }
});
