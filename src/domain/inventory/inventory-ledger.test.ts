import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InventoryLedger } from './inventory-ledger.js';
import type { InventoryEvent } from '../../model/inventory-event.js';
import { BUCKETS, type Bucket } from './buckets.js';
import { TAIL_LIMIT } from './stock-position.js';

// The specification, written independently of the ledger: per source × item × location × bucket,
// the value is the latest snapshot naming the bucket plus every movement after it (or all
// movements when there is no snapshot).
function expected(events: InventoryEvent[]): Map<string, Record<Bucket, number>> {
  const unique = new Map<string, InventoryEvent>();
  for (const e of events) if (!unique.has(`${e.source}/${e.seq}`)) unique.set(`${e.source}/${e.seq}`, e);
  const out = new Map<string, Record<Bucket, number>>();
  const keys = new Set([...unique.values()].map((e) => `${e.source}|${e.sku}|${e.location}`));
  for (const key of keys) {
    const mine = [...unique.values()].filter((e) => `${e.source}|${e.sku}|${e.location}` === key);
    const row = {} as Record<Bucket, number>;
    for (const b of BUCKETS) {
      const snaps = mine.filter((e) => e.type === 'inventory.snapshot' && (b !== 'inbound' || e.balance.inbound !== undefined));
      const last = snaps.sort((a, c) => c.seq - a.seq)[0];
      let v = 0,
        after = -1;
      if (last && last.type === 'inventory.snapshot') {
        after = last.seq;
        const inb = last.balance.inbound;
        v = b === 'inbound' ? (typeof inb === 'number' ? inb : (inb ?? []).reduce((s, l) => s + l.qty, 0)) : (last.balance[b] ?? 0);
      }
      for (const e of mine) if (e.type === 'inventory.movement' && e.seq > after) v += e.delta[b] ?? 0;
      row[b] = v;
    }
    out.set(key, row);
  }
  return out;
}

const sources = ['wms-dal', 'erp'];
const skus = ['A', 'B'];
const locations = ['DAL'];

const eventArb = (seq: number) =>
  fc.oneof(
    fc
      .record({
        source: fc.constantFrom(...sources),
        sku: fc.constantFrom(...skus),
        location: fc.constantFrom(...locations),
        reason: fc.constantFrom('receipt', 'pick', 'hold', 'damage', 'adjustment'),
        onHand: fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }),
        qualityHold: fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }),
        inbound: fc.option(fc.integer({ min: -10, max: 10 }), { nil: undefined }),
        eta: fc.constantFrom('2026-11-23T00:00:00Z', '2026-12-01T00:00:00Z'),
      })
      .map(
        (r): InventoryEvent => ({
          id: `m-${seq}`,
          type: 'inventory.movement',
          source: r.source,
          seq,
          occurredAt: '2026-11-22T10:00:00Z',
          sku: r.sku,
          location: r.location,
          reason: r.reason as 'receipt',
          delta: {
            onHand: r.onHand ?? 1,
            ...(r.qualityHold !== undefined ? { qualityHold: r.qualityHold } : {}),
            ...(r.inbound !== undefined ? { inbound: r.inbound } : {}),
          },
          ...(r.inbound !== undefined ? { eta: r.eta } : {}),
        }),
      ),
    fc
      .record({
        source: fc.constantFrom(...sources),
        sku: fc.constantFrom(...skus),
        location: fc.constantFrom(...locations),
        onHand: fc.nat(100),
        qualityHold: fc.option(fc.nat(5), { nil: undefined }),
        damaged: fc.option(fc.nat(5), { nil: undefined }),
        inbound: fc.option(fc.nat(30), { nil: undefined }),
      })
      .map(
        (r): InventoryEvent => ({
          id: `s-${seq}`,
          type: 'inventory.snapshot',
          source: r.source,
          seq,
          occurredAt: '2026-11-22T10:00:00Z',
          sku: r.sku,
          location: r.location,
          balance: {
            onHand: r.onHand,
            ...(r.qualityHold !== undefined ? { qualityHold: r.qualityHold } : {}),
            ...(r.damaged !== undefined ? { damaged: r.damaged } : {}),
            ...(r.inbound !== undefined ? { inbound: r.inbound } : {}),
          },
        }),
      ),
  );

const historyArb = fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => eventArb(i + 1))));

function ingest(events: InventoryEvent[]): InventoryLedger {
  const ledger = new InventoryLedger();
  let position = 0;
  for (const e of events) {
    if (!ledger.markSeq(e.source, e.seq)) continue;
    ledger.apply(e, ++position);
  }
  return ledger;
}

function snapshotOf(ledger: InventoryLedger): Map<string, Record<Bucket, number>> {
  const out = new Map<string, Record<Bucket, number>>();
  for (const p of ledger.allPositions()) {
    out.set(`${p.source}|${p.sku}|${p.location}`, Object.fromEntries(BUCKETS.map((b) => [b, p.quantity(b)])) as Record<Bucket, number>);
  }
  return out;
}

