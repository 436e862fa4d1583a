/**
 * The contract every ErpQueue keeps, run against the embedded hub's (in memory) and the scale-out
 * hub's (leased in PostgreSQL): a due order is given to one taker at a time however many take at
 * once; a taken order is not given again while its attempt runs; once released (and, where leased,
 * its lease over) it is given again; an order no longer waiting for the ERP is never given. The
 * hub's own retry sweep is stopped first so that the suite alone takes from the queue.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { until } from '../support/until.js';

export async function describeErpQueueContract(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`the ErpQueue contract on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    let ext = 0;
    before(async () => {
      hub = await startOrderHarness(backend);
      await hub.stopErpRetries();
      hub.erp.faults = { ...hub.erp.faults, outage: true };
      await hub.stock('ABC-100', 'DAL', 100);
    });
    after(async () => {
      await hub?.stop();
    });

    /** Orders captured while the ERP is down: pending, each due after its first backoff. */
    const pendingOrders = async (count: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const res = await hub.order({ channel: 'queued', externalId: `EQ-${backend.name}-${++ext}`, customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }] });
        assert.equal(res.status, 202, `accepted, pending the ERP: ${JSON.stringify(res.body)}`);
        ids.push(res.body.id);
      }
      await hub.settled();
      return ids;
    };
    const dueNow = (ids: string[]) =>
      until(
        'the orders to be due for their next attempt',
        async () => Promise.all(ids.map(async (id) => (await hub.orderReads.order(id))?.erp.nextAttemptAt ?? Number.POSITIVE_INFINITY)),
        (times) => times.every((t) => t <= Date.now()),
      );
    const takenOf = (taken: { id: string }[][], ids: string[]) =>
      taken
        .flat()
        .filter((o) => ids.includes(o.id))
        .map((o) => o.id);

    test('of many takers at once, each due order goes to exactly one; none takes more than its limit', async () => {
      const ids = await pendingOrders(6);
      await dueNow(ids);
      const taken = await Promise.all(Array.from({ length: 8 }, () => hub.erpQueue.takeDue(2, 60_000)));
      for (const batch of taken) assert.ok(batch.length <= 2, `a taker asked for 2 and got ${batch.length}`);
      assert.deepEqual(takenOf(taken, ids).sort(), [...ids].sort(), 'every due order taken once, none twice');
      for (const batch of taken) for (const order of batch) assert.equal(order.erp.state, 'pending');

      const again = await hub.erpQueue.takeDue(100, 60_000);
      assert.deepEqual(takenOf([again], ids), [], 'an order whose attempt runs is not given again');
    });

    test('a released order is given again once its lease is over', async () => {
      const [id] = await pendingOrders(1);
      await dueNow([id!]);
      const first = await hub.erpQueue.takeDue(10, 300);
      assert.deepEqual(takenOf([first], [id!]), [id]);
      hub.erpQueue.release(id!);
      const again = await until(
        'the released order to be given again',
        () => hub.erpQueue.takeDue(10, 300),
        (batch) => batch.some((o) => o.id === id),
      );
      assert.equal(again.filter((o) => o.id === id).length, 1);
      hub.erpQueue.release(id!);
    });

    test('an order cancelled while it waits for the ERP is never given; its sibling is', async () => {
      const [cancelled, kept] = await pendingOrders(2);
      const res = await hub.api('POST', `/v1/orders/${cancelled}/cancel`, { reason: 'the buyer changed their mind' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await hub.settled();
      await dueNow([kept!]);
      const taken = await until(
        'the sibling to be given',
        () => hub.erpQueue.takeDue(100, 60_000),
        (batch) => batch.some((o) => o.id === kept),
      );
      assert.deepEqual(takenOf([taken], [cancelled!]), [], 'the cancelled order is not attempted');
    });
  });
}
