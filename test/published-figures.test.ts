/**
 * The embedded hub answers a lookup with the figure it last published to the channel (see
 * InventoryState.figure), so every change of stock, reservation, authority or channel rule must
 * refresh those figures in the same step. This property test drives random sequences of such
 * changes over HTTP and compares each lookup, single and batch, with the explanation, which works
 * the figure out afresh from the ledger.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startOrderHub, type OrderHub } from './support/order-hub.js';
import { movement, snapshot } from './support/test-hub.js';

let hub: OrderHub;
before(async () => {
  hub = await startOrderHub();
});
after(async () => {
  await hub.stop();
});

const LOCATIONS = ['DAL', 'ATL'] as const;
const AUTHORITY = { DAL: 'wms-dal', ATL: 'wms-atl' } as const;
const CHANNELS = ['web', 'amazon', 'queued', 'strict', 'b2b'];

type Step =
  | { kind: 'snapshot'; item: number; location: 0 | 1; shadow: boolean; onHand: number; qualityHold: number }
  | { kind: 'movement'; item: number; location: 0 | 1; shadow: boolean; delta: number }
  | { kind: 'order'; item: number; qty: number; backorder: boolean }
  | { kind: 'cancel' }
  | { kind: 'ship'; qty: number }
  | { kind: 'rule'; safetyStock: number; percent: number | null }
  | { kind: 'authority'; location: 0 | 1; shadow: boolean };

const item = fc.integer({ min: 0, max: 2 });
const location = fc.constantFrom<0 | 1>(0, 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('snapshot' as const),
      item,
      location,
      shadow: fc.boolean(),
      onHand: fc.integer({ min: 0, max: 30 }),
      qualityHold: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('movement' as const), item, location, shadow: fc.boolean(), delta: fc.integer({ min: -8, max: 8 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('order' as const), item, qty: fc.integer({ min: 1, max: 12 }), backorder: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ship' as const), qty: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('rule' as const),
      safetyStock: fc.integer({ min: 0, max: 5 }),
      percent: fc.option(fc.integer({ min: 10, max: 100 }), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('authority' as const), location, shadow: fc.boolean() }) },
);

let run = 0,
  seq = 0,
  ext = 0;

test('lookups answer the figure worked out from the ledger after any sequence of changes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
      run++;
      const skus = [0, 1, 2].map((i) => `PF-${run}-${i}`);
      const orders: { id: string; sku: string }[] = [];
      // Every item starts with some stock at both locations, so orders have something to reserve.
      await hub.api(
        'POST',
        '/v1/events',
        skus.flatMap((sku, i) => LOCATIONS.map((loc) => snapshot({ source: AUTHORITY[loc], seq: ++seq, sku, location: loc, onHand: 5 + 4 * i }))),
      );
      for (const [n, s] of steps.entries()) {
        await apply(s, skus, orders);
        // A stale figure may be put right by a later change of the same item: compare after each step.
        for (const channel of ['web', 'queued']) await agrees(channel, skus, `after step ${n} of ${JSON.stringify(steps)}`, false);
      }
      for (const channel of CHANNELS) await agrees(channel, skus, `after ${JSON.stringify(steps)}`, true);
    }),
    { numRuns: 40 },
  );
  // Leave the shared locations as the network defines them.
  for (const loc of LOCATIONS) await hub.api('PUT', `/v1/locations/${loc}`, { name: loc, authority: AUTHORITY[loc] });
});

/** The batch lookup (and with `single`, each single lookup) answers what the explanation works out. */
async function agrees(channel: string, skus: string[], context: string, single: boolean): Promise<void> {
  const batch = (await hub.api('POST', '/v1/availability/query', { channel, skus })).body.items as { sku: string; available: number }[];
  for (const [k, sku] of skus.entries()) {
    const explained = (await hub.api('GET', `/v1/availability/${sku}/explain?channel=${channel}`)).body.available;
    assert.equal(batch[k]!.available, explained, `batch, ${channel} ${sku} ${context}`);
    if (single)
      assert.equal((await hub.api('GET', `/v1/availability/${sku}?channel=${channel}`)).body.available, explained, `single, ${channel} ${sku} ${context}`);
  }
}

async function apply(s: Step, skus: string[], orders: { id: string; sku: string }[]): Promise<void> {
  switch (s.kind) {
    case 'snapshot':
    case 'movement': {
      const loc = LOCATIONS[s.location];
      const source = s.shadow ? 'erp' : AUTHORITY[loc];
      const event =
        s.kind === 'snapshot'
          ? snapshot({ source, seq: ++seq, sku: skus[s.item]!, location: loc, onHand: s.onHand, qualityHold: s.qualityHold })
          : movement({ source, seq: ++seq, sku: skus[s.item]!, location: loc, delta: { onHand: s.delta } });
      const res = await hub.api('POST', '/v1/events', [event]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return;
    }
    case 'order': {
      const sku = skus[s.item]!;
      const res = await hub.order({
        channel: 'queued',
        externalId: `PF-${++ext}`,
        customer: 'C-42',
        backorder: s.backorder ? 'allow' : 'reject',
        lines: [{ sku, qty: s.qty }],
      });
      if (res.status === 201 || res.status === 202) orders.push({ id: res.body.id, sku });
      return;
    }
    case 'cancel': {
      const order = orders.pop();
      if (order) await hub.api('POST', `/v1/orders/${order.id}/cancel`, {});
      return;
    }
    case 'ship': {
      const order = orders.at(-1);
      if (!order) return;
      const view = (await hub.api('GET', `/v1/orders/${order.id}`)).body;
      const from = (view.lines?.[0]?.allocations?.[0]?.location ?? 'DAL') as 'DAL' | 'ATL';
      await hub.api('POST', '/v1/events', [
        { id: `erp-rel-${++seq}`, type: 'order.released', source: 'erp-main', seq: 9_000_000 + seq, occurredAt: '2026-11-22T11:00:00Z', orderId: order.id },
        {
          id: `wms-ship-${++seq}`,
          type: 'order.shipped',
          source: AUTHORITY[from],
          seq: 9_000_000 + seq,
          occurredAt: '2026-11-22T11:05:00Z',
          orderId: order.id,
          location: from,
          lines: [{ sku: order.sku, qty: s.qty }],
        },
      ]);
      return;
    }
    case 'rule': {
      const res = await hub.api('PUT', '/v1/channels/web', {
        locations: ['DAL', 'ATL'],
        safetyStock: s.safetyStock,
        ...(s.percent !== null ? { allocation: { percent: s.percent } } : {}),
      });
      assert.equal(res.status < 300, true, JSON.stringify(res.body));
      return;
    }
    case 'authority': {
      const loc = LOCATIONS[s.location];
      const res = await hub.api('PUT', `/v1/locations/${loc}`, { name: loc, authority: s.shadow ? 'erp' : AUTHORITY[loc] });
      assert.equal(res.status < 300, true, JSON.stringify(res.body));
      return;
    }
  }
}
