import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InventoryLedger, normaliseInstant } from './inventory-ledger.js';
import type { InventoryEvent } from '../../model/inventory-event.js';
import { BUCKETS, type Bucket } from './buckets.js';
import { StockPosition, TAIL_LIMIT, type OvertakenBucket } from './stock-position.js';

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

// Example-based checks of the ledger's bookkeeping around the positions. Figures are worked out by hand.
const mv = (
  source: string,
  seq: number,
  delta: Extract<InventoryEvent, { type: 'inventory.movement' }>['delta'],
  more: Record<string, unknown> = {},
): InventoryEvent =>
  ({
    id: `${source}-m${seq}`,
    type: 'inventory.movement',
    source,
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: 'A',
    location: 'DAL',
    reason: 'adjustment',
    delta,
    ...more,
  }) as InventoryEvent;
const count = (
  source: string,
  seq: number,
  balance: Extract<InventoryEvent, { type: 'inventory.snapshot' }>['balance'],
  more: Record<string, unknown> = {},
): InventoryEvent =>
  ({
    id: `${source}-s${seq}`,
    type: 'inventory.snapshot',
    source,
    seq,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: 'A',
    location: 'DAL',
    balance,
    ...more,
  }) as InventoryEvent;

test('seqs delivered are remembered per source; a new one marks the source dirty, a duplicate does not', () => {
  const ledger = new InventoryLedger();
  assert.equal(ledger.hasSeq('w', 1), false);
  assert.equal(ledger.seenSequences('w'), undefined);
  assert.equal(ledger.markSeq('w', 1), true);
  assert.equal(ledger.hasSeq('w', 1), true);
  assert.equal(ledger.hasSeq('erp', 1), false, 'another source has its own seqs');
  assert.deepEqual([...ledger.dirtySources], ['w']);
  ledger.dirtySources.clear();
  assert.equal(ledger.markSeq('w', 1), false);
  assert.deepEqual([...ledger.dirtySources], []);
  ledger.restoreSequences('erp', [1, 3]);
  assert.equal(ledger.hasSeq('erp', 2), true);
  assert.equal(ledger.markSeq('erp', 3), false);
  assert.equal(ledger.markSeq('erp', 4), true);
  assert.deepEqual(ledger.seenSequences('erp')!.toJSON(), [1, 4]);
  assert.deepEqual([...ledger.dirtySources], ['erp']);
});

test('positions are found by source, item and location; nothing is invented for what was never reported', () => {
  const ledger = new InventoryLedger();
  assert.equal(ledger.stockOf('A'), undefined);
  assert.equal(ledger.position('w', 'A', 'DAL'), undefined);
  assert.deepEqual(ledger.sourcesAt('A', 'DAL'), []);
  assert.deepEqual([...ledger.skusAt('DAL')], []);
  ledger.apply(mv('w', 1, { onHand: 3 }), 1);
  ledger.apply(mv('erp', 1, { onHand: 4 }), 2);
  ledger.apply({ ...mv('w', 2, { onHand: 5 }), sku: 'B' } as InventoryEvent, 3);
  ledger.apply({ ...mv('w', 3, { onHand: 6 }), location: 'ATL' } as InventoryEvent, 4);
  assert.equal(ledger.position('w', 'A', 'DAL')!.quantity('onHand'), 3);
  assert.equal(ledger.position('erp', 'A', 'DAL')!.quantity('onHand'), 4);
  assert.equal(ledger.position('other', 'A', 'DAL'), undefined);
  assert.equal(ledger.position('w', 'A', 'HOU'), undefined);
  assert.deepEqual(ledger.sourcesAt('A', 'HOU'), [], 'an item known elsewhere');
  assert.equal(ledger.reservedAt('A', 'HOU'), 0);
  assert.deepEqual(
    ledger.sourcesAt('A', 'DAL').map((p) => p.source),
    ['w', 'erp'],
  );
  assert.deepEqual([...ledger.stockOf('A')!.keys()], ['DAL', 'ATL']);
  assert.deepEqual([...ledger.skusAt('DAL')], ['A', 'B']);
  assert.deepEqual([...ledger.skusAt('ATL')], ['A']);
  assert.deepEqual(
    [...ledger.allPositions()].map((p) => `${p.source} ${p.sku}@${p.location} ${p.quantity('onHand')}`),
    ['w A@DAL 3', 'erp A@DAL 4', 'w A@ATL 6', 'w B@DAL 5'],
  );
});

