/**
 * The contract every OrderPlacement implementation keeps, run against the embedded hub's (event
 * loop + group commit) and the scale-out hub's (the shared reservation transaction): never more
 * placed than the channel may take, however many place at once; a channel's order number placed
 * once; a shortfall places nothing; a placed order is stored with its holds and first step.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Channel } from '../../src/model/catalog.js';
import type { OrderDraft } from '../../src/ports/order-placement.js';
import { newOrder } from '../../src/app/orders/order-request.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

const QUEUED: Channel = { id: 'queued', locations: ['DAL', 'ATL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' };
const CUSTOMER = { id: 'C-42', name: 'Lone Star Plumbing', active: true, creditHold: false, updatedAt: '2026-12-06T00:00:00Z' };

export async function describeOrderPlacementContract(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`the OrderPlacement contract on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
    });
    after(async () => {
      await hub?.stop();
    });

    let n = 0;
    const draft = (sku: string, qty: number, externalId = `OP-${backend.name}-${++n}`): OrderDraft => {
      const id = `ord_contract_${backend.name}_${++n}`;
      const request = { channel: 'queued', externalId, customer: 'C-42', lines: [{ sku, qty }] };
      return {
        id,
        channel: QUEUED,
        externalId,
        lines: request.lines,
        backorder: 'reject',
        key: `contract\u001f${id}`,
        fingerprint: id,
        make: (allocations) => newOrder(id, request, CUSTOMER, allocations, new Date().toISOString()),
        captured: { step: 'captured', source: 'contract' },
        toErp: false,
      };
    };

    test('of 30 placements at once for an item with 10 units, exactly 10 are placed; the rest are short and hold nothing', async () => {
      await hub.stock('OP-1', 'DAL', 6);
      await hub.stock('OP-1', 'ATL', 4);
      await hub.settled();
      const placed = await Promise.all(Array.from({ length: 30 }, () => hub.placement.place(draft('OP-1', 1))));
      assert.equal(placed.filter((p) => p.ok).length, 10);
      for (const p of placed.filter((x) => !x.ok)) assert.deepEqual(!p.ok && p.shortfalls.map((s) => [s.sku, s.requested, s.available]), [['OP-1', 1, 0]]);
      await hub.settled();
      assert.equal(await hub.available('OP-1'), 0);
    });

    test('a channel order number is placed once; the second placement names the first order', async () => {
      await hub.stock('OP-2', 'DAL', 5);
      await hub.settled();
      const first = await hub.placement.place(draft('OP-2', 1, `OP-DUP-${backend.name}`));
      assert.ok(first.ok);
      const second = await hub.placement.place(draft('OP-2', 1, `OP-DUP-${backend.name}`));
      assert.equal(second.ok, false);
      assert.equal(!second.ok && second.duplicateOf, first.ok && first.order.id);
      await hub.settled();
      assert.equal(await hub.available('OP-2'), 4);
    });

    test('a placed order is stored with its holds and its first timeline step', async () => {
      await hub.stock('OP-3', 'DAL', 5);
      await hub.settled();
      const placed = await hub.placement.place(draft('OP-3', 2));
      assert.ok(placed.ok);
      await hub.settled();
      const view = (await hub.api('GET', `/v1/orders/${placed.order.id}`)).body;
      assert.deepEqual(
        view.lines.map((l: { reserved: number }) => l.reserved),
        [2],
      );
      const steps = (await hub.api('GET', `/v1/orders/${placed.order.id}/timeline`)).body.entries.map((e: { step: string }) => e.step);
      assert.deepEqual(steps, ['captured']);
      assert.equal(await hub.available('OP-3'), 3);
    });
  });
}
