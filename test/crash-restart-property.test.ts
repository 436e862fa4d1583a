/**
 * Crashes at random points, as a property (the embedded backend): a shuffled history with
 * duplicates is ingested in small batches; at a point fast-check picks (after a checkpoint it
 * also picks, or none) the process "dies": memory is dropped without a checkpoint or a close,
 * as kill -9 leaves it. A new process opens the same data directory, the client sends again the
 * batches it may not have seen acknowledged, then the rest. The ledger, the published figures and
 * the log must then be what an independent oracle says of the history delivered in `seq` order,
 * with every event logged once. (The real kill -9 runs are in restart.test.ts and the chaos
 * scenario; this explores where the crash falls.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { SqliteInventoryStore } from '../src/adapters/sqlite/sqlite-inventory-store.js';
import { InventoryState } from '../src/app/inventory/inventory-state.js';
import { EventIngest } from '../src/app/inventory/ingest-events.js';
import type { InventoryEvent } from '../src/model/inventory-event.js';
import { tempDataDir } from './support/test-hub.js';

const SKUS = ['A', 'B', 'C'];
const SAFETY = 1;
const clock = { now: () => Date.parse('2026-11-22T12:00:00Z') };

/** One stock change of the warehouse (the location's authority): a movement or a count. */
const changeArb = fc.oneof(
  fc.record({ kind: fc.constant('movement' as const), sku: fc.constantFrom(...SKUS), qty: fc.integer({ min: -5, max: 8 }).filter((n) => n !== 0) }),
  fc.record({ kind: fc.constant('snapshot' as const), sku: fc.constantFrom(...SKUS), qty: fc.nat(30) }),
);

function eventOf(c: { kind: 'movement' | 'snapshot'; sku: string; qty: number }, seq: number): InventoryEvent {
  const envelope = { id: `wms-${seq}`, source: 'wms', seq, occurredAt: '2026-11-22T10:00:00Z', sku: c.sku, location: 'DAL' };
  return c.kind === 'movement'
    ? { ...envelope, type: 'inventory.movement', reason: 'adjustment', delta: { onHand: c.qty } }
    : { ...envelope, type: 'inventory.snapshot', balance: { onHand: c.qty } };
}

/** The oracle: per item, the last count in seq order plus every movement after it. */
function onHandInOrder(events: readonly InventoryEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    if (e.type === 'inventory.snapshot') out.set(e.sku, e.balance.onHand);
    else if (e.type === 'inventory.movement') out.set(e.sku, (out.get(e.sku) ?? 0) + (e.delta.onHand ?? 0));
  }
  return out;
}

function open(dir: string) {
  const store = new SqliteInventoryStore(dir);
  const state = new InventoryState({ store, clock });
  const ingest = new EventIngest({ state, store, clock });
  return { store, state, ingest };
}

async function send(hub: ReturnType<typeof open>, batch: readonly InventoryEvent[]) {
  const p = hub.ingest.submit(batch);
  hub.ingest.flush();
  await p;
}

const historyArb = fc
  .array(changeArb, { minLength: 1, maxLength: 40 })
  .map((changes) => changes.map((c, i) => eventOf(c, i + 1)))
  .chain((events) =>
    fc.record({
      events: fc.constant(events),
      // Every event at least once, in any order, some twice.
      delivery: fc
        .tuple(fc.shuffledSubarray(events, { minLength: events.length }), fc.subarray(events))
        .chain(([all, again]) => fc.shuffledSubarray([...all, ...again], { minLength: all.length + again.length })),
      batchSize: fc.integer({ min: 1, max: 4 }),
      crashAt: fc.nat(),
      checkpointAt: fc.option(fc.nat(), { nil: undefined }),
      resent: fc.nat(3),
    }),
  );

test('a crash at any point loses nothing acknowledged and doubles nothing', async () => {
  await fc.assert(
    fc.asyncProperty(historyArb, async ({ events, delivery, batchSize, crashAt, checkpointAt, resent }) => {
      const batches: InventoryEvent[][] = [];
      for (let i = 0; i < delivery.length; i += batchSize) batches.push(delivery.slice(i, i + batchSize));
      const crash = crashAt % (batches.length + 1);
      const dir = tempDataDir();
      const stores: SqliteInventoryStore[] = [];
      try {
        let hub = open(dir);
        stores.push(hub.store);
        hub.store.saveLocation({ id: 'DAL', name: 'Dallas', authority: 'wms' });
        hub.store.saveChannel({ id: 'web', locations: ['DAL'], safetyStock: SAFETY, onErpUnavailable: 'queue', onCreditHold: 'hold' });
        hub.state.reload();
        for (let b = 0; b < crash; b++) {
          if (checkpointAt !== undefined && checkpointAt % (crash + 1) === b) hub.state.checkpoint();
          await send(hub, batches[b]!);
        }
        // kill -9: the old process's memory and connection are simply abandoned.
        hub = open(dir);
        stores.push(hub.store);
        for (const batch of batches.slice(Math.max(0, crash - resent))) await send(hub, batch);

        const want = onHandInOrder(events);
        for (const sku of SKUS) {
          const p = hub.state.ledger.position('wms', sku, 'DAL');
          assert.equal(p?.quantity('onHand') ?? 0, want.get(sku) ?? 0, `on hand of ${sku}`);
          assert.equal(hub.state.book.publishedFigure('web', sku), Math.max(0, (want.get(sku) ?? 0) - SAFETY), `web figure of ${sku}`);
        }
        const logged = hub.store.readEvents(0, 100_000).map((r) => r.event.seq);
        assert.deepEqual(
          [...logged].sort((a, b) => a - b),
          events.map((e) => e.seq),
          'every event logged exactly once',
        );
        // A third start from what the second left on disk agrees too (its checkpoint and log are consistent).
        hub.state.checkpoint();
        const again = open(dir);
        stores.push(again.store);
        for (const sku of SKUS) assert.equal(again.state.ledger.position('wms', sku, 'DAL')?.quantity('onHand') ?? 0, want.get(sku) ?? 0);
      } finally {
        for (const s of stores) s.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
});
