/**
 * Property, on either backend: whatever order the lifecycle events of an order arrive in, and
 * however often each repeats, the order and the stock end where in-order delivery leaves them.
 * Runs through the real ingest path (HTTP, log, dedupe, state machine, ledger; on scale-out the
 * shared log and the workers) with two identical orders on separate items: one gets the events in
 * order, the other the shuffled, duplicated stream. Run by order-events-property-*.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

/** The lifecycle of one order with lines A×5 (DAL 3, ATL 2) and B×2 (DAL), from every system involved. */
function lifecycle(orderId: string, a: string, b: string, base: number) {
  const t = (m: number) => `2026-11-22T12:${String(m).padStart(2, '0')}:00Z`;
  let n = 0;
  const e = (source: string, fields: Record<string, unknown>, minute: number) => ({
    id: `${source}-${base}-${++n}`,
    source,
    seq: base + n,
    occurredAt: t(minute),
    ...fields,
  });
  return [
    e('erp-main', { type: 'order.released', orderId }, 1),
    e(
      'wms-dal',
      {
        type: 'order.shipped',
        orderId,
        location: 'DAL',
        lines: [
          { sku: a, qty: 3 },
          { sku: b, qty: 1 },
        ],
        tracking: 'T1',
      },
      2,
    ),
    e('wms-dal', { type: 'inventory.movement', sku: a, location: 'DAL', reason: 'ship', delta: { onHand: -3 }, orderId }, 3),
    e('wms-dal', { type: 'inventory.movement', sku: b, location: 'DAL', reason: 'ship', delta: { onHand: -1 }, orderId }, 3),
    e('wms-atl', { type: 'order.shipped', orderId, location: 'ATL', lines: [{ sku: a, qty: 2 }] }, 4),
    e('wms-atl', { type: 'inventory.snapshot', sku: a, location: 'ATL', balance: { onHand: 4 } }, 5),
    e('wms-dal', { type: 'order.shipped', orderId, location: 'DAL', lines: [{ sku: b, qty: 1 }] }, 6),
    e('wms-dal', { type: 'inventory.movement', sku: b, location: 'DAL', reason: 'pick', delta: { onHand: -1 }, orderId }, 6),
    e('carrier-ups', { type: 'order.delivered', orderId }, 8),
    e('erp-main', { type: 'order.invoiced', orderId, invoiceNumber: 'INV' }, 9),
    e('wms-dal', { type: 'return.received', orderId, location: 'DAL', lines: [{ sku: a, qty: 1 }] }, 10),
    e('wms-dal', { type: 'inventory.movement', sku: b, location: 'DAL', reason: 'receipt', delta: { onHand: 7 } }, 11),
  ];
}

export async function orderEventsProperty(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`order events in any order on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
    });
    after(async () => {
      await hub?.stop();
    });

    let run = 0;

    async function setUp(tag: string) {
      const a = `PA-${tag}`,
        b = `PB-${tag}`;
      await hub.stock(a, 'DAL', 10);
      await hub.stock(b, 'DAL', 5);
      await hub.stock(a, 'ATL', 6);
      const res = await hub.order({
        channel: 'queued',
        externalId: `P-${tag}`,
        customer: 'C-42',
        lines: [
          { sku: a, qty: 5 },
          { sku: b, qty: 2 },
        ],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const got = (await hub.api('GET', `/v1/orders/${res.body.id}`)).body;
      // The test's events assume this sourcing; the sourcing test covers the rule itself.
      assert.deepEqual(
        got.lines.map((l: { allocations: unknown }) => l.allocations),
        [[{ location: 'DAL', reserved: 5 }], [{ location: 'DAL', reserved: 2 }]],
      );
      return { id: res.body.id as string, a, b };
    }

    async function outcome(o: { id: string; a: string; b: string }) {
      const v = (await hub.api('GET', `/v1/orders/${o.id}`)).body;
      const stock = async (sku: string) =>
        (await hub.api('GET', `/v1/availability/${sku}/explain?channel=queued`)).body.locations.map(
          (l: { location: string; onHand: number; reserved: number }) => [l.location, l.onHand, l.reserved],
        );
      return {
        status: v.status,
        waiting: v.waitingEvents,
        lines: v.lines.map((l: Record<string, number>) => [l.qty, l.reserved, l.backordered, l.shipped, l.returned]),
        a: await stock(o.a),
        b: await stock(o.b),
        available: [await hub.available(o.a), await hub.available(o.b)],
      };
    }

    async function deliver(events: unknown[], chunks: number[]) {
      let i = 0,
        c = 0;
      while (i < events.length) {
        const size = Math.max(1, chunks[c++ % chunks.length] ?? 1);
        const res = await hub.api('POST', '/v1/events', events.slice(i, i + size));
        assert.deepEqual(res.body.rejected, [], JSON.stringify(res.body));
        i += size;
      }
      await hub.settled();
    }

    test("any arrival order and any repeats of an order's events reach the in-order result", async () => {
      // The events do not depend on the run: draw the shuffle as indexes over a fixed length.
      const COUNT = 12;
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray([...Array(COUNT).keys()], { minLength: COUNT, maxLength: COUNT }),
          fc.array(fc.tuple(fc.nat(COUNT - 1), fc.nat(COUNT + 5)), { maxLength: 6 }),
          fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
          async (order, repeats, chunks) => {
            const tag = `${++run}`;
            const inOrder = await setUp(`${tag}x`);
            const shuffled = await setUp(`${tag}y`);
            await deliver(lifecycle(inOrder.id, inOrder.a, inOrder.b, 10_000_000 + run * 100_000), [COUNT]);
            const events = lifecycle(shuffled.id, shuffled.a, shuffled.b, 10_000_000 + run * 100_000 + 50_000);
            const stream = order.map((i) => events[i]!);
            for (const [which, where] of repeats) stream.splice(Math.min(where, stream.length), 0, events[which]!);
            await deliver(stream, chunks);
            const expected = await outcome(inOrder);
            assert.deepEqual(
              expected,
              {
                status: 'invoiced',
                waiting: 0,
                lines: [
                  [5, 0, 0, 5, 1],
                  [2, 0, 0, 2, 0],
                ],
                a: [
                  ['DAL', 8, 0],
                  ['ATL', 4, 0],
                ],
                b: [
                  ['DAL', 10, 0],
                  ['ATL', 0, 0],
                ],
                available: [12, 10],
              },
              'in-order delivery: everything shipped and gone, one returned unit back on hand',
            );
            const got = await outcome(shuffled);
            assert.deepEqual(
              got,
              expected,
              `stream ${JSON.stringify(order)} repeats ${JSON.stringify(repeats)}:\n got ${JSON.stringify(got)}\n want ${JSON.stringify(expected)}`,
            );
          },
        ),
        { numRuns: backend.name === 'embedded' ? 60 : 12, includeErrorInReport: true },
      );
    });
  });
}