test('reservations add up per item and location, are listed when not zero, and never go below zero', () => {
  const ledger = new InventoryLedger();
  assert.equal(ledger.reservedAt('A', 'DAL'), 0);
  ledger.reserve('A', 'DAL', 3);
  ledger.reserve('A', 'DAL', 2);
  ledger.reserve('A', 'ATL', 1);
  ledger.reserve('B', 'DAL', 4);
  ledger.reserve('B', 'DAL', -4);
  assert.equal(ledger.reservedAt('A', 'DAL'), 5);
  assert.deepEqual(
    [...ledger.reservations()],
    [
      ['A', 'DAL', 5],
      ['A', 'ATL', 1],
    ],
  );
  assert.throws(() => ledger.reserve('A', 'ATL', -2), { name: 'RangeError', message: 'reservation of A at ATL would go negative (-1)' });
  assert.equal(ledger.reservedAt('A', 'ATL'), 1, 'a refused release changes nothing');
  assert.deepEqual([...ledger.skusAt('ATL')], ['A'], 'a reservation makes the item known at the location');
  assert.deepEqual(ledger.sourcesAt('A', 'ATL'), []);
});

test('a snapshot states hold and damage as 0 when absent; inbound as a number is undated, lines are summed per normalised ETA', () => {
  const ledger = new InventoryLedger();
  ledger.apply(mv('w', 1, { qualityHold: 4, damaged: 2, inbound: 9 }), 1);
  ledger.apply(count('w', 2, { onHand: 10 }), 2);
  const p = ledger.position('w', 'A', 'DAL')!;
  assert.deepEqual([p.quantity('onHand'), p.quantity('qualityHold'), p.quantity('damaged'), p.quantity('inbound')], [10, 0, 0, 9]);
  ledger.apply(count('w', 3, { onHand: 10, inbound: 6 }), 3);
  assert.deepEqual([...p.inboundByEta()], [['', 6]]);
  ledger.apply(
    count('w', 4, {
      onHand: 10,
      inbound: [{ qty: 2, eta: '2026-12-01T02:00:00+02:00' }, { qty: 3, eta: '2026-12-01T00:00:00Z' }, { qty: 5 }, { qty: 1 }],
    }),
    4,
  );
  assert.deepEqual(
    [...p.inboundByEta()],
    [
      ['2026-12-01T00:00:00.000Z', 5],
      ['', 6],
    ],
  );
});

test('a movement ETA is normalised to UTC; inbound without an ETA is undated', () => {
  const ledger = new InventoryLedger();
  ledger.apply(mv('w', 1, { inbound: 2 }, { eta: '2026-12-24T00:00:00+02:00' }), 1);
  ledger.apply(mv('w', 2, { inbound: 3 }), 2);
  assert.deepEqual(
    [...ledger.position('w', 'A', 'DAL')!.inboundByEta()],
    [
      ['2026-12-23T22:00:00.000Z', 2],
      ['', 3],
    ],
  );
});

test('only announced inbound makes a source announce supply', () => {
  const ledger = new InventoryLedger();
  ledger.apply(mv('sup', 1, { inbound: 2 }, { eta: '2026-12-01T00:00:00Z', announced: true }), 1);
  ledger.apply(mv('w', 1, { inbound: 2 }, { eta: '2026-12-01T00:00:00Z' }), 2);
  ledger.apply(mv('x', 1, { onHand: 2 }, { announced: true }), 3);
  ledger.apply(mv('y', 1, { inbound: 2 }, { announced: false }), 4);
  assert.deepEqual(
    ledger.sourcesAt('A', 'DAL').map((p) => [p.source, p.announces]),
    [
      ['sup', true],
      ['w', false],
      ['x', false],
      ['y', false],
    ],
  );
});

