/**
 * README, delivery: availability updates that pile up for an item become one update with the latest
 * figure (fewer messages than changes), and figures that crossed zero or fell to low stock go
 * first. The changes pile up behind a receiver outage; the first window (one decoy change) is
 * held in retry, so the second window is read whole once the receiver is back.
 * Run by low-stock-priority-embedded.test.ts and low-stock-priority-scale-out.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookReceiver } from '../../sim/webhook-receiver.js';
import { skipReason, type Backend } from '../support/backends.js';
import { movement, snapshot } from '../support/test-hub.js';
import { until } from '../support/until.js';

const ITEMS = Array.from({ length: 10 }, (_, i) => `LS-${i}`);

export async function lowStockPriorityBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  test(`on the ${backend.name} backend, piled-up changes are coalesced per item and zero crossings and low stock go first`, {
    skip,
    timeout: 60_000,
  }, async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    const hub = await backend.start({
      locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' } },
      channels: { shelf: { locations: ['DAL'] } },
      systems: {
        shop: {
          type: 'webhook',
          url,
          channel: 'shelf',
          batchSize: 4,
          lowStock: 5,
          retry: { maxAttempts: 100_000, baseMs: 20, maxMs: 100 },
          circuitBreaker: { failures: 100_000, openSeconds: 1 },
        },
      },
    } as never);
    try {
      let seq = 0;
      const post = async (events: object[]) => {
        const res = await hub.api('POST', '/v1/events', events);
        assert.equal(res.body.accepted, events.length, JSON.stringify(res.body));
      };
      const all = [...ITEMS, 'LS-LOW', 'LS-ZERO', 'LS-DECOY'];
      await post(all.map((sku) => snapshot({ source: 'wms-dal', seq: ++seq, sku, location: 'DAL', onHand: 50 })));
      await until(
        'every first figure at the receiver',
        async () => receiver.applied.size,
        (n) => n === all.length,
        20_000,
      );

      receiver.faults.outage = true;
      const callsBefore = receiver.calls.length;
      await post([movement({ source: 'wms-dal', seq: ++seq, sku: 'LS-DECOY', location: 'DAL', delta: { onHand: 1 } })]);
      await until(
        'the decoy to be refused at least once',
        async () => receiver.calls.slice(callsBefore).some((c) => c.status === 503),
        (refused) => refused,
      );
      // Three changes for each of ten items, then one item falls to low stock and one to zero.
      for (let round = 0; round < 3; round++)
        await post(ITEMS.map((sku) => movement({ source: 'wms-dal', seq: ++seq, sku, location: 'DAL', delta: { onHand: 1 } })));
      await post([
        movement({ source: 'wms-dal', seq: ++seq, sku: 'LS-LOW', location: 'DAL', delta: { onHand: -47 } }),
        movement({ source: 'wms-dal', seq: ++seq, sku: 'LS-ZERO', location: 'DAL', delta: { onHand: -50 } }),
      ]);
      await hub.settled();
      const appliedBefore = receiver.applied.size;
      receiver.faults.outage = false;
      await until(
        'every latest figure at the receiver',
        async () => receiver.applied.size - appliedBefore,
        (n) => n >= 13,
        20_000,
      );

      const delivered = [...receiver.applied.values()].slice(appliedBefore);
      assert.deepEqual(
        delivered.map((m) => m.key),
        ['LS-DECOY', 'LS-ZERO', 'LS-LOW', ...delivered.slice(3).map((m) => m.key)],
        'the zero crossing, then low stock, ahead of the rest',
      );
      assert.equal(delivered.length, 13, `32 changes after the decoy went as 12 messages: ${delivered.map((m) => m.key).join(', ')}`);
      const latest = new Map(delivered.map((m) => [m.key, (m.payload as { available: number }).available]));
      assert.deepEqual(
        ITEMS.map((sku) => latest.get(sku)),
        ITEMS.map(() => 53),
      );
      assert.deepEqual([latest.get('LS-LOW'), latest.get('LS-ZERO')], [3, 0]);
      assert.equal(receiver.duplicates, 0);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });
}
