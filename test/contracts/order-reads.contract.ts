/**
 * The contract every OrderReads keeps, run against the embedded hub's (open orders in memory,
 * the rest in SQLite) and the scale-out hub's (PostgreSQL): an order read by id and by its
 * channel's number, a cancelled one still readable, unknown ones absent; events waiting for a
 * precondition counted; the timeline in the order things happened; a listing newest first,
 * filtered and paged without gaps or repeats; the outbox in id order from a point, per destination.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

export async function describeOrderReadsContract(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`the OrderReads contract on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    let ext = 0,
      seq = 0;
    before(async () => {
      hub = await startOrderHarness(backend);
      await hub.stock('ABC-100', 'DAL', 500);
    });
    after(async () => {
      await hub?.stop();
    });

    const capture = async (channel = 'queued', customer = 'C-42') => {
      const externalId = `OR-${backend.name}-${++ext}`;
      const res = await hub.order({ channel, externalId, customer, lines: [{ sku: 'ABC-100', qty: 1 }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await hub.settled();
      return { id: res.body.id as string, externalId };
    };
    const orderEvent = (type: string, orderId: string) => {
      const s = ++seq;
      return { id: `or-${type}-${s}`, type, source: 'erp-main', seq: 8_000_000 + s, occurredAt: '2026-11-22T11:10:00Z', orderId };
    };

    test('an order is read by its id and by its channel number; another channel or an unknown id finds nothing', async () => {
      const { id, externalId } = await capture();
      const byId = await hub.orderReads.order(id);
      assert.equal(byId?.id, id);
      assert.equal(byId?.channel, 'queued');
      assert.deepEqual(
        byId?.lines.map((l) => [l.sku, l.qty]),
        [['ABC-100', 1]],
      );
      assert.equal((await hub.orderReads.orderByReference('queued', externalId))?.id, id);
      assert.equal(await hub.orderReads.orderByReference('strict', externalId), undefined);
      assert.equal(await hub.orderReads.order('no-such-order'), undefined);
    });

    test('a cancelled order is still read, cancelled, with its timeline ending in the cancellation', async () => {
      const { id } = await capture();
      const res = await hub.api('POST', `/v1/orders/${id}/cancel`, { reason: 'duplicate of another PO' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await hub.settled();
      const order = await hub.orderReads.order(id);
      assert.ok(order?.cancelled, JSON.stringify(order));
      const timeline = await hub.orderReads.timeline(id);
      assert.ok(timeline.length >= 2, JSON.stringify(timeline));
      assert.match(timeline[0]!.step, /captur|accept/);
      assert.match(timeline.at(-1)!.step, /cancel/);
      assert.ok(timeline.every((e) => e.orderId === id));
      const times = timeline.map((e) => e.at);
      assert.deepEqual([...times].sort(), times, 'entries in the order they happened');
    });

    test('events waiting for a precondition are counted per order, and listed with it', async () => {
      const { id } = await capture();
      const other = await capture();
      const sent = await hub.api('POST', '/v1/events', [orderEvent('order.delivered', id), orderEvent('order.invoiced', id)]);
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      await hub.settled();
      assert.equal(await hub.orderReads.waitingCount(id), 2);
      assert.equal(await hub.orderReads.waitingCount(other.id), 0);
      const listed = await hub.orderReads.listOrders({ channel: 'queued', limit: 2 });
      assert.deepEqual(
        listed.map((l) => [l.order.id, l.waiting]),
        [
          [other.id, 0],
          [id, 2],
        ],
        'newest first, each with its waiting events',
      );
    });

    test('a listing filters by channel, customer and status and pages without gaps or repeats', async () => {
      const mine = [await capture('strict', 'C-42'), await capture('strict', 'C-42'), await capture('strict', 'C-42')].map((o) => o.id);
      await capture('queued', 'C-42');
      const all = (await hub.orderReads.listOrders({ channel: 'strict', customer: 'C-42', limit: 100 })).map((l) => l.order.id);
      assert.deepEqual(all, [...mine].reverse());
      const first = await hub.orderReads.listOrders({ channel: 'strict', limit: 2 });
      const last = first.at(-1)!.order;
      const second = await hub.orderReads.listOrders({ channel: 'strict', limit: 2, before: { createdAt: last.createdAt, id: last.id } });
      assert.deepEqual(
        [...first, ...second].map((l) => l.order.id),
        all,
      );
      assert.deepEqual(await hub.orderReads.listOrders({ channel: 'strict', customer: 'C-HOLD', limit: 10 }), []);
      const accepted = await hub.orderReads.listOrders({ channel: 'strict', status: 'accepted', limit: 100 });
      assert.deepEqual(
        accepted.map((l) => l.order.id),
        all,
      );
    });

    test('the outbox is read in id order after a point, for one destination or all', async () => {
      await capture();
      const everything = await hub.orderReads.outbox(0, 1000);
      assert.ok(everything.length > 0, 'captured orders leave messages for other systems');
      const ids = everything.map((m) => m.id);
      assert.deepEqual(
        [...ids].sort((a, b) => a - b),
        ids,
      );
      const from = ids[Math.floor(ids.length / 2)]!;
      assert.deepEqual(
        (await hub.orderReads.outbox(from, 1000)).map((m) => m.id),
        ids.filter((i) => i > from),
      );
      assert.deepEqual(
        (await hub.orderReads.outbox(0, 2)).map((m) => m.id),
        ids.slice(0, 2),
      );
      const destination = everything[0]!.destination;
      const forOne = await hub.orderReads.outbox(0, 1000, destination);
      assert.ok(forOne.length > 0 && forOne.every((m) => m.destination === destination));
      assert.deepEqual(
        forOne.map((m) => m.id),
        everything.filter((m) => m.destination === destination).map((m) => m.id),
      );
    });
  });
}
