import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StockPosition } from './stock-position.js';

// Positions are checkpointed as JSON; undated inbound is stored under the key ''. A checkpoint
// written by an earlier build must read back with that supply still undated: never due, listed last.
test('a checkpointed position keeps its undated inbound undated', () => {
  const track = (base: Record<string, number>, total: number) => ({ snapSeq: 1, snapPosition: 10, base, tail: [], foldedSeq: -1, foldedCount: 0, total });
  const stored = {
    source: 'supplier',
    sku: 'A',
    location: 'DAL',
    lastPosition: 10,
    buckets: {
      onHand: track({ '': 0 }, 0),
      qualityHold: track({ '': 0 }, 0),
      damaged: track({ '': 0 }, 0),
      inbound: { ...track({ '': 5, '2026-12-10T00:00:00.000Z': 3 }, 8), etas: [] },
    },
    announces: true,
    supplyClosed: {},
  };
  const p = StockPosition.fromJSON(JSON.parse(JSON.stringify(stored)));
  assert.equal(p.inboundDueBy('2026-12-31T00:00:00.000Z'), 3, 'only the dated line is due');
  assert.equal(p.openSupplyDueBy('2026-12-31T00:00:00.000Z'), 3);
  assert.deepEqual(p.openSupply(), [
    ['2026-12-10T00:00:00.000Z', 3],
    ['', 5],
  ]);
});