test('the count time is the latest occurredAt of the counts applied, normalised; a stale count leaves it', () => {
  const ledger = new InventoryLedger();
  ledger.apply(mv('w', 1, { onHand: 1 }), 1);
  const p = ledger.position('w', 'A', 'DAL')!;
  assert.equal(p.countedAt, undefined, 'a movement is no count');
  ledger.apply(count('w', 5, { onHand: 1 }, { occurredAt: '2026-11-22T12:00:00+02:00' }), 2);
  assert.equal(p.countedAt, '2026-11-22T10:00:00.000Z');
  ledger.apply(count('w', 3, { onHand: 1 }, { occurredAt: '2026-11-23T00:00:00Z' }), 3);
  assert.equal(p.countedAt, '2026-11-22T10:00:00.000Z', 'stale');
  ledger.apply(count('w', 6, { onHand: 1 }, { occurredAt: '2026-11-22T09:00:00Z' }), 4);
  assert.equal(p.countedAt, '2026-11-22T10:00:00.000Z', 'a later count stamped earlier does not move the count time back');
  ledger.apply(count('w', 7, { onHand: 1 }, { occurredAt: '2026-11-22T11:00:00Z' }), 5);
  assert.equal(p.countedAt, '2026-11-22T11:00:00.000Z');
});

test('a position is dirty once an event changed it; stale counts and movements inside a count leave it clean', () => {
  const ledger = new InventoryLedger();
  assert.equal(ledger.apply(count('w', 5, { onHand: 1 }), 1), 'applied');
  const p = ledger.position('w', 'A', 'DAL')!;
  assert.deepEqual([...ledger.dirtyPositions], [p]);
  ledger.dirtyPositions.clear();
  assert.equal(ledger.apply(count('w', 4, { onHand: 9 }), 2), 'stale');
  assert.equal(ledger.apply(mv('w', 3, { onHand: 9 }), 3), 'inside-snapshot');
  assert.deepEqual([...ledger.dirtyPositions], []);
  assert.equal(ledger.apply(mv('w', 6, { onHand: 9 }), 4), 'applied');
  assert.deepEqual([...ledger.dirtyPositions], [p]);
});

test('an item is listed with dated inbound once a dated line or movement is applied, not for undated or stale ones', () => {
  const ledger = new InventoryLedger();
  ledger.apply(mv('w', 1, { inbound: 5 }), 1);
  ledger.apply({ ...count('w', 2, { onHand: 1, inbound: 4 }), sku: 'B' } as InventoryEvent, 2);
  assert.deepEqual([...ledger.skusWithDatedInbound], []);
  ledger.apply({ ...count('w', 3, { onHand: 1, inbound: [{ qty: 4, eta: '2026-12-01T00:00:00Z' }] }), sku: 'B' } as InventoryEvent, 3);
  assert.deepEqual([...ledger.skusWithDatedInbound], ['B']);
  ledger.apply(mv('w', 4, { inbound: 1 }, { eta: '2026-12-01T00:00:00Z' }), 4);
  assert.deepEqual([...ledger.skusWithDatedInbound], ['B', 'A']);
  ledger.apply({ ...count('w', 5, { onHand: 1, inbound: [{ qty: 1, eta: '2026-12-01T00:00:00Z' }] }), sku: 'C' } as InventoryEvent, 5);
  ledger.apply({ ...count('w', 6, { onHand: 1 }), sku: 'D' } as InventoryEvent, 6);
  ledger.apply({ ...mv('w', 5, { inbound: 1 }, { eta: '2026-12-01T00:00:00Z' }), sku: 'D' } as InventoryEvent, 7);
  assert.deepEqual([...ledger.skusWithDatedInbound], ['B', 'A', 'C', 'D'], 'D: inbound is not inside a count that did not state it');
});

