/**
 * Order capture as both backends must show it: Idempotency-Key semantics, validation before
 * anything is reserved, atomic reservation under concurrency, the ERP commit with its queue and
 * fail policies (one ERP order per hub order, whatever the retries), the timeline, cancellation
 * and the outbox. Run by orders-embedded.test.ts and orders-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { until } from '../support/until.js';
import { assertPlacedOnceEach } from '../support/erp-placements.js';

const HOT = ['HOT-1', 'HOT-2', 'HOT-3', 'HOT-4', 'HOT-5'];
/** Two storefronts with their own API keys, to show Idempotency-Keys are scoped to the API key that sent them. */
const SHOP_KEYS = [
  { name: 'shop-east', key: 'shop-east-key-0123456789', scopes: ['orders:write' as const, 'orders:read' as const] },
  { name: 'shop-west', key: 'shop-west-key-0123456789', scopes: ['orders:write' as const, 'orders:read' as const] },
];

export async function orderCaptureBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`order capture on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend, { apiKeys: SHOP_KEYS });
    });
    after(async () => {
      await hub?.stop();
    });

    let ext = 0;
    const order = (lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) => ({
      channel: 'queued',
      externalId: `W-${++ext}`,
      customer: 'C-42',
      lines,
      ...extra,
    });

    test('captures an order: reserves stock, commits it to the ERP and answers its number', async () => {
      await hub.stock('ABC-100', 'DAL', 10);
      assert.equal(await hub.available('ABC-100'), 10);
      const res = await hub.order(order([{ sku: 'ABC-100', qty: 3 }]));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.status, 'accepted');
      assert.match(res.body.erpOrderNumber, /^SO-\d+$/);
      assert.deepEqual(res.body.lines, [{ sku: 'ABC-100', qty: 3, reserved: 3, backordered: 0 }]);
      assert.equal(await hub.available('ABC-100'), 7, 'the reservation shows in availability at once');
      assert.equal(hub.erp.orders.get(res.body.id)?.orderNumber, res.body.erpOrderNumber);
      assert.equal(hub.erp.placements.get(res.body.id), 1);
      const got = await hub.api('GET', `/v1/orders/${res.body.id}`);
      assert.equal(got.body.status, 'accepted');
      assert.deepEqual(got.body.lines[0].allocations, [{ location: 'DAL', reserved: 3 }]);
      const byRef = await hub.api('GET', `/v1/orders?channel=queued&externalId=W-${ext}`);
      assert.deepEqual(
        byRef.body.orders.map((o: { id: string }) => o.id),
        [res.body.id],
      );
      const timeline = await hub.api('GET', `/v1/orders/${res.body.id}/timeline`);
      assert.deepEqual(
        timeline.body.entries.map((e: { step: string }) => e.step),
        ['captured', 'erp.committed'],
      );
      assert.ok(timeline.body.entries.every((e: { correlationId?: string }) => typeof e.correlationId === 'string'));
      assert.equal((await hub.api('GET', '/v1/orders/ord_nope')).status, 404);
      assert.equal((await hub.api('GET', '/v1/orders/ord_nope/timeline')).status, 404);
      const metrics = (await hub.api('GET', '/metrics')).body as string;
      assert.match(metrics, /crossdock_orders_open\{status="accepted"\} [1-9]/);
    });

    test('the same key and body answer the stored result; another body is 422; no key is 400', async () => {
      await hub.stock('XYZ-200', 'DAL', 20);
      const body = order([{ sku: 'XYZ-200', qty: 2 }]);
      const first = await hub.order(body, 'same-key-1');
      const again = await hub.order({ ...body, lines: [...body.lines] }, 'same-key-1');
      assert.equal(again.status, first.status);
      assert.deepEqual(again.body, first.body);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      const other = await hub.order({ ...body, lines: [{ sku: 'XYZ-200', qty: 5 }] }, 'same-key-1');
      assert.equal(other.status, 422);
      assert.equal(other.body.type, 'urn:crossdock:problem:idempotency_key_reused');
      const none = await hub.api('POST', '/v1/orders', order([{ sku: 'XYZ-200', qty: 1 }]));
      assert.equal(none.status, 400);
      assert.equal(none.body.type, 'urn:crossdock:problem:idempotency_key_required');
      assert.equal(await hub.available('XYZ-200'), 18, 'only the first request reserved');
    });

    test('one Idempotency-Key sent by two API keys makes two orders: keys are scoped to the API key that sent them', async () => {
      await hub.stock('XYZ-200', 'ATL', 20);
      const [east, west] = SHOP_KEYS.map((k, i) => ({
        key: k.key,
        body: order([{ sku: 'XYZ-200', qty: i + 1 }]),
      }));
      const send = (who: { key: string; body: Record<string, unknown> }) =>
        hub.api('POST', '/v1/orders', who.body, { key: who.key, headers: { 'idempotency-key': 'shared-key-1' } });
      const fromEast = await send(east!);
      const fromWest = await send(west!);
      assert.equal(fromEast.status, 201, JSON.stringify(fromEast.body));
      assert.equal(fromWest.status, 201, JSON.stringify(fromWest.body));
      assert.notEqual(fromWest.body.id, fromEast.body.id);
      assert.equal(fromWest.headers.get('idempotent-replayed'), null);
      // Each key still answers its own order to its own sender.
      const eastAgain = await send(east!);
      assert.equal(eastAgain.headers.get('idempotent-replayed'), 'true');
      assert.equal(eastAgain.body.id, fromEast.body.id);
      const westAgain = await send(west!);
      assert.equal(westAgain.body.id, fromWest.body.id);
      assert.deepEqual([hub.erp.placements.get(fromEast.body.id), hub.erp.placements.get(fromWest.body.id)], [1, 1], 'each reached the ERP once');
    });

    test('a second capture of the same channel order under a new key is refused, naming the first', async () => {
      await hub.stock('PIPE-1', 'ATL', 50);
      const body = order([{ sku: 'PIPE-1', qty: 1 }]);
      const first = await hub.order(body);
      const dup = await hub.order(body);
      assert.equal(dup.status, 409);
      assert.equal(dup.body.type, 'urn:crossdock:problem:duplicate_order');
      assert.equal(dup.body.orderId, first.body.id);
      assert.equal(await hub.available('PIPE-1'), 49, 'the duplicate reserved nothing');
    });

    test('validation happens before anything is reserved and names the field', async () => {
      await hub.stock('ABC-100', 'ATL', 5);
      const before = await hub.available('ABC-100');
      const cases: [Record<string, unknown>, number, string][] = [
        [order([{ sku: 'ABC-100', qty: 1 }], { customer: 'C-NOBODY' }), 422, '/customer'],
        [order([{ sku: 'ABC-100', qty: 1 }], { customer: 'C-GONE' }), 422, '/customer'],
        [
          order([
            { sku: 'ABC-100', qty: 1 },
            { sku: 'NOPE-1', qty: 1 },
          ]),
          422,
          '/lines/1/sku',
        ],
        [order([{ sku: 'ABC-100', qty: 0 }]), 400, '/lines/0/qty'],
        [order([{ sku: 'ABC-100', qty: 1.5 }]), 400, '/lines/0/qty'],
        [order([{ sku: 'ABC-100', qty: 1000 }]), 409, '/lines/0/qty'],
        [
          order([
            { sku: 'ABC-100', qty: 1 },
            { sku: 'ABC-100', qty: 1 },
          ]),
          422,
          '/lines/1/sku',
        ],
      ];
      for (const [body, status, path] of cases) {
        const res = await hub.order(body);
        assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
        assert.ok(
          res.body.errors.some((e: { path: string }) => e.path === path),
          `${path} in ${JSON.stringify(res.body.errors)}`,
        );
      }
      const unknownChannel = await hub.order(order([{ sku: 'ABC-100', qty: 1 }], { channel: 'nowhere' }));
      // The channel is a field of the order, so it is a bad field (422) named by its path, not a missing resource.
      assert.equal(unknownChannel.status, 422);
      assert.equal(unknownChannel.body.type, 'urn:crossdock:problem:unknown_channel');
      assert.deepEqual(unknownChannel.body.errors, [
        { path: '/channel', message: "Channel 'nowhere' is not defined; define it with PUT /v1/channels/nowhere." },
      ]);
      const badPolicy = await hub.order(order([{ sku: 'ABC-100', qty: 1 }], { backorder: 'sometimes' }));
      assert.equal(badPolicy.status, 400);
      assert.deepEqual(badPolicy.body.errors, [{ path: '/backorder', message: 'must be one of reject, allow' }]);
      assert.equal(await hub.available('ABC-100'), before, 'nothing was reserved');
      // A refused request leaves its key free: fixed, the same key captures.
      const fixed = order([{ sku: 'ABC-100', qty: 1 }]);
      assert.equal((await hub.order({ ...fixed, customer: 'C-NOBODY' }, 'fix-me')).status, 422);
      assert.equal((await hub.order(fixed, 'fix-me')).status, 201);
    });

    test('credit hold: held without ERP on a hold channel, rejected on a reject channel, released when lifted', async () => {
      await hub.stock('XYZ-200', 'ATL', 10);
      const held = await hub.order(order([{ sku: 'XYZ-200', qty: 1 }], { customer: 'C-HOLD' }));
      assert.equal(held.status, 201);
      assert.equal(held.body.status, 'credit_hold');
      assert.equal(held.body.erpOrderNumber, undefined);
      assert.equal(hub.erp.placements.has(held.body.id), false, 'nothing sent to the ERP');
      const rejected = await hub.order(order([{ sku: 'XYZ-200', qty: 1 }], { customer: 'C-HOLD', channel: 'strict' }));
      assert.equal(rejected.status, 422);
      assert.equal(rejected.body.type, 'urn:crossdock:problem:credit_hold');
      await hub.api('PUT', '/v1/customers/C-HOLD', { name: 'Slow Payer Inc', active: true, creditHold: false });
      const after = await until(
        'the released order to reach the ERP',
        async () => (await hub.api('GET', `/v1/orders/${held.body.id}`)).body,
        (o) => o.status === 'accepted',
      );
      assert.equal(after.erpOrderNumber, hub.erp.orders.get(held.body.id)?.orderNumber);
      assert.equal(hub.erp.placements.get(held.body.id), 1);
    });

    test('backorder allow reserves what is there and backorders the rest, filled oldest first as stock arrives', async () => {
      await hub.stock('BO-1', 'DAL', 4);
      const res = await hub.order(order([{ sku: 'BO-1', qty: 6 }], { backorder: 'allow' }));
      assert.equal(res.status, 201);
      assert.deepEqual(res.body.lines, [{ sku: 'BO-1', qty: 6, reserved: 4, backordered: 2 }]);
      assert.equal(res.body.status, 'backordered');
      assert.equal(await hub.available('BO-1'), 0);
      const rejected = await hub.order(order([{ sku: 'BO-1', qty: 1 }]));
      assert.equal(rejected.status, 409, 'backorder: reject reserves all or nothing');
      assert.equal(rejected.body.type, 'urn:crossdock:problem:insufficient_stock');
      const later = await hub.order(order([{ sku: 'BO-1', qty: 3 }], { backorder: 'allow' }));
      assert.deepEqual(later.body.lines, [{ sku: 'BO-1', qty: 3, reserved: 0, backordered: 3 }]);
      // Stock arrives at the second location: the older order is filled first, the newer one gets the rest.
      await hub.stock('BO-1', 'ATL', 4);
      const first = await until(
        'the older backorder to be filled',
        async () => (await hub.api('GET', `/v1/orders/${res.body.id}`)).body,
        (o) => o.lines[0].backordered === 0,
      );
      assert.deepEqual(first.lines[0].allocations, [
        { location: 'DAL', reserved: 4 },
        { location: 'ATL', reserved: 2 },
      ]);
      assert.equal(first.status, 'accepted');
      const second = await until(
        'the newer backorder to be filled in part',
        async () => (await hub.api('GET', `/v1/orders/${later.body.id}`)).body,
        (o) => o.lines[0].reserved === 2,
      );
      assert.equal(second.lines[0].backordered, 1);
      assert.equal(
        await until(
          'availability to show both fills',
          () => hub.available('BO-1'),
          (n) => n === 0,
        ),
        0,
      );
      const timeline = await hub.api('GET', `/v1/orders/${res.body.id}/timeline`);
      assert.ok(timeline.body.entries.some((e: { step: string }) => e.step === 'backorder.filled'));
    });

    test('sourcing prefers one location for the whole order, then fewest splits per line', async () => {
      await hub.stock('SRC-1', 'DAL', 2);
      await hub.stock('SRC-1', 'ATL', 10);
      await hub.stock('SRC-2', 'DAL', 1);
      await hub.stock('SRC-2', 'ATL', 10);
      const res = await hub.order(
        order([
          { sku: 'SRC-1', qty: 3 },
          { sku: 'SRC-2', qty: 2 },
        ]),
      );
      const got = await hub.api('GET', `/v1/orders/${res.body.id}`);
      assert.deepEqual(
        got.body.lines.map((l: { allocations: unknown }) => l.allocations),
        [[{ location: 'ATL', reserved: 3 }], [{ location: 'ATL', reserved: 2 }]],
      );
    });

    test('cancel releases what is reserved, tells the ERP through the outbox, and cannot cancel twice', async () => {
      await hub.stock('CAN-1', 'DAL', 8);
      const res = await hub.order(order([{ sku: 'CAN-1', qty: 5 }]));
      assert.equal(await hub.available('CAN-1'), 3);
      const cancelled = await hub.api('POST', `/v1/orders/${res.body.id}/cancel`, { reason: 'customer changed their mind' });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.status, 'cancelled');
      assert.equal(await hub.available('CAN-1'), 8);
      const outbox = await hub.api('GET', '/v1/outbox?destination=erp');
      assert.ok(outbox.body.messages.some((m: { topic: string; messageKey: string }) => m.topic === 'order.cancel' && m.messageKey === res.body.id));
      const timeline = await hub.api('GET', `/v1/orders/${res.body.id}/timeline`);
      assert.equal(timeline.body.entries.at(-1).step, 'cancelled');
      const again = await hub.api('POST', `/v1/orders/${res.body.id}/cancel`);
      assert.equal(again.status, 409);
      assert.equal((await hub.api('POST', '/v1/orders/ord_nope/cancel')).status, 404);
    });

    test('a cancellation gives its units to the oldest backorder before it answers, on either backend', async () => {
      await hub.stock('CAN-2', 'DAL', 4);
      const holder = await hub.order(order([{ sku: 'CAN-2', qty: 4 }]));
      const owed = await hub.order(order([{ sku: 'CAN-2', qty: 3 }], { backorder: 'allow' }));
      assert.deepEqual(owed.body.lines, [{ sku: 'CAN-2', qty: 3, reserved: 0, backordered: 3 }]);
      assert.equal((await hub.api('POST', `/v1/orders/${holder.body.id}/cancel`)).status, 200);
      // Read at once, with no wait for a sweep: the fill is part of the cancellation.
      const filled = (await hub.api('GET', `/v1/orders/${owed.body.id}`)).body;
      assert.deepEqual(
        filled.lines.map((l: { reserved: number; backordered: number }) => [l.reserved, l.backordered]),
        [[3, 0]],
      );
      assert.equal(filled.status, 'accepted');
      const timeline = (await hub.api('GET', `/v1/orders/${owed.body.id}/timeline`)).body.entries;
      assert.ok(timeline.some((e: { step: string; detail?: string }) => e.step === 'backorder.filled' && /3 × CAN-2 reserved at DAL/.test(e.detail ?? '')));
      await hub.settled();
      assert.equal(await hub.available('CAN-2'), 1);
    });
  });

  describe(`order capture under load and ERP trouble on the ${backend.name} backend`, { skip }, () => {
    test('200 concurrent captures on 5 hot items holding 100 units: exactly 100 reserved, every loser told why', async () => {
      const hub = await startOrderHarness(backend);
      try {
        for (const sku of HOT) {
          await hub.stock(sku, 'DAL', 12);
          await hub.stock(sku, 'ATL', 8);
        }
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            hub.order({
              channel: 'queued',
              externalId: `HOT-${i}`,
              customer: 'C-42',
              lines: [{ sku: HOT[i % 5]!, qty: 1 }],
            }),
          ),
        );
        // 202 is a capture too (reserved, the ERP answer still to come): a slow machine makes some.
        const won = results.filter((r) => r.status === 201 || r.status === 202);
        const lost = results.filter((r) => r.status !== 201 && r.status !== 202);
        assert.equal(won.length, 100);
        for (const r of lost) {
          assert.equal(r.status, 409);
          assert.equal(r.body.type, 'urn:crossdock:problem:insufficient_stock');
          assert.match(r.body.detail, /HOT-\d \(wanted 1, available 0\)/);
        }
        for (const sku of HOT) assert.equal(await hub.available(sku), 0);
        const explain = (await hub.api('GET', '/v1/availability/HOT-1/explain?channel=queued')).body;
        assert.deepEqual(
          explain.locations.map((l: { reserved: number; onHand: number }) => [l.onHand, l.reserved]),
          [
            [12, 12],
            [8, 8],
          ],
          'never more reserved than on hand',
        );
        assertPlacedOnceEach(
          hub.erp,
          won.map((r) => r.body.id),
        );
      } finally {
        await hub.stop();
      }
    });

    test('retry storm: each request sent 3 times at once with its key gives one order and one ERP order', async () => {
      const hub = await startOrderHarness(backend);
      try {
        await hub.stock('RS-1', 'DAL', 1000);
        hub.erp.faults.latencyMs = 30;
        const bodies = Array.from({ length: 40 }, (_, i) => ({ channel: 'queued', externalId: `RS-${i}`, customer: 'C-42', lines: [{ sku: 'RS-1', qty: 2 }] }));
        const results = await Promise.all(bodies.flatMap((body, i) => [0, 1, 2].map(() => hub.order(body, `storm-${i}`))));
        for (let i = 0; i < bodies.length; i++) {
          const mine = results.slice(i * 3, i * 3 + 3);
          const created = mine.filter((r) => r.status === 201);
          assert.ok(created.length >= 1, `request ${i}: ${mine.map((r) => r.status)}`);
          for (const r of mine)
            assert.ok(
              r.status === 201 || (r.status === 409 && r.body.type === 'urn:crossdock:problem:idempotency_key_in_use'),
              `${r.status} ${JSON.stringify(r.body)}`,
            );
          assert.equal(new Set(created.map((r) => r.body.id)).size, 1);
        }
        hub.erp.faults.latencyMs = 0;
        // Retried once more after the storm: every key answers its one order.
        const replays = await Promise.all(bodies.map((body, i) => hub.order(body, `storm-${i}`)));
        assert.ok(replays.every((r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true'));
        assert.equal(new Set(replays.map((r) => r.body.id)).size, 40);
        assertPlacedOnceEach(
          hub.erp,
          replays.map((r) => r.body.id),
        );
        assert.equal(await hub.available('RS-1'), 1000 - 80);
      } finally {
        await hub.stop();
      }
    });

    test('ERP outage, queue policy: answered 202 pending_erp, committed once when the ERP is back', async () => {
      const hub = await startOrderHarness(backend, { erpTimeoutMs: 200 });
      try {
        await hub.stock('EQ-1', 'DAL', 10);
        hub.erp.faults.outage = true;
        const body = { channel: 'queued', externalId: 'EQ-A', customer: 'C-42', lines: [{ sku: 'EQ-1', qty: 3 }] };
        const res = await hub.order(body);
        assert.equal(res.status, 202);
        assert.equal(res.body.status, 'pending_erp');
        assert.equal(await hub.available('EQ-1'), 7, 'still reserved while pending');
        hub.erp.faults.outage = false;
        const v = await until(
          'the queued order to be committed',
          async () => (await hub.api('GET', `/v1/orders/${res.body.id}`)).body,
          (o) => o.status !== 'pending_erp',
        );
        assert.equal(v.status, 'accepted');
        assert.match(v.erpOrderNumber, /^SO-/);
        assertPlacedOnceEach(hub.erp, [res.body.id]);
        const again = await hub.order(body);
        assert.equal(again.status, 409, 'the same channel order under a new key is a duplicate');

        // A queued order cancelled before the ERP is back is never placed.
        hub.erp.faults.outage = true;
        const doomed = await hub.order({ channel: 'queued', externalId: 'EQ-B', customer: 'C-42', lines: [{ sku: 'EQ-1', qty: 2 }] });
        assert.equal(doomed.status, 202);
        assert.equal(await hub.available('EQ-1'), 5);
        const cancelled = await hub.api('POST', `/v1/orders/${doomed.body.id}/cancel`, { reason: 'the customer gave up waiting' });
        assert.equal(cancelled.body.status, 'cancelled');
        assert.equal(await hub.available('EQ-1'), 7);
        hub.erp.faults.outage = false;
        // Several retry sweeps (each second, backoff at most 200 ms here) go by.
        await new Promise((r) => setTimeout(r, 2500));
        assert.equal(hub.erp.placements.has(doomed.body.id), false, 'a cancelled order never reaches the ERP');
        assert.equal((await hub.api('GET', `/v1/orders/${doomed.body.id}`)).body.status, 'cancelled');
      } finally {
        await hub.stop();
      }
    });

    test('ERP slower than the timeout, queue policy: the retry asks the ERP first and finds the order, so one ERP order', async () => {
      const hub = await startOrderHarness(backend, { erpTimeoutMs: 100 });
      try {
        await hub.stock('ES-1', 'DAL', 10);
        hub.erp.faults.latencyMs = 300;
        const res = await hub.order({ channel: 'queued', externalId: 'ES-A', customer: 'C-42', lines: [{ sku: 'ES-1', qty: 1 }] });
        assert.equal(res.status, 202);
        await new Promise((r) => setTimeout(r, 350));
        hub.erp.faults.latencyMs = 0;
        const v = await until(
          'the slow order to be committed',
          async () => (await hub.api('GET', `/v1/orders/${res.body.id}`)).body,
          (o) => o.status !== 'pending_erp',
        );
        assert.equal(v.status, 'accepted');
        assert.equal(v.erpOrderNumber, hub.erp.orders.get(res.body.id)?.orderNumber);
        assertPlacedOnceEach(hub.erp, [res.body.id], 'placed once; the retry found it by reference');
        assert.ok(hub.erp.calls.find >= 1);
      } finally {
        await hub.stop();
      }
    });

    test('ERP outage, fail policy: 503, reservation released, and the same key may try again', async () => {
      const hub = await startOrderHarness(backend, { erpTimeoutMs: 200 });
      try {
        await hub.stock('EF-1', 'DAL', 10);
        hub.erp.faults.outage = true;
        const body = { channel: 'strict', externalId: 'EF-A', customer: 'C-42', lines: [{ sku: 'EF-1', qty: 4 }] };
        const res = await hub.order(body, 'ef-key');
        assert.equal(res.status, 503);
        assert.equal(res.body.type, 'urn:crossdock:problem:erp_unavailable');
        assert.equal(await hub.available('EF-1', 'strict'), 10, 'reservation released');
        const failed = (await hub.api('GET', `/v1/orders/${res.body.orderId}`)).body;
        assert.equal(failed.status, 'erp_failed');
        hub.erp.faults.outage = false;
        const retry = await hub.order(body, 'ef-key');
        assert.equal(retry.status, 201, JSON.stringify(retry.body));
        assert.notEqual(retry.body.id, res.body.orderId);
        assert.equal(await hub.available('EF-1', 'strict'), 6);
        assertPlacedOnceEach(hub.erp, [retry.body.id]);
      } finally {
        await hub.stop();
      }
    });
  });
}
