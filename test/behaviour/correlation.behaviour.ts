/**
 * One correlation id from the edge to every effect, as both backends must carry it: the id a
 * caller sends with an order reaches the ERP's requests (the retries too, long after the request
 * ended), the order's timeline and its exceptions; the id sent with a shipment event reaches the
 * outbox record, the storefront's received message and header; a log line written while serving
 * a request carries that request's id; an event batch parked for an undefined location and a
 * storefront webhook parked for an unknown item reach their exceptions with the id of the request
 * that brought them. Run by correlation-embedded.test.ts and -scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { WebhookReceiver } from '../../sim/webhook-receiver.js';
import { skipReason, type Backend } from '../support/backends.js';
import { fixture, fixturesSkip } from '../support/fixtures.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { movement, snapshot } from '../support/test-hub.js';
import { until } from '../support/until.js';

const SHOP_SECRET = 'correlation-shop-secret';

export async function correlationBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`correlation ids end to end on the ${backend.name} backend`, { skip }, () => {
    const shop = new WebhookReceiver();
    const lines: Record<string, unknown>[] = [];
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    let hub: OrderHarness;
    before(async () => {
      const url = await shop.start();
      process.env.COR_SHOP_SECRET = SHOP_SECRET;
      hub = await startOrderHarness(backend, {
        file: {
          systems: {
            shop: { type: 'webhook', url, channel: 'queued', receives: ['shipment.confirmed'], retry: { maxAttempts: 3, baseMs: 10, maxMs: 20 } },
            storefront: { type: 'shopify', channel: 'queued', customer: 'C-42', webhookSecretEnv: 'COR_SHOP_SECRET' },
          },
          exceptions: { reconcileMs: 100, erpPendingMinutes: 0 },
        } as never,
        logs,
      });
    });
    after(async () => {
      await hub?.stop();
      await shop.close();
    });

    test('the id sent with an order and the id sent with its shipment follow them to the ERP, the timeline, the exception, the outbox and the storefront', async () => {
      hub.erp.faults.outage = true;
      await hub.stock('COR-1', 'DAL', 10);
      const captured = await hub.api(
        'POST',
        '/v1/orders',
        { channel: 'queued', externalId: 'COR-ORDER-1', customer: 'C-42', lines: [{ sku: 'COR-1', qty: 2 }] },
        { headers: { 'idempotency-key': 'cor-1', 'x-correlation-id': 'corr-order-1' } },
      );
      assert.equal(captured.status, 202, JSON.stringify(captured.body));
      assert.equal(captured.headers.get('x-correlation-id'), 'corr-order-1');
      const orderId = captured.body.id as string;

      const [pending] = await until(
        'the ERP exception',
        async () => (await hub.api('GET', `/v1/exceptions?class=erp_pending&entity=order:${orderId}`)).body.exceptions as { correlationId: string | null }[],
        (xs) => xs.length === 1,
        30_000,
      );
      assert.equal(pending!.correlationId, 'corr-order-1', 'the exception names the request that captured the order');

      // The ERP comes back: the retry, made by the hub's own sweep long after the request, carries the id.
      hub.erp.faults.outage = false;
      await until(
        'the ERP to take the order',
        async () => (await hub.api('GET', `/v1/orders/${orderId}`)).body.status as string,
        (s) => s === 'accepted',
        30_000,
      );
      const placing = hub.erp.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/sales-orders'));
      assert.ok(placing.length >= 2, `the capture and at least one retry reached the ERP: ${JSON.stringify(hub.erp.requests)}`);
      assert.deepEqual(new Set(placing.map((r) => r.correlationId)), new Set(['corr-order-1']));

      // The shipment arrives as events under another request: its effects carry that request's id.
      let seq = 0;
      const ev = (type: string, extra: Record<string, unknown> = {}) => ({
        id: `wms-dal-cor-${type}-${++seq}`,
        type,
        source: 'wms-dal',
        seq: 7_000_000 + seq,
        occurredAt: new Date().toISOString(),
        orderId,
        ...extra,
      });
      const sent = await hub.api(
        'POST',
        '/v1/events',
        [ev('order.released'), ev('order.shipped', { location: 'DAL', lines: [{ sku: 'COR-1', qty: 2 }], tracking: '1ZCOR' })],
        {
          headers: { 'x-correlation-id': 'corr-ship-1' },
        },
      );
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      await hub.settled();

      const timeline = (await hub.api('GET', `/v1/orders/${orderId}/timeline`)).body.entries as { step?: string; status: string; correlationId?: string }[];
      const captureEntry = timeline[0]!;
      assert.equal(captureEntry.correlationId, 'corr-order-1', JSON.stringify(timeline));
      assert.ok(
        timeline.some((e) => e.correlationId === 'corr-ship-1' && e.status === 'shipped'),
        `the shipment's timeline entry carries its request's id: ${JSON.stringify(timeline)}`,
      );

      const outbox = (await hub.api('GET', '/v1/outbox?destination=queued')).body.messages as { topic: string; correlationId?: string }[];
      const notice = outbox.find((m) => m.topic === 'shipment.confirmed');
      assert.equal(notice?.correlationId, 'corr-ship-1', JSON.stringify(outbox));

      const received = await until(
        'the storefront to receive the shipment confirmation',
        async () => shop.posts.filter((p) => ((p.body as { messages?: { topic: string }[] }).messages ?? []).some((m) => m.topic === 'shipment.confirmed')),
        (ps) => ps.length >= 1,
        30_000,
      );
      assert.equal(received[0]!.headers['x-correlation-id'], 'corr-ship-1');
      const message = (received[0]!.body as { messages: { topic: string; correlationId?: string }[] }).messages.find((m) => m.topic === 'shipment.confirmed');
      assert.equal(message?.correlationId, 'corr-ship-1');
    });

    test('a log line written while a request is served carries its correlation id', async () => {
      const refused = await hub.api(
        'POST',
        '/v1/orders',
        { channel: 'queued' },
        { headers: { 'idempotency-key': 'cor-bad', 'x-correlation-id': 'corr-refused-1' } },
      );
      assert.equal(refused.status, 400);
      const line = await until(
        'the refusal to be logged',
        async () => lines.find((l) => l.msg === 'request refused' && l.url === '/v1/orders' && l.status === 400),
        (l) => l !== undefined,
      );
      assert.equal(line!.correlationId, 'corr-refused-1');
    });

    const exceptionsOf = (query: string, count: number) =>
      until(
        `${count} exception(s) for ${query}`,
        async () => (await hub.api('GET', `/v1/exceptions?${query}`)).body.exceptions as { entity: { id: string }; correlationId: string | null }[],
        (xs) => xs.length >= count,
        30_000,
      );

    test("events parked for an undefined location reach their exceptions with their request's id, or their own", async () => {
      const sent = await hub.api(
        'POST',
        '/v1/events',
        [
          snapshot({ source: 'wms-cor', seq: 1, sku: 'COR-P1', location: 'CORX', onHand: 5 }),
          { ...movement({ source: 'wms-cor', seq: 2, sku: 'COR-P2', location: 'CORX', delta: { onHand: 3 } }), correlationId: 'corr-own-event' },
        ],
        { headers: { 'x-correlation-id': 'corr-parked-events-1' } },
      );
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      assert.equal(sent.body.parked.length, 2, JSON.stringify(sent.body));
      const parked = await exceptionsOf('class=parked_event&group=location:CORX', 2);
      const bySku = Object.fromEntries(parked.map((x) => [x.entity.id, x.correlationId]));
      assert.deepEqual(bySku, { 'COR-P1': 'corr-parked-events-1', 'COR-P2': 'corr-own-event' });
      const listed = (await hub.api('GET', '/v1/events/parked?location=CORX')).body.parked as { sku: string; correlationId?: string }[];
      assert.deepEqual(Object.fromEntries(listed.map((p) => [p.sku, p.correlationId])), bySku);
    });

    test("a storefront webhook parked for an unknown item reaches its exception with the webhook request's id", { skip: fixturesSkip() }, async () => {
      const { createHmac } = await import('node:crypto');
      const raw = fixture('shopify/orders-create.webhook.json');
      const res = await fetch(`${hub.url}/hooks/storefront`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': createHmac('sha256', SHOP_SECRET).update(raw).digest('base64'),
          'x-correlation-id': 'corr-hook-1',
        },
        body: raw,
      });
      assert.equal(((await res.json()) as { status: string }).status, 'parked');
      assert.equal(res.headers.get('x-correlation-id'), 'corr-hook-1');
      const [parked] = await exceptionsOf('class=parked_inbound', 1);
      assert.equal(parked!.correlationId, 'corr-hook-1', JSON.stringify(parked));
      const listed = (await hub.api('GET', '/v1/inbound/parked?system=storefront')).body.parked as { correlationId?: string }[];
      assert.deepEqual(
        listed.map((p) => p.correlationId),
        ['corr-hook-1'],
      );
    });
  });
}