test("a ledger's bound applies to the positions it creates and to those it restores", () => {
  const ledger = new InventoryLedger({ movementsKept: 2 });
  assert.equal(ledger.movementsKept, 2);
  assert.equal(new InventoryLedger().movementsKept, TAIL_LIMIT);
  for (let seq = 1; seq <= 3; seq++) ledger.apply(mv('w', seq, { onHand: 1 }), seq);
  assert.equal(ledger.position('w', 'A', 'DAL')!.contributingPositions().omitted, 1, 'three movements, two kept');
  const restored = new InventoryLedger({ movementsKept: 1 });
  const p = StockPosition.fromJSON(JSON.parse(JSON.stringify(ledger.position('w', 'A', 'DAL')!.toJSON())));
  restored.restorePosition(p);
  assert.deepEqual([...restored.dirtyPositions], [], 'restored, not changed');
  assert.equal(restored.position('w', 'A', 'DAL'), p);
  restored.apply(mv('w', 4, { onHand: 1 }), 4);
  // Restored under a lower bound, the next movement folds the bucket down to it: 2 and 3 join the fold, 4 is kept.
  assert.deepEqual(p.contributingPositions(), { positions: [4], omitted: 3 });
  assert.equal(p.quantity('onHand'), 4);
});

test('a restored position with dated inbound lists its item; one without does not', () => {
  const ledger = new InventoryLedger();
  const dated = new StockPosition('w', 'A', 'DAL');
  dated.applyMovement(1, 1, { inbound: 1 }, '2026-12-01T00:00:00.000Z');
  const undated = new StockPosition('w', 'B', 'DAL');
  undated.applyMovement(1, 1, { inbound: 1 }, '');
  ledger.restorePosition(dated);
  ledger.restorePosition(undated);
  assert.deepEqual([...ledger.skusWithDatedInbound], ['A']);
  assert.deepEqual([...ledger.skusAt('DAL')], ['A', 'B']);
});

test("a receipt closes suppliers' announced supply in supplier id order, earliest first, never the authority's own", () => {
  const ledger = new InventoryLedger();
  const eta = (d: string) => ({ eta: `2026-12-0${d}T00:00:00Z`, announced: true });
  ledger.apply(mv('sup-b', 1, { inbound: 4 }, eta('1')), 1);
  ledger.apply(mv('sup-a', 1, { inbound: 3 }, eta('2')), 2);
  ledger.apply(mv('sup-a', 2, { inbound: 2 }, eta('1')), 3);
  ledger.apply(mv('wms', 1, { inbound: 9 }, eta('1')), 4);
  ledger.apply(mv('shadow', 1, { inbound: 9 }, { eta: '2026-12-01T00:00:00Z' }), 5);
  ledger.dirtyPositions.clear();
  assert.equal(ledger.closeSupply('A', 'DAL', 'wms', { received: 6 }), true);
  const open = (s: string) => ledger.position(s, 'A', 'DAL')!.openSupply();
  // sup-a first: its Dec 1 line (2), then its Dec 2 line (3); then 1 of sup-b's 4.
  assert.deepEqual(open('sup-a'), []);
  assert.deepEqual(open('sup-b'), [['2026-12-01T00:00:00.000Z', 3]]);
  assert.deepEqual(open('wms'), [['2026-12-01T00:00:00.000Z', 9]], "the authority's own notice is not supply it receives");
  assert.deepEqual(open('shadow'), [['2026-12-01T00:00:00.000Z', 9]], 'a source that announced nothing is untouched');
  assert.deepEqual(
    [...ledger.dirtyPositions].map((p) => p.source),
    ['sup-a', 'sup-b'],
  );
  ledger.dirtyPositions.clear();
  assert.equal(ledger.closeSupply('A', 'DAL', 'wms', { received: 0 }), false, 'nothing received closes nothing');
  assert.equal(ledger.closeSupply('A', 'DAL', 'wms', { received: 3 }), true);
  assert.deepEqual(open('sup-b'), []);
  assert.equal(ledger.closeSupply('A', 'DAL', 'wms', { received: 3 }), false, 'nothing left open');
  assert.deepEqual(
    [...ledger.dirtyPositions].map((p) => p.source),
    ['sup-b'],
  );
  assert.equal(ledger.closeSupply('B', 'DAL', 'wms', { received: 3 }), false, 'an item never reported there');
  assert.equal(ledger.closeSupply('A', 'HOU', 'wms', { countedAt: '2026-12-31T00:00:00Z' }), false);
});

