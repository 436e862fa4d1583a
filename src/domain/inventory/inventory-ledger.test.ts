import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InventoryLedger } from './inventory-ledger.js';
import type { InventoryEvent } from '../../model/inventory-event.js';
import { BUCKETS, type Bucket } from './buckets.js';
import { TAIL_LIMIT, type OvertakenBucket } from './stock-position.js';

// The specification, written independently of the ledger: per source × item × location × bucket,
// the value is the latest snapshot naming the bucket plus every movement after it (or all
// movements when there is no snapshot). `skipped` names snapshots a bucket does not take
// (`source/seq/bucket`): the counts the ledger reported overtaken.
function expected(events: InventoryEvent[], skipped: ReadonlySet<string> = new Set()): Map<string, Record<Bucket, number>> {
  const unique = new Map<string, InventoryEvent>();
  for (const e of events) if (!unique.has(`${e.source}/${e.seq}`)) unique.set(`${e.source}/${e.seq}`, e);
  const out = new Map<string, Record<Bucket, number>>();
  const keys = new Set([...unique.values()].map((e) => `${e.source}|${e.sku}|${e.location}`));
  for (const key of keys) {
    const mine = [...unique.values()].filter((e) => `${e.source}|${e.sku}|${e.location}` === key);
    const row = {} as Record<Bucket, number>;
    for (const b of BUCKETS) {
      const snaps = mine.filter(
        (e) => e.type === 'inventory.snapshot' && (b !== 'inbound' || e.balance.inbound !== undefined) && !skipped.has(`${e.source}/${e.seq}/${b}`),
      );
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

const movementArb = (seq: number) =>
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
    );

const snapshotArb = (seq: number) =>
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
    );

const eventArb = (seq: number) => fc.oneof(movementArb(seq), snapshotArb(seq));

const historyArb = fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => eventArb(i + 1))));

function ingest(events: InventoryEvent[], movementsKept?: number, overtaken?: Set<string>): InventoryLedger {
  const ledger = new InventoryLedger(movementsKept === undefined ? {} : { movementsKept });
  let position = 0;
  for (const e of events) {
    if (!ledger.markSeq(e.source, e.seq)) continue;
    const buckets: OvertakenBucket[] = [];
    ledger.apply(e, ++position, buckets);
    for (const b of buckets) overtaken?.add(`${e.source}/${e.seq}/${b.bucket}`);
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

/** A history, then every event of it and some again, in any order fast-check can shrink. */
const arrivalsArb = (history: fc.Arbitrary<InventoryEvent[]>) =>
  history.chain((events) =>
    fc
      .shuffledSubarray(events, { minLength: 0, maxLength: events.length })
      .chain((repeats) => fc.tuple(fc.constant(events), fc.shuffledSubarray([...events, ...repeats], { minLength: events.length + repeats.length }))),
  );

test('any permutation with duplicates of movements and snapshots yields the ledger of in-sequence delivery', () => {
  fc.assert(
    fc.property(arrivalsArb(historyArb), ([events, arrivals]) => {
      const overtaken = new Set<string>();
      const anyOrder = snapshotOf(ingest(arrivals, undefined, overtaken));
      assert.deepEqual(overtaken, new Set(), 'no count is overtaken while a history is shorter than the bound');
      assert.deepEqual(anyOrder, snapshotOf(ingest([...events].sort((a, b) => a.seq - b.seq))));
      assert.deepEqual(anyOrder, expected(events));
    }),
    { numRuns: 400 },
  );
});

test('histories longer than the bound: every event applies as in sequence, except the counts reported overtaken, bucket by bucket', () => {
  const longHistoryArb = fc.integer({ min: 1, max: 90 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => eventArb(i + 1))));
  let sawOvertaken = 0;
  fc.assert(
    fc.property(arrivalsArb(longHistoryArb), fc.integer({ min: 1, max: 6 }), ([events, arrivals], movementsKept) => {
      const overtaken = new Set<string>();
      const anyOrder = snapshotOf(ingest(arrivals, movementsKept, overtaken));
      if (overtaken.size > 0) sawOvertaken++;
      assert.deepEqual(anyOrder, expected(events, overtaken));
      // In sequence, nothing is ever late: no count is overtaken and the ledger is the specification.
      const inSequence = new Set<string>();
      assert.deepEqual(
        snapshotOf(
          ingest(
            [...events].sort((a, b) => a.seq - b.seq),
            movementsKept,
            inSequence,
          ),
        ),
        expected(events),
      );
      assert.equal(inSequence.size, 0);
    }),
    { numRuns: 500 },
  );
  assert.ok(sawOvertaken > 0, 'the histories reached past the bound');
});

test('past the default bound of 64: histories of 200-320 events in any order match the specification but for overtaken counts', () => {
  // One busy position: mostly movements, a count now and then.
  const busy = (e: InventoryEvent): InventoryEvent => ({ ...e, source: 'wms-dal', sku: 'A', location: 'DAL' });
  const longHistoryArb = fc
    .integer({ min: 100, max: 200 })
    .chain((n) =>
      fc.tuple(
        ...Array.from({ length: n }, (_, i) => fc.oneof({ weight: 40, arbitrary: movementArb(i + 1) }, { weight: 1, arbitrary: snapshotArb(i + 1) }).map(busy)),
      ),
    );
  let sawOvertaken = 0;
  fc.assert(
    fc.property(arrivalsArb(longHistoryArb), ([events, arrivals]) => {
      const overtaken = new Set<string>();
      assert.deepEqual(snapshotOf(ingest(arrivals, undefined, overtaken)), expected(events, overtaken));
      if (overtaken.size > 0) sawOvertaken++;
    }),
    { numRuns: 40 },
  );
  assert.ok(sawOvertaken > 0, 'some position had more than 64 later movements overtake a count');
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
  // onHand keeps its figure and the count is reported (buckets without folded movements still take it).
  const overtaken: OvertakenBucket[] = [];
  ledger.apply(snap(3, 0), 999, overtaken);
  assert.equal(p.quantity('onHand'), 100 + TAIL_LIMIT + 6);
  assert.deepEqual(overtaken, [{ bucket: 'onHand', counted: 0, held: 100 + TAIL_LIMIT + 6, foldedMovements: 6 }]);
  // A snapshot after the folded horizon still cuts exactly the movements it contains.
  assert.equal(ledger.apply(snap(TAIL_LIMIT, 10), 1000), 'applied');
  assert.equal(p.quantity('onHand'), 10 + 7);
});
