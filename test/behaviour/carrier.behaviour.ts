/**
 * A carrier's tracking webhooks as both backends must take them: a delivered parcel delivers the
 * order that shipped under its tracking number; an unknown parcel is parked with the reason; a
 * forged webhook is refused. Run by carrier-embedded.test.ts and carrier-scale-out.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CarrierSimulator } from '../../sim/carrier-simulator.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness } from '../support/order-hub.js';

export async function carrierBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`carrier tracking on the ${backend.name} backend`, { skip }, () => {
    test("a carrier's delivered webhook delivers the order that shipped under its tracking number", async () => {
      process.env.CARRIER_SECRET = 'carrier-secret';
      const hub = await startOrderHarness(backend, { file: { systems: { ups: { type: 'carrier', secretEnv: 'CARRIER_SECRET' } } } as never });
      const carrier = new CarrierSimulator({ hookUrl: `${hub.url}/hooks/ups`, secret: 'carrier-secret', inTransitAfterMs: 10, deliveredAfterMs: 60 });
      try {
        await hub.stock('CR-1', 'DAL', 5);
        const id = (await hub.order({ channel: 'queued', externalId: 'CR-A', customer: 'C-42', lines: [{ sku: 'CR-1', qty: 1 }] })).body.id as string;
        await hub.api('POST', '/v1/events', [
          { id: 'cr-rel', type: 'order.released', source: 'erp-main', seq: 7_700_001, occurredAt: '2026-11-22T12:00:00Z', orderId: id },
          {
            id: 'cr-shp',
            type: 'order.shipped',
            source: 'wms-dal',
            seq: 7_700_002,
            occurredAt: '2026-11-22T12:01:00Z',
            orderId: id,
            location: 'DAL',
            lines: [{ sku: 'CR-1', qty: 1 }],
            tracking: { carrier: 'UPS', number: '1ZCARRIER1' },
          },
        ]);
        await hub.settled();
        // A tracker is created over the carrier's API, as a WMS integration would.
        const api = await carrier.start();
        const created = await fetch(`${api}/v2/trackers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tracker: { tracking_code: '1ZCARRIER1', carrier: 'UPS' } }),
        });
        assert.equal(created.status, 201);
        for (let i = 0; i < 100 && (await hub.api('GET', `/v1/orders/${id}`)).body.status !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal((await hub.api('GET', `/v1/orders/${id}`)).body.status, 'delivered');
        assert.deepEqual(
          carrier.sent.map((s) => [s.status, s.answer]),
          [
            ['in_transit', 200],
            ['delivered', 200],
          ],
        );
        assert.deepEqual(await (await fetch(`${api}/_sim/parcels`)).json(), { '1ZCARRIER1': { carrier: 'UPS', status: 'delivered' } });
        const timeline = (await hub.api('GET', `/v1/orders/${id}/timeline`)).body.entries;
        assert.equal(timeline.at(-1).source, 'ups');
        // An unknown parcel is parked with the reason; a forged one is refused.
        carrier.track('1ZNOBODY');
        await new Promise((r) => setTimeout(r, 150));
        assert.ok(
          (await hub.api('GET', '/v1/inbound/parked?system=ups')).body.parked.some((p: { errors: { message: string }[] }) =>
            /1ZNOBODY/.test(p.errors[0]!.message),
          ),
        );
        const forged = await fetch(`${hub.url}/hooks/ups`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hmac-signature': 'abcd' },
          body: '{}',
        });
        assert.equal(forged.status, 401);
      } finally {
        carrier.stop();
        await hub.stop();
      }
    });
  });
}