test('a receipt stops once its units are used up: a later supplier keeps all its lines', () => {
  const ledger = new InventoryLedger();
  ledger.apply(mv('sup-a', 1, { inbound: 2 }, { eta: '2026-12-01T00:00:00Z', announced: true }), 1);
  ledger.apply(mv('sup-b', 1, { inbound: 2 }, { eta: '2026-12-01T00:00:00Z', announced: true }), 2);
  ledger.dirtyPositions.clear();
  assert.equal(ledger.closeSupply('A', 'DAL', 'wms', { received: 2 }), true);
  assert.deepEqual(ledger.position('sup-b', 'A', 'DAL')!.supplyClosed, {});
  assert.deepEqual(
    [...ledger.dirtyPositions].map((p) => p.source),
    ['sup-a'],
  );
});

test('a count closes every supplier line due by the time it was taken (normalised), dirtying only the suppliers it closed', () => {
  const ledger = new InventoryLedger();
  ledger.apply(mv('sup-b', 1, { inbound: 4 }, { eta: '2026-12-01T00:00:00Z', announced: true }), 1);
  ledger.apply(mv('sup-a', 1, { inbound: 3 }, { eta: '2026-12-05T00:00:00Z', announced: true }), 2);
  ledger.dirtyPositions.clear();
  // 2026-12-01T01:00+02:00 is 2026-11-30T23:00Z: before sup-b's line.
  assert.equal(ledger.closeSupply('A', 'DAL', 'wms', { countedAt: '2026-12-01T01:00:00+02:00' }), false);
  assert.equal(ledger.closeSupply('A', 'DAL', 'wms', { countedAt: '2026-12-01T02:00:00+02:00' }), true);
  assert.deepEqual(ledger.position('sup-b', 'A', 'DAL')!.openSupply(), []);
  assert.deepEqual(ledger.position('sup-a', 'A', 'DAL')!.openSupply(), [['2026-12-05T00:00:00.000Z', 3]]);
  assert.deepEqual(
    [...ledger.dirtyPositions].map((p) => p.source),
    ['sup-b'],
  );
});

test('instants are spelt one way: UTC with milliseconds', () => {
  assert.equal(normaliseInstant('2026-12-24T00:00:00+02:00'), '2026-12-23T22:00:00.000Z');
  assert.equal(normaliseInstant('2026-12-24T00:00:00Z'), '2026-12-24T00:00:00.000Z');
});

// The property tests last: Stryker stops a file at its first failure, and the examples above fail in milliseconds.
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

test('past the default bound of 64: histories of 100-200 events in any order match the specification but for overtaken counts', () => {
  // One busy position: mostly movements, a count now and then, and then one count followed by at least
  // 100 movements, so that in about half of all orders more than 64 of them arrive before it.
  const busy = (e: InventoryEvent): InventoryEvent => ({ ...e, source: 'wms-dal', sku: 'A', location: 'DAL' });
  const mixed = (seq: number) => fc.oneof({ weight: 40, arbitrary: movementArb(seq) }, { weight: 1, arbitrary: snapshotArb(seq) });
  const longHistoryArb = fc
    .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 100, max: 139 }))
    .chain(([before, after]) =>
      fc.tuple(
        ...Array.from({ length: before }, (_, i) => mixed(i + 1).map(busy)),
        snapshotArb(before + 1).map(busy),
        ...Array.from({ length: after }, (_, i) => movementArb(before + 2 + i).map(busy)),
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
