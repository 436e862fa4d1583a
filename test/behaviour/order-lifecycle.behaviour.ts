/**
 * The order lifecycle after capture as both backends must show it: release, split and partial
 * shipments, delivery, invoice and returns fed by events; the shipped-stock invariant whichever of
 * shipment and stock movement arrives first; events that wait for their precondition, expire, or
 * are rejected as illegal transitions; cancellation after a partial shipment. Run by
 * order-lifecycle-embedded.test.ts and order-lifecycle-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { movement, snapshot } from '../support/test-hub.js';

export async function orderLifecycleBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`the order lifecycle on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
    });
    after(async () => {
      await hub?.stop();
    });

    let ext = 0,
      seq = 0;
    const at = (minute: number) => `2026-11-22T11:${String(minute).padStart(2, '0')}:00Z`;
    const ev = (type: string, orderId: string, extra: Record<string, unknown> = {}, source = 'erp-main') => {
      const s = ++seq;
      return { id: `${source}-${type}-${s}`, type, source, seq: 5_000_000 + s, occurredAt: at(10), orderId, ...extra };
    };
    const send = async (...events: unknown[]) => {
      const res = await hub.api('POST', '/v1/events', events);
      await hub.settled();
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.rejected, []);
      return res.body;
    };
    const capture = async (sku: string, qty: number) => {
      const res = await hub.order({ channel: 'queued', externalId: `L-${++ext}`, customer: 'C-42', lines: [{ sku, qty }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const view = async (id: string) => (await hub.api('GET', `/v1/orders/${id}`)).body;
    const steps = async (id: string) =>
      (await hub.api('GET', `/v1/orders/${id}/timeline`)).body.entries as { step: string; outcome: string; status: string; source: string; detail?: string }[];

    test('release → split shipments → delivered → invoiced, with outbox messages for warehouse, channel and CRM', async () => {
      await hub.stock('LC-1', 'DAL', 3);
      await hub.stock('LC-1', 'ATL', 10);
      const id = await capture('LC-1', 5);
      await send(ev('order.released', id));
      assert.equal((await view(id)).status, 'released');
      await send(ev('order.shipped', id, { location: 'ATL', lines: [{ sku: 'LC-1', qty: 2 }], tracking: { carrier: 'UPS', number: '1Z999' } }, 'wms-atl'));
      assert.equal((await view(id)).status, 'partially_shipped');
      await send(ev('order.shipped', id, { location: 'ATL', lines: [{ sku: 'LC-1', qty: 3 }], tracking: '1Z998' }, 'wms-atl'));
      await send(ev('order.delivered', id, {}, 'carrier-ups'), ev('order.invoiced', id, { invoiceNumber: 'INV-1' }));
      const v = await view(id);
      assert.equal(v.status, 'invoiced');
      assert.equal(v.lines[0].shipped, 5);
      const outbox = (await hub.api('GET', '/v1/outbox?limit=10000')).body.messages.filter((m: { messageKey: string }) => m.messageKey === id);
      const topics = outbox.map((m: { destination: string; topic: string }) => `${m.destination} ${m.topic}`);
      assert.deepEqual(topics, [
        'location:ATL fulfilment.request',
        'queued shipment.confirmed',
        'crm shipment.confirmed',
        'queued shipment.confirmed',
        'crm shipment.confirmed',
        'crm order.delivered',
        'queued order.invoiced',
      ]);
      assert.equal(new Set(outbox.map((m: { idempotencyKey: string }) => m.idempotencyKey)).size, outbox.length, 'each message has its own idempotency key');
      const entries = await steps(id);
      assert.deepEqual(
        entries.map((e) => e.step),
        ['captured', 'erp.committed', 'order.released', 'order.shipped', 'order.shipped', 'order.delivered', 'order.invoiced'],
      );
      assert.deepEqual(entries.map((e) => e.source).slice(2), ['erp-main', 'wms-atl', 'wms-atl', 'carrier-ups', 'erp-main']);
    });

    test('shipped stock is held until the authority shows it gone, whichever arrives first, however often', async () => {
      await hub.stock('SH-1', 'DAL', 10);
      await hub.stock('SH-1', 'ATL', 0);
      // Shipment first, then the WMS movement.
      const a = await capture('SH-1', 4);
      assert.equal(await hub.available('SH-1'), 6);
      await send(ev('order.released', a));
      const shipA = ev('order.shipped', a, { location: 'DAL', lines: [{ sku: 'SH-1', qty: 4 }] }, 'wms-dal');
      await send(shipA);
      assert.equal(await hub.available('SH-1'), 6, 'shipped but not yet gone: still held, not available');
      const moveA = { ...movement({ source: 'wms-dal', seq: 7_000_001, sku: 'SH-1', location: 'DAL', reason: 'ship', delta: { onHand: -4 } }), orderId: a };
      await send(moveA);
      assert.equal(await hub.available('SH-1'), 6, 'gone from on hand and no longer held: counted once');
      await send(moveA, shipA);
      assert.equal(await hub.available('SH-1'), 6, 'repeats change nothing');
      // Movement first, then the shipment.
      const b = await capture('SH-1', 2);
      assert.equal(await hub.available('SH-1'), 4);
      await send(ev('order.released', b));
      await send({ ...movement({ source: 'wms-dal', seq: 7_000_002, sku: 'SH-1', location: 'DAL', reason: 'pick', delta: { onHand: -2 } }), orderId: b });
      assert.equal(await hub.available('SH-1'), 4);
      await send(ev('order.shipped', b, { location: 'DAL', lines: [{ sku: 'SH-1', qty: 2 }] }, 'wms-dal'));
      assert.equal(await hub.available('SH-1'), 4);
      assert.equal((await view(b)).status, 'shipped');
      // A later count confirms a shipment whose movement never came.
      const c = await capture('SH-1', 1);
      await send(ev('order.released', c));
      await send(ev('order.shipped', c, { location: 'DAL', lines: [{ sku: 'SH-1', qty: 1 }] }, 'wms-dal'));
      assert.equal(await hub.available('SH-1'), 3);
      await send({ ...snapshot({ source: 'wms-dal', seq: 7_000_003, sku: 'SH-1', location: 'DAL', onHand: 3 }), occurredAt: at(30) });
      assert.equal(await hub.available('SH-1'), 3, 'the count shows 3 on hand and nothing is held any more');
      const late = { ...movement({ source: 'wms-dal', seq: 7_000_000, sku: 'SH-1', location: 'DAL', reason: 'ship', delta: { onHand: -1 } }), orderId: c };
      await send(late);
      assert.equal(await hub.available('SH-1'), 3, 'a movement inside the count changes nothing and releases nothing twice');
    });

    test('events before their precondition wait and apply in order; illegal ones are rejected and recorded', async () => {
      await hub.stock('WT-1', 'DAL', 10);
      const id = await capture('WT-1', 3);
      const shipped = ev('order.shipped', id, { location: 'DAL', lines: [{ sku: 'WT-1', qty: 3 }] }, 'wms-dal');
      const delivered = ev('order.delivered', id, {}, 'carrier-ups');
      await send(delivered, shipped);
      let v = await view(id);
      assert.equal(v.status, 'accepted');
      assert.equal(v.waitingEvents, 2);
      await send(ev('order.released', id));
      v = await view(id);
      assert.equal(v.status, 'delivered');
      assert.equal(v.waitingEvents, 0);
      const entries = await steps(id);
      assert.deepEqual(
        entries.filter((e) => e.outcome === 'waiting').map((e) => e.step),
        ['order.delivered', 'order.shipped'],
      );
      assert.deepEqual(
        entries
          .filter((e) => e.outcome === 'applied')
          .map((e) => e.step)
          .slice(-3),
        ['order.released', 'order.shipped', 'order.delivered'],
      );

      const over = await send(ev('order.shipped', id, { location: 'DAL', lines: [{ sku: 'WT-1', qty: 1 }] }, 'wms-dal'));
      assert.equal(over.accepted, 1, 'an illegal event is still logged');
      const rejected = (await steps(id)).filter((e) => e.outcome === 'rejected');
      assert.equal(rejected.length, 1);
      assert.match(rejected[0]!.detail!, /ships 1 of WT-1 but 0 are outstanding/);
      const exceptions = (await hub.api('GET', '/v1/order-exceptions')).body.exceptions;
      assert.ok(exceptions.some((x: { orderId: string; kind: string }) => x.orderId === id && x.kind === 'rejected'));
      assert.equal((await view(id)).lines[0].shipped, 3);
    });

    test('cancel after a partial shipment releases only the rest; a shipment after cancel is rejected', async () => {
      await hub.stock('CX-1', 'DAL', 10);
      const id = await capture('CX-1', 6);
      await send(ev('order.released', id));
      await send(ev('order.shipped', id, { location: 'DAL', lines: [{ sku: 'CX-1', qty: 2 }] }, 'wms-dal'));
      await send({ ...movement({ source: 'wms-dal', seq: 7_100_000, sku: 'CX-1', location: 'DAL', reason: 'ship', delta: { onHand: -2 } }), orderId: id });
      assert.equal(await hub.available('CX-1'), 4);
      const res = await hub.api('POST', `/v1/orders/${id}/cancel`);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'shipped', 'what shipped stays shipped; the rest is cancelled');
      assert.equal(await hub.available('CX-1'), 8);
      const outbox = (await hub.api('GET', '/v1/outbox?destination=location:DAL')).body.messages;
      assert.ok(outbox.some((m: { topic: string; messageKey: string }) => m.topic === 'fulfilment.cancel' && m.messageKey === id));
      await send(ev('order.shipped', id, { location: 'DAL', lines: [{ sku: 'CX-1', qty: 1 }] }, 'wms-dal'));
      assert.equal((await steps(id)).at(-1)!.outcome, 'rejected');
    });

    test('cancel after a shipment the warehouse has not shown leaving keeps the shipped units held until it does', async () => {
      await hub.stock('CY-1', 'DAL', 10);
      const id = await capture('CY-1', 6);
      await send(ev('order.released', id));
      await send(ev('order.shipped', id, { location: 'DAL', lines: [{ sku: 'CY-1', qty: 2 }] }, 'wms-dal'));
      const res = await hub.api('POST', `/v1/orders/${id}/cancel`);
      assert.equal(res.status, 200);
      await hub.settled();
      assert.equal(await hub.available('CY-1'), 8, 'the 2 shipped units are still on hand but not for sale');
      await send({ ...movement({ source: 'wms-dal', seq: 7_150_000, sku: 'CY-1', location: 'DAL', reason: 'ship', delta: { onHand: -2 } }), orderId: id });
      assert.equal(await hub.available('CY-1'), 8, 'gone from on hand and no longer held: counted once');
    });

    test("a return adds stock only when the location's authority receives it", async () => {
      await hub.stock('RT-1', 'DAL', 5);
      const id = await capture('RT-1', 2);
      await send(ev('order.released', id));
      await send(ev('order.shipped', id, { location: 'DAL', lines: [{ sku: 'RT-1', qty: 2 }] }, 'wms-dal'));
      await send({ ...movement({ source: 'wms-dal', seq: 7_200_000, sku: 'RT-1', location: 'DAL', reason: 'ship', delta: { onHand: -2 } }), orderId: id });
      assert.equal(await hub.available('RT-1'), 3);
      await send(ev('return.received', id, { location: 'DAL', lines: [{ sku: 'RT-1', qty: 1 }] }, 'crm-returns'));
      assert.equal(await hub.available('RT-1'), 3, 'the CRM saying so adds nothing');
      await send(ev('return.received', id, { location: 'DAL', lines: [{ sku: 'RT-1', qty: 1 }] }, 'wms-dal'));
      assert.equal(await hub.available('RT-1'), 4, 'the warehouse receiving it does');
      const v = await view(id);
      assert.equal(v.lines[0].returned, 2);
      assert.equal(v.status, 'returned');
    });

    test("a lookup whose position reaches an order event's shows what the event did to the order's holds", async () => {
      await hub.stock('RY-1', 'DAL', 10);
      const id = await capture('RY-1', 4);
      assert.equal(await hub.available('RY-1'), 6);
      // No settling here: only the documented rule (docs/REFERENCE.md: poll until position ≥ the one answered), which the harness applies.
      const res = await hub.api('POST', '/v1/events', [ev('order.cancelled', id, { reason: 'customer called' }, 'crm-main')]);
      assert.equal(res.body.accepted, 1);
      const lookup = await hub.api('GET', '/v1/availability/RY-1?channel=queued');
      assert.ok(lookup.body.position >= res.body.position);
      assert.equal(lookup.body.available, 10, 'the cancelled order holds nothing at that position');
    });

    test('a return to a location not defined yet is recorded on the order, and its stock applies once the location is', async () => {
      await hub.stock('RN-1', 'DAL', 5);
      const id = await capture('RN-1', 2);
      await send(ev('order.released', id));
      await send(ev('order.shipped', id, { location: 'DAL', lines: [{ sku: 'RN-1', qty: 2 }] }, 'wms-dal'));
      const res = await send(ev('return.received', id, { location: 'RNX', lines: [{ sku: 'RN-1', qty: 1 }] }, 'wms-rnx'));
      assert.equal(res.parked.length, 1, 'the returned stock waits for its location');
      assert.match(res.parked[0].reason, /location 'RNX' is not defined/);
      assert.equal((await view(id)).lines[0].returned, 1, 'the order records the return at once');
      assert.equal((await hub.api('PUT', '/v1/locations/RNX', { name: 'Returns desk', authority: 'wms-rnx' })).status < 300, true);
      assert.equal((await hub.api('PUT', '/v1/channels/returns', { locations: ['RNX'] })).status < 300, true);
      await hub.settled();
      assert.equal(await hub.available('RN-1', 'returns'), 1);
    });

    test('bad order events are rejected one by one with the field named', async () => {
      const res = await hub.api('POST', '/v1/events', [
        ev('order.shipped', 'ord_x', { location: 'DAL', lines: [{ sku: 'A', qty: 0 }] }),
        ev('order.released', 'ord_x', { orderId: '' }),
        ev('order.delivered', 'ord_x'),
      ]);
      assert.equal(res.status, 200);
      assert.equal(res.body.accepted, 1);
      assert.deepEqual(
        res.body.rejected.map((r: { index: number }) => r.index),
        [0, 1],
      );
      assert.ok(res.body.rejected[0].errors.some((e: { path: string }) => e.path === '/lines/0/qty'));
      assert.ok(res.body.rejected[1].errors.some((e: { path: string }) => e.path === '/orderId'));
    });

    test('an event whose precondition never comes becomes an exception after the configured time', async () => {
      const quick = await startOrderHarness(backend, { file: { orders: { waitForPreconditionMs: 1000 } } });
      try {
        await quick.stock('EX-1', 'DAL', 5);
        const res = await quick.order({ channel: 'queued', externalId: 'EX-A', customer: 'C-42', lines: [{ sku: 'EX-1', qty: 1 }] });
        const shipped = ev('order.shipped', res.body.id, { location: 'DAL', lines: [{ sku: 'EX-1', qty: 1 }] }, 'wms-dal');
        await quick.api('POST', '/v1/events', [shipped, ev('order.delivered', 'ord_never_captured')]);
        await quick.settled();
        assert.equal((await quick.api('GET', `/v1/orders/${res.body.id}`)).body.waitingEvents, 1);
        let exceptions: { orderId: string; kind: string; reason: string }[] = [];
        for (let i = 0; i < 60 && exceptions.length < 2; i++) {
          await new Promise((r) => setTimeout(r, 100));
          exceptions = (await quick.api('GET', '/v1/order-exceptions')).body.exceptions;
        }
        assert.deepEqual(
          exceptions.map((x) => [x.orderId, x.kind]).sort(),
          [
            [res.body.id, 'expired'],
            ['ord_never_captured', 'expired'],
          ].sort(),
        );
        assert.match(exceptions.find((x) => x.orderId === res.body.id)!.reason, /not been released/);
        const v = (await quick.api('GET', `/v1/orders/${res.body.id}`)).body;
        assert.equal(v.waitingEvents, 0);
        assert.equal(v.status, 'accepted', 'an expired event is never applied');
        const timeline = (await quick.api('GET', `/v1/orders/${res.body.id}/timeline`)).body.entries;
        assert.equal(timeline.at(-1).outcome, 'expired');
      } finally {
        await quick.stop();
      }
    });
  });
}
