/**
 * The behaviour every InventoryStore must have, as one suite each adapter runs
 * (`describeInventoryStoreContract('sqlite', makeStore)`): the embedded SQLite store today, the
 * PostgreSQL store when the scale-out backend arrives.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { InventoryStore, IngestRecord } from '../../src/ports/inventory-store.js';
import type { InventoryEvent } from '../../src/model/inventory-event.js';

const ev = (seq: number, extra: Partial<InventoryEvent> = {}): InventoryEvent =>
  ({
    id: `e-${seq}`,
    type: 'inventory.movement',
    source: 'wms',
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: 'A',
    location: 'DAL',
    reason: 'receipt',
    delta: { onHand: seq },
    ...extra,
  }) as InventoryEvent;

const record = (first: number, events: InventoryEvent[], extra: Partial<IngestRecord> = {}): IngestRecord => ({
  batches: [{ firstPosition: first, count: events.length, payload: JSON.stringify(events), accepted: null }],
  parked: [],
  overtaken: [],
  feed: [],
  receivedAt: '2026-11-22T10:00:00.000Z',
  ...extra,
});

export function describeInventoryStoreContract(name: string, make: () => { store: InventoryStore; reopen: () => InventoryStore; cleanup: () => void }): void {
  describe(`InventoryStore contract: ${name}`, () => {
    let ctx: ReturnType<typeof make>;
    beforeEach(() => {
      ctx = make();
    });
    afterEach(() => {
      ctx.cleanup();
    });

    it('passes decide only the keys never recorded before, including across commits', () => {
      let seen: string[] = [];
      ctx.store.commitIngest(['wms\u001fa', 'wms\u001fb', 'wms\u001fa'], (fresh) => {
        seen = [...fresh].sort();
        return record(1, [ev(1), ev(2)]);
      });
      assert.deepEqual(seen, ['wms\u001fa', 'wms\u001fb']);
      ctx.store.commitIngest(['wms\u001fb', 'wms\u001fc'], (fresh) => {
        seen = [...fresh];
        return undefined;
      });
      assert.deepEqual(seen, ['wms\u001fc']);
    });

    it('keeps nothing of a commit whose decide throws', () => {
      assert.throws(
        () =>
          ctx.store.commitIngest(['wms\u001fx'], () => {
            throw new Error('boom');
          }),
        /boom/,
      );
      assert.equal(ctx.store.headPosition(), 0);
      let seen: string[] = [];
      ctx.store.commitIngest(['wms\u001fx'], (fresh) => {
        seen = [...fresh];
        return undefined;
      });
      assert.deepEqual(seen, ['wms\u001fx'], 'the key was not recorded by the failed commit');
    });

    it('reads accepted events back in position order, skipping the elements that were not accepted', () => {
      const payload = [ev(1), { junk: true }, ev(3)];
      ctx.store.commitIngest([], () => ({ ...record(1, []), batches: [{ firstPosition: 1, count: 2, payload: JSON.stringify(payload), accepted: [0, 2] }] }));
      ctx.store.commitIngest([], () => record(3, [ev(4), ev(5)]));
      assert.equal(ctx.store.headPosition(), 4);
      assert.deepEqual(
        ctx.store.readEvents(0, 100).map((e) => [e.position, e.event.seq]),
        [
          [1, 1],
          [2, 3],
          [3, 4],
          [4, 5],
        ],
      );
      assert.deepEqual(
        ctx.store.readEvents(2, 1).map((e) => e.position),
        [3],
      );
      assert.equal(ctx.store.eventAt(2)!.seq, 3);
      assert.equal(ctx.store.eventAt(99), undefined);
    });

    it('parks events and releases them by location', () => {
      const parked = [{ position: 1, sku: 'A', location: 'RNO', reason: 'location RNO is not defined', parkedAt: '2026-11-22T10:00:00.000Z' }];
      ctx.store.commitIngest([], () => record(1, [ev(1, { location: 'RNO' })], { parked }));
      assert.deepEqual(ctx.store.parkedEvents('RNO'), parked);
      assert.deepEqual(ctx.store.parkedEvents('DAL'), []);
      assert.deepEqual(
        ctx.store.unparkLocation('RNO').map((p) => p.position),
        [1],
      );
      assert.deepEqual(ctx.store.parkedEvents(), []);
    });

    it("keeps each channel's feed in cursor order and pages it", () => {
      const at = '2026-11-22T10:00:00.000Z';
      ctx.store.appendChanges([
        {
          channel: 'web',
          firstCursor: 1,
          position: 5,
          at,
          changes: [
            { sku: 'A', available: 3, previous: 0 },
            { sku: 'B', available: 7, previous: 0 },
          ],
        },
      ]);
      ctx.store.appendChanges([
        { channel: 'web', firstCursor: 3, position: 6, at, changes: [{ sku: 'A', available: 1, previous: 3 }] },
        { channel: 'amazon', firstCursor: 1, position: 6, at, changes: [{ sku: 'A', available: 2, previous: 0 }] },
      ]);
      assert.deepEqual(
        ctx.store.readChanges('web', 0, 100).map((c) => [c.cursor, c.sku, c.available, c.position]),
        [
          [1, 'A', 3, 5],
          [2, 'B', 7, 5],
          [3, 'A', 1, 6],
        ],
      );
      assert.deepEqual(
        ctx.store.readChanges('web', 1, 1).map((c) => c.cursor),
        [2],
      );
      assert.deepEqual(
        ctx.store.readChanges('amazon', 0, 100).map((c) => c.sku),
        ['A'],
      );
      assert.deepEqual(ctx.store.lastCursors(), { web: 3, amazon: 1 });
    });

    it('round-trips a checkpoint and the catalogue across a reopen', () => {
      ctx.store.saveCheckpoint({
        position: 42,
        positions: [{ key: 'k1', state: '{"x":1}' }],
        sequences: [{ source: 'wms', spans: [1, 40] }],
        figures: [
          { channel: 'web', sku: 'A', available: 5 },
          { channel: 'web', sku: 'B', available: 0 },
        ],
        feedCursors: { web: 9 },
      });
      ctx.store.saveLocation({ id: 'DAL', name: 'Dallas', authority: 'wms' });
      ctx.store.saveChannel({ id: 'web', locations: ['DAL'], safetyStock: 1, onErpUnavailable: 'queue', onCreditHold: 'hold' });
      ctx.store.saveItem({ sku: 'A', description: 'Gloves', uom: 'EA' });
      const again = ctx.reopen();
      const saved = again.loadCheckpoint();
      assert.equal(saved.position, 42);
      assert.deepEqual([...saved.positions], ['{"x":1}']);
      assert.deepEqual([...saved.sequences], [{ source: 'wms', spans: [1, 40] }]);
      assert.deepEqual(
        [...saved.figures].map((f) => ({ ...f })),
        [{ channel: 'web', sku: 'A', available: 5 }],
      );
      assert.deepEqual(saved.feedCursors, { web: 9 });
      assert.deepEqual(again.loadLocations(), [{ id: 'DAL', name: 'Dallas', authority: 'wms' }]);
      assert.equal(again.loadChannels()[0]!.safetyStock, 1);
      assert.deepEqual(again.loadItems(), [{ sku: 'A', description: 'Gloves', uom: 'EA' }]);
    });
  });
}
