/**
 * The contract every OrderChanges implementation keeps, run against the embedded hub's (event
 * loop + group commit over SQLite) and the scale-out hub's (PostgreSQL transactions with row
 * locks): a change sees the order and what it holds, a record moves the holds at once and commits
 * with its timeline, a refused change changes nothing and harms no other change, concurrent
 * changes to one order are serialised, and the queries that feed the sweeps answer oldest first.
 * Orders are made through the API, as a client would; what a change committed is read back
 * through the API too.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cloneOrder } from '../../src/domain/orders/order-state.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

export async function describeOrderChangesContract(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`the OrderChanges contract on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
    });
    after(async () => {
      await hub?.stop();
    });

    let ext = 0;
    const capture = async (lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) => {
      const res = await hub.order({ channel: 'queued', externalId: `OC-${++ext}`, customer: 'C-42', lines, ...extra });
      assert.ok(res.status === 201 || res.status === 202, JSON.stringify(res.body));
      await hub.settled();
      return res.body.id as string;
    };
    const timeline = async (id: string) => ((await hub.api('GET', `/v1/orders/${id}/timeline`)).body.entries as { step: string }[]).map((e) => e.step);

    test('a change sees the order and its holds; a record moves the holds at once and commits with its step', async () => {
      await hub.stock('OC-1', 'DAL', 10);
      const id = await capture([{ sku: 'OC-1', qty: 4 }]);
      const seen = await hub.orderChanges.change({ orders: [id] }, (work) => {
        const order = work.order(id);
        assert.ok(order, 'the change sees the captured order');
        const channel = work.book.channels.get('queued')!;
        const before = { holds: [...work.holds(id)], figure: work.book.compute(channel, 'OC-1', work.nowMs) };
        const next = cloneOrder(order);
        next.cancelled = true;
        work.record(next, [{ step: 'contract.cancelled', source: 'contract' }]);
        return { before, after: { holds: [...work.holds(id)], figure: work.book.compute(channel, 'OC-1', work.nowMs) } };
      });
      assert.deepEqual(seen.before.holds, [['OC-1\u001fDAL', 4]]);
      assert.deepEqual(seen.after.holds, [], 'the holds moved within the change');
      assert.equal(seen.after.figure, seen.before.figure + 4, 'a later decision in the same change sees the units given back');
      await hub.settled();
      assert.equal((await hub.api('GET', `/v1/orders/${id}`)).body.status, 'cancelled');
      assert.ok((await timeline(id)).includes('contract.cancelled'));
      assert.equal(await hub.available('OC-1'), 10);
    });

    test('a change that refuses before it records changes nothing and does not harm a change beside it', async () => {
      await hub.stock('OC-2', 'DAL', 10);
      const refused = await capture([{ sku: 'OC-2', qty: 2 }]);
      const other = await capture([{ sku: 'OC-2', qty: 3 }]);
      const results = await Promise.allSettled([
        hub.orderChanges.change({ orders: [refused] }, () => {
          throw new Error('refused by the contract');
        }),
        hub.orderChanges.change({ orders: [other] }, (work) => {
          work.record(cloneOrder(work.order(other)!), [{ step: 'contract.touched', source: 'contract' }]);
          return 'done';
        }),
      ]);
      assert.equal(results[0].status, 'rejected');
      assert.match(String((results[0] as PromiseRejectedResult).reason), /refused by the contract/);
      assert.deepEqual(results[1], { status: 'fulfilled', value: 'done' });
      assert.ok(!(await timeline(refused)).some((s) => s.startsWith('contract.')));
      assert.ok((await timeline(other)).includes('contract.touched'));
      await hub.settled();
      assert.equal(await hub.available('OC-2'), 5);
    });

    test('concurrent changes to one order are serialised: each sees the one before it, none is lost', async () => {
      await hub.stock('OC-3', 'DAL', 10);
      const id = await capture([{ sku: 'OC-3', qty: 1 }]);
      await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          hub.orderChanges.change({ orders: [id] }, (work) => {
            const next = cloneOrder(work.order(id)!);
            // Each change adds one unit to the line's departures: a lost update would show fewer.
            next.lines[0]!.departed.ATL = (next.lines[0]!.departed.ATL ?? 0) + 1;
            work.record(next, [{ step: `contract.${n}`, source: 'contract' }]);
          }),
        ),
      );
      const steps = (await timeline(id)).filter((s) => s.startsWith('contract.'));
      assert.equal(steps.length, 12);
      const departed = await hub.orderChanges.change({ orders: [id] }, (work) => work.order(id)!.lines[0]!.departed.ATL);
      assert.equal(departed, 12);
    });

    test('owingOrders lists orders owed units oldest first, narrowed to the items asked for', async () => {
      for (const sku of ['OC-4', 'OC-5']) assert.equal((await hub.api('PUT', `/v1/items/${sku}`, { description: sku })).status, 201);
      await hub.settled();
      const first = await capture([{ sku: 'OC-4', qty: 5 }], { backorder: 'allow' });
      const second = await capture([{ sku: 'OC-5', qty: 2 }], { backorder: 'allow' });
      const all = (await hub.orderChanges.owingOrders(1000)).filter((id) => id === first || id === second);
      assert.deepEqual(all, [first, second]);
      const narrowed = await hub.orderChanges.owingOrders(1000, ['OC-5']);
      assert.ok(narrowed.includes(second) && !narrowed.includes(first));
    });

    test('heldFor lists a customer\u2019s orders held for credit', async () => {
      const res = await hub.order({
        channel: 'queued',
        externalId: `OC-${++ext}`,
        customer: 'C-HOLD',
        lines: [{ sku: 'ABC-100', qty: 1 }],
        backorder: 'allow',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await hub.settled();
      assert.ok((await hub.orderChanges.heldFor('C-HOLD')).includes(res.body.id));
      assert.ok(!(await hub.orderChanges.heldFor('C-42')).includes(res.body.id));
    });

    test('waiting events are listed oldest first and leave the list when a change removes them; what it raises is kept', async () => {
      const ghost = `ord_contract_${Date.now()}`;
      const sent = await hub.api('POST', '/v1/events', [
        { id: `oc-ship-${ghost}`, type: 'order.delivered', source: 'carrier-ups', seq: Date.now(), occurredAt: '2026-11-22T10:00:00Z', orderId: ghost },
      ]);
      assert.equal(sent.body.accepted, 1, JSON.stringify(sent.body));
      await hub.settled();
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const waiting = (await hub.orderChanges.waitingSince(future, 1000)).filter((w) => w.orderId === ghost);
      assert.equal(waiting.length, 1);
      await hub.orderChanges.change({ orders: [ghost] }, (work) => {
        assert.equal(work.order(ghost), undefined, 'an order never captured is not there');
        assert.deepEqual(
          work.waiting(ghost).map((w) => w.position),
          waiting.map((w) => w.position),
        );
        work.removeWaiting(waiting.map((w) => w.position));
        work.raise([{ orderId: ghost, position: waiting[0]!.position, kind: 'expired', reason: 'contract', event: waiting[0]!.event, raisedAt: work.nowIso }]);
      });
      assert.equal((await hub.orderChanges.waitingSince(future, 1000)).filter((w) => w.orderId === ghost).length, 0);
      const raised = (await hub.api('GET', '/v1/order-exceptions?limit=1000')).body.exceptions as { orderId: string; reason: string }[];
      assert.equal(raised.filter((e) => e.orderId === ghost && e.reason === 'contract').length, 1);
    });
  });
}