test('any permutation with duplicates of movements and snapshots yields the ledger of in-sequence delivery', () => {
  fc.assert(
    fc.property(
      historyArb.chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: 0, maxLength: events.length }), fc.nat())),
      ([events, repeats, seed]) => {
        const withDuplicates = [...events, ...repeats];
        // A deterministic shuffle driven by fast-check's seed.
        const shuffled = withDuplicates
          .map((e, i) => ({ e, k: (i * 2654435761 + seed) % 4294967296 }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.e);
        const inOrder = snapshotOf(ingest([...events].sort((a, b) => a.seq - b.seq)));
        const anyOrder = snapshotOf(ingest(shuffled));
        assert.deepEqual(anyOrder, inOrder);
        assert.deepEqual(inOrder, expected(events));
      },
    ),
    { numRuns: 400 },
  );
});

test('a snapshot older than the last applied one is stale and changes nothing', () => {
  const ledger = ingest([
    { id: 's2', type: 'inventory.snapshot', source: 'w', seq: 20, occurredAt: '2026-11-22T10:00:00Z', sku: 'A', location: 'DAL', balance: { onHand: 50 } },
    { id: 's1', type: 'inventory.snapshot', source: 'w', seq: 10, occurredAt: '2026-11-22T09:00:00Z', sku: 'A', location: 'DAL', balance: { onHand: 7 } },
  ]);
  assert.equal(ledger.position('w', 'A', 'DAL')!.quantity('onHand'), 50);
});

test('movements at or before a snapshot are inside it; later ones apply on top, whichever arrives first', () => {
  const m = (seq: number, qty: number): InventoryEvent => ({
    id: `m${seq}`,
    type: 'inventory.movement',
    source: 'w',
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: 'A',
    location: 'DAL',
    reason: 'receipt',
    delta: { onHand: qty },
  });
  const snap: InventoryEvent = {
    id: 's',
    type: 'inventory.snapshot',
    source: 'w',
    seq: 5,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: 'A',
    location: 'DAL',
    balance: { onHand: 100 },
  };
  const ledger = ingest([m(7, 3), m(3, 10), snap, m(6, -1), m(4, 1000)]);
  assert.equal(ledger.position('w', 'A', 'DAL')!.quantity('onHand'), 102);
});

test('inbound is counted by ETA against a horizon; undated inbound is never due', () => {
  const ledger = ingest([
    {
      id: 'i1',
      type: 'inventory.movement',
      source: 'w',
      seq: 1,
      occurredAt: '2026-11-22T10:00:00Z',
      sku: 'A',
      location: 'DAL',
      reason: 'adjustment',
      delta: { inbound: 10 },
      eta: '2026-11-24T00:00:00Z',
    },
    {
      id: 'i2',
      type: 'inventory.movement',
      source: 'w',
      seq: 2,
      occurredAt: '2026-11-22T10:00:00Z',
      sku: 'A',
      location: 'DAL',
      reason: 'adjustment',
      delta: { inbound: 5 },
      eta: '2026-12-24T00:00:00+02:00',
    },
    {
      id: 'i3',
      type: 'inventory.movement',
      source: 'w',
      seq: 3,
      occurredAt: '2026-11-22T10:00:00Z',
      sku: 'A',
      location: 'DAL',
      reason: 'adjustment',
      delta: { inbound: 7 },
    },
  ]);
  const p = ledger.position('w', 'A', 'DAL')!;
  assert.equal(p.quantity('inbound'), 22);
  assert.equal(p.inboundDueBy('2026-11-25T00:00:00.000Z'), 10);
  assert.equal(p.inboundDueBy('2026-12-31T00:00:00.000Z'), 15);
});

test('reservations never go negative', () => {
  const ledger = new InventoryLedger();
  ledger.reserve('A', 'DAL', 3);
  assert.throws(() => ledger.reserve('A', 'DAL', -4), RangeError);
  ledger.reserve('A', 'DAL', -3);
  assert.equal(ledger.reservedAt('A', 'DAL'), 0);
});

test('keeps at most TAIL_LIMIT movements after a snapshot; an older snapshot than the folded ones is stale', () => {
  const m = (seq: number): InventoryEvent => ({
    id: `m${seq}`,
    type: 'inventory.movement',
    source: 'w',
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: 'A',
    location: 'DAL',
    reason: 'receipt',
    delta: { onHand: 1 },
  });
  const snap = (seq: number, onHand: number): InventoryEvent => ({
    id: `s${seq}`,
    type: 'inventory.snapshot',
    source: 'w',
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: 'A',
    location: 'DAL',
    balance: { onHand },
  });
  const ledger = ingest([snap(1, 100), ...Array.from({ length: TAIL_LIMIT + 6 }, (_, i) => m(i + 2))]);
  const p = ledger.position('w', 'A', 'DAL')!;
  assert.equal(p.quantity('onHand'), 100 + TAIL_LIMIT + 6);
  assert.equal(p.buckets.onHand.tail.length / 3, TAIL_LIMIT);
  const { positions, omitted } = p.contributingPositions();
  assert.equal(omitted, 6);
  assert.equal(positions.length, TAIL_LIMIT + 1, 'the snapshot and the movements kept');
  // seq 3 lies among the folded movements: the hub can no longer tell which are inside it, so
  // onHand keeps its figure (buckets without folded movements still take the snapshot).
  ledger.apply(snap(3, 0), 999);
  assert.equal(p.quantity('onHand'), 100 + TAIL_LIMIT + 6);
  // A snapshot after the folded horizon still cuts exactly the movements it contains.
  assert.equal(ledger.apply(snap(TAIL_LIMIT, 10), 1000), 'applied');
  assert.equal(p.quantity('onHand'), 10 + 7);
});
