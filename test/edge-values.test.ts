/**
 * Values at the edges of what validation admits are either refused naming the field or work all
 * the way through, on both backends (found by the fuzz suite):
 * - a date-time whose instant falls outside the years 0001-9999 in UTC (year 0000, or 9999 with a
 *   negative offset) was accepted, and PostgreSQL could not read it: GET /v1/orders?since=… answered
 *   500 on the scale-out backend. Now refused (4xx naming the field) on both.
 * - an item id of 200 characters (the longest allowed) beyond ASCII was accepted by POST /v1/events
 *   but could not be read back: Fastify's path parameter limit answered 414 with a body that was not
 *   a problem. Now read back like any other.
 * - two events of one source with the same seq in one batch were both answered as accepted on the
 *   scale-out backend (the log deduplicates ids only), though the second applied nowhere. Now the
 *   second is a duplicate on both, as the embedded hub always answered.
 * - a lone UTF-16 surrogate in a kept unknown field (its value or a key) was accepted, and a parked
 *   event carrying it stopped the scale-out worker (PostgreSQL's jsonb cannot hold it): every later
 *   capture then waited for the workers and failed 503. Now the event alone is refused naming the
 *   field, and a lone surrogate anywhere else in a JSON body is refused at the edge.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { embedded, scaleOut, skipReason, type Backend } from './support/backends.js';
import { startOrderHarness, type OrderHarness } from './support/order-hub.js';
import { movement, snapshot } from './support/test-hub.js';

for (const backend of [embedded, scaleOut] as Backend[]) {
  describe(`edge values on the ${backend.name} backend`, { skip: await skipReason(backend) }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
    });
    after(() => hub?.stop());

    test('a date-time outside the years 0001-9999 in UTC is refused naming the field; the extremes inside are taken', async () => {
      for (const since of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+00:01', '9999-12-31T23:59:59-00:01']) {
        const res = await hub.api('GET', `/v1/orders?since=${encodeURIComponent(since)}`);
        assert.equal(res.status, 422, `${since}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.errors[0].path, '/since');
      }
      for (const since of ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00-00:01', '9999-12-31T23:59:59.999999999Z', '9999-12-31T23:59:59+14:00']) {
        assert.equal((await hub.api('GET', `/v1/orders?since=${encodeURIComponent(since)}`)).status, 200, since);
      }
      const event = { ...snapshot({ sku: 'EDGE-1', location: 'DAL', onHand: 1 }), occurredAt: '0000-12-31T23:59:59Z' };
      const res = await hub.api('POST', '/v1/events', [event]);
      assert.deepEqual(
        res.body.rejected.map((r: { errors: { path: string }[] }) => r.errors[0]!.path),
        ['/occurredAt'],
      );
    });

    test('an item id of the longest length allowed, beyond ASCII, is read back', async () => {
      const sku = '😀'.repeat(100);
      assert.equal(sku.length, 200);
      await hub.stock(sku, 'DAL', 7);
      await hub.settled();
      for (const path of [`/v1/availability/${encodeURIComponent(sku)}?channel=web`, `/v1/availability/${encodeURIComponent(sku)}/explain?channel=web`]) {
        const res = await hub.api('GET', path);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.sku, sku);
      }
    });

    test('a seq or id repeated inside one batch counts once, and the answer says so', async () => {
      const batch = [
        movement({ source: 'wms-dal', seq: 900_001, id: 'rep-a', sku: 'EDGE-2', location: 'DAL', delta: { onHand: 5 } }),
        movement({ source: 'wms-dal', seq: 900_001, id: 'rep-b', sku: 'EDGE-2', location: 'DAL', delta: { onHand: 7 } }),
        movement({ source: 'wms-dal', seq: 900_002, id: 'rep-a', sku: 'EDGE-2', location: 'DAL', delta: { onHand: 11 } }),
      ];
      const res = await hub.api('POST', '/v1/events', batch);
      assert.deepEqual([res.body.accepted, res.body.duplicates], [1, 2]);
      await hub.settled();
      const explained = await hub.api('GET', '/v1/availability/EDGE-2/explain?channel=web');
      assert.equal(explained.body.locations.find((l: { location: string }) => l.location === 'DAL').onHand, 5);
    });

    test('a lone surrogate in a kept unknown field rejects that event alone; the workers carry on', async () => {
      const base = (seq: number, extra: Record<string, unknown>) => ({
        ...movement({ source: 'tpl-nowhere', seq, id: `ls-${seq}`, sku: 'EDGE-3', location: 'NOWHERE', delta: { onHand: 1 } }),
        ...extra,
      });
      const res = await hub.api('POST', '/v1/events', [
        base(1, { note: 'a\ud800' }),
        base(2, { ['k\udc00']: 1 }),
        base(3, { note: { deep: ['\udbff'] } }),
        base(4, {}),
      ]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.rejected.map((r: { index: number; errors: { path: string }[] }) => [r.index, r.errors[0]!.path]),
        [
          [0, '/note'],
          [1, '/k\udc00'],
          [2, '/note'],
        ],
      );
      assert.deepEqual([res.body.accepted, res.body.parked.length], [1, 1]);
      await hub.stock('ABC-100', 'DAL', 10);
      await hub.settled();
      const placed = await hub.order({ channel: 'queued', externalId: 'LS-1', customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }] });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const order = await hub.order({ channel: 'queued', externalId: 'LS-2', customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }], note: '\ud800' });
      assert.equal(order.status, 400);
      assert.deepEqual(order.body.errors, [{ path: '/note', message: 'must be well-formed Unicode (no lone UTF-16 surrogate)' }]);
    });
  });
}
