/**
 * The scale-out worker against the shared state in memory (ledger-store.test-support.ts): what a
 * batch writes (positions, published figures, the feed at the batch's position, parked events,
 * overtaken counts, holds entries for the read models), that a redelivered entry changes nothing,
 * how catalogue changes apply, how failures end (retried, dead-lettered, waited out), and the
 * sweep of inbound horizons.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LedgerWorker, MalformedEntryError, type LedgerWorkerDeps } from './ledger-worker.js';
import { MemoryLedgerStore } from './ledger-store.test-support.js';
import { TouchedItems, byChannel } from './figure-appends.js';
import { T0, entry, fixedClock, movement, orderEvent, snapshot, workItem } from './log.test-support.js';
import { DatabaseUnavailableError } from '../../domain/errors.js';
import type { LogEntry } from '../../ports/event-log.js';
import type { Channel } from '../../model/catalog.js';

const AT = new Date(T0).toISOString();
const channel = (id: string, locations: string[], extra: Partial<Channel> = {}): Channel => ({
  id,
  locations,
  safetyStock: 0,
  onErpUnavailable: 'queue',
  onCreditHold: 'hold',
  ...extra,
});
const locationEntry = (position: number, id: string, authority = 'wms') => entry(position, { kind: 'location', def: { id, name: id, authority } });
const channelEntry = (position: number, c: Channel) => entry(position, { kind: 'channel', channel: c });

function worker(extra: Partial<LedgerWorkerDeps> = {}) {
  const store = new MemoryLedgerStore();
  const clock = fixedClock();
  const applied: { entries: number; events: number; duplicates: number; changes: number }[] = [];
  const failed: { position: number; error: string; dead: boolean }[] = [];
  const outages: number[] = [];
  let holdsQueued = 0;
  const w = new LedgerWorker({
    store,
    clock,
    maxAttempts: 3,
    holdsQueued: () => {
      holdsQueued++;
    },
    observer: {
      applied: ({ seconds, ...stats }) => {
        assert.ok(seconds >= 0 && seconds < 60, `seconds ${seconds}`);
        applied.push(stats);
      },
      failed: (e, err, dead) => failed.push({ position: e.position, error: err instanceof Error ? err.message : String(err), dead }),
      databaseUnavailable: (_err, waitMs) => outages.push(waitMs),
    },
    outageWaitMs: { first: 1, max: 4 },
    ...extra,
  });
  return {
    store,
    clock,
    w,
    applied,
    failed,
    outages,
    get holdsQueued() {
      return holdsQueued;
    },
  };
}

/** A worker whose shared state has DAL (authority wms) and channel web over it, at positions 1 and 2. */
async function defined(extra: Partial<LedgerWorkerDeps> = {}) {
  const h = worker(extra);
  await h.w.applyAll([locationEntry(1, 'DAL'), channelEntry(2, channel('web', ['DAL']))]);
  return h;
}

const feed = (store: MemoryLedgerStore, ch = 'web') => store.s.feed[ch]?.map((c) => [c.cursor, c.sku, c.previous, c.available, c.position]) ?? [];

test('a batch of events writes positions, the published figures and one feed append at the batch position', async () => {
  const h = await defined();
  const items = [
    entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })),
    entry(4, movement('wms', 2, 'B', 'DAL', { onHand: 4 })),
    entry(5, movement('wms', 3, 'A', 'DAL', { onHand: -3 }, { reason: 'adjustment' })),
  ].map((e) => workItem(e));
  await h.w.handle(items.map((i) => i.item));
  for (const i of items) assert.deepEqual(i.ended, ['done']);
  assert.equal(h.w.position, 5);
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 7);
  assert.equal(h.store.onHand('wms', 'B', 'DAL'), 4);
  assert.equal(await h.store.figure('web', 'A'), 7);
  assert.deepEqual(feed(h.store), [
    [1, 'A', 0, 7, 5],
    [2, 'B', 0, 4, 5],
  ]);
  assert.equal(h.store.s.feed.web![0]!.at, AT);
  assert.deepEqual(h.applied, [{ entries: 3, events: 3, duplicates: 0, changes: 2 }]);
  assert.equal(h.holdsQueued, 0);
  assert.deepEqual(h.store.s.outbox, []);
});

test('a redelivered entry (same id, or same seq) changes nothing and is counted a duplicate', async () => {
  const h = await defined();
  await h.w.applyAll([entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 }))]);
  await h.w.applyAll([
    entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })),
    entry(4, movement('wms', 1, 'A', 'DAL', { onHand: 10 }, { id: 'again' })),
    entry(5, movement('wms', 5, 'A', 'DAL', { onHand: 10 }, { id: 'wms-1' })),
  ]);
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 10);
  assert.deepEqual(h.applied.at(-1), { entries: 3, events: 0, duplicates: 3, changes: 0 });
  assert.equal(feed(h.store).length, 1);
  // A batch with one fresh event among repeats applies the fresh one.
  await h.w.applyAll([entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })), entry(6, movement('wms', 6, 'A', 'DAL', { onHand: 1 }))]);
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 11);
  assert.deepEqual(h.applied.at(-1), { entries: 2, events: 1, duplicates: 1, changes: 1 });
});

test('events for a location not defined are parked, and its definition applies them and publishes the figures', async () => {
  const h = await defined();
  await h.w.applyAll([
    entry(3, movement('wms', 1, 'A', 'HOU', { onHand: 5 })),
    entry(4, snapshot('wms', 2, 'A', 'HOU', { onHand: 8 })),
    entry(5, movement('wms', 3, 'C', 'ELP', { onHand: 1 })),
  ]);
  assert.deepEqual(
    h.store.s.parked.map((p) => [p.position, p.sku, p.location, p.reason, p.parkedAt]),
    [
      [3, 'A', 'HOU', "location 'HOU' is not defined; the event applies when it is (PUT /v1/locations/HOU)", AT],
      [4, 'A', 'HOU', "location 'HOU' is not defined; the event applies when it is (PUT /v1/locations/HOU)", AT],
      [5, 'C', 'ELP', "location 'ELP' is not defined; the event applies when it is (PUT /v1/locations/ELP)", AT],
    ],
  );
  assert.deepEqual(h.store.s.parked[0]!.event, movement('wms', 1, 'A', 'HOU', { onHand: 5 }));
  assert.equal(h.store.onHand('wms', 'A', 'HOU'), undefined);
  await h.w.applyAll([channelEntry(6, channel('south', ['HOU', 'DAL']))]);
  await h.w.applyAll([locationEntry(7, 'HOU')]);
  assert.deepEqual(h.store.s.locations.HOU, { id: 'HOU', name: 'HOU', authority: 'wms' });
  assert.equal(h.store.onHand('wms', 'A', 'HOU'), 8);
  assert.deepEqual(
    h.store.s.parked.map((p) => p.location),
    ['ELP'],
  );
  assert.deepEqual(feed(h.store, 'south'), [[1, 'A', 0, 8, 7]]);
  assert.deepEqual(Object.keys(h.store.s.feed), ['south'], 'no change outside the channels');
  assert.equal(h.store.s.feed.south![0]!.at, AT);
});

test('a location redefined recomputes the figures of the items it holds (a new authority)', async () => {
  const h = await defined();
  await h.w.applyAll([entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 5 })), entry(4, movement('erp', 1, 'A', 'DAL', { onHand: 2 }))]);
  assert.equal(await h.store.figure('web', 'A'), 5);
  await h.w.applyAll([locationEntry(5, 'DAL', 'erp')]);
  assert.equal(await h.store.figure('web', 'A'), 2);
  assert.deepEqual(feed(h.store).at(-1), [2, 'A', 5, 2, 5]);
});

/** A count at seq 3 after a count at 0 and movements 1, 2, 4, 5, in a ledger keeping one movement per bucket: it falls among folded movements. */
const lateCount = (location: string) => [
  snapshot('wms', 0, 'A', location, { onHand: 5 }),
  ...[1, 2, 4, 5].map((seq) => movement('wms', seq, 'A', location, { onHand: 1 })),
  snapshot('wms', 3, 'A', location, { onHand: 10 }),
];

test('a released count the ledger cannot apply exactly is recorded as overtaken at its own position', async () => {
  const h = await defined({ ledger: { movementsKept: 1 } });
  await h.w.applyAll(lateCount('HOU').map((e, i) => entry(3 + i, e)));
  assert.deepEqual(await h.store.overtakenCounts(0, 10), []);
  await h.w.applyAll([locationEntry(9, 'HOU')]);
  const counts = Object.values(h.store.s.overtaken);
  assert.deepEqual(
    counts.map((c) => [c.position, c.source, c.seq, c.sku, c.location, c.recordedAt]),
    [[8, 'wms', 3, 'A', 'HOU', AT]],
  );
});

test('a live count overtaken by later movements is recorded as overtaken', async () => {
  const h = await defined({ ledger: { movementsKept: 1 } });
  const events = lateCount('DAL');
  await h.w.applyAll(events.slice(0, 5).map((e, i) => entry(3 + i, e)));
  await h.w.applyAll([entry(8, events[5]!)]);
  const counts = Object.values(h.store.s.overtaken);
  assert.deepEqual(
    counts.map((c) => [c.position, c.source, c.seq, c.sku, c.location, c.recordedAt]),
    [[8, 'wms', 3, 'A', 'DAL', AT]],
  );
  // Without the bound given, the ledger keeps enough movements: nothing is overtaken.
  const roomy = await defined();
  await roomy.w.applyAll(events.map((e, i) => entry(3 + i, e)));
  assert.deepEqual(await roomy.store.overtakenCounts(0, 10), []);
});

test('a channel definition publishes its figures for items at its locations and those it published before', async () => {
  const h = await defined();
  await h.w.applyAll([entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 }))]);
  await h.w.applyAll([channelEntry(4, channel('web', ['DAL'], { safetyStock: 3 }))]);
  assert.deepEqual(h.store.s.channels.web!.safetyStock, 3);
  assert.deepEqual(feed(h.store).at(-1), [2, 'A', 10, 7, 4]);
  await h.w.applyAll([locationEntry(5, 'HOU'), channelEntry(6, channel('web', ['HOU']))]);
  assert.equal(await h.store.figure('web', 'A'), 0, 'A is no longer at its locations but was published');
  assert.deepEqual(feed(h.store).at(-1), [3, 'A', 7, 0, 6]);
  assert.deepEqual(Object.keys(h.store.s.feed), ['web'], 'no change outside the channels');
  assert.equal(h.store.s.feed.web!.at(-1)!.at, AT);
});

test('an item definition is saved and moves no figure', async () => {
  const h = await defined();
  await h.w.applyAll([entry(3, { kind: 'item', item: { sku: 'A', description: 'Anvil', uom: 'EA' } } as never)]);
  assert.deepEqual(h.store.s.items, { A: { sku: 'A', description: 'Anvil', uom: 'EA' } });
  assert.deepEqual(feed(h.store), []);
});

test('holds entries are skipped; catalogue changes split the events around them into runs in log order', async () => {
  const h = await defined();
  await h.w.applyAll([
    entry(3, movement('wms', 1, 'A', 'HOU', { onHand: 5 })),
    { position: 4, kind: 'holds', body: 'not even json' },
    locationEntry(5, 'HOU'),
    entry(6, movement('wms', 2, 'A', 'HOU', { onHand: 1 })),
  ]);
  assert.equal(h.store.onHand('wms', 'A', 'HOU'), 6);
  assert.deepEqual(
    h.applied.map((a) => a.entries),
    [1, 1],
  );
});

test('an entry that does not parse, is not an event, or sits in the wrong lane goes to the dead letters at once', async () => {
  const h = await defined();
  const bad: LogEntry[] = [
    { position: 3, kind: 'inventory', body: '{broken' },
    { position: 4, kind: 'inventory', body: JSON.stringify({ type: 'inventory.movement' }) },
    { position: 5, kind: 'order', body: JSON.stringify(movement('wms', 1, 'A', 'DAL', { onHand: 1 })) },
    { position: 6, kind: 'inventory', body: JSON.stringify(orderEvent('shop', 1, 'O1', { type: 'order.delivered' })) },
    { position: 7, kind: 'catalog', body: '{broken' },
    { position: 8, kind: 'catalog', body: JSON.stringify({ kind: 'warehouse' }) },
  ];
  for (const e of bad) {
    const i = workItem(e);
    await h.w.handle([i.item]);
    assert.deepEqual(i.ended, ['discard'], `entry ${e.position}`);
  }
  const dead = await h.store.deadEntries(10);
  assert.deepEqual(
    dead.map((d) => [d.position, d.kind, d.body, d.attempts, d.at]),
    bad.map((e) => [e.position, e.kind, e.body, 1, AT]),
  );
  assert.match(dead[0]!.error, /^log entry 3 cannot be applied: .*JSON/);
  assert.equal(dead[1]!.error, 'log entry 4 cannot be applied: not a valid event');
  assert.equal(dead[2]!.error, "log entry 5 cannot be applied: a 'inventory.movement' event in the order lane");
  assert.equal(dead[3]!.error, "log entry 6 cannot be applied: a 'order.delivered' event in the inventory lane");
  assert.match(dead[4]!.error, /^log entry 7 cannot be applied: .*JSON/);
  assert.equal(dead[5]!.error, "log entry 8 cannot be applied: unknown catalogue change 'warehouse'");
  assert.deepEqual(
    h.failed.map((f) => [f.position, f.dead]),
    bad.map((e) => [e.position, true]),
  );
  assert.equal(h.w.position, 0, 'nothing was committed by handle');
  const err = new MalformedEntryError(9, 'why');
  assert.equal(err.name, 'MalformedEntryError');
  assert.equal(err.position, 9);
});

test('a failed batch is retried entry by entry: the good ones commit, the bad one alone fails', async () => {
  const h = await defined();
  const items = [
    workItem(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 5 }))),
    workItem({ position: 4, kind: 'inventory', body: '{broken' }),
    workItem(entry(5, movement('wms', 2, 'B', 'DAL', { onHand: 2 }))),
  ];
  await h.w.handle(items.map((i) => i.item));
  assert.deepEqual(
    items.map((i) => i.ended),
    [['done'], ['discard'], ['done']],
  );
  assert.equal(h.w.position, 5);
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 5);
  assert.equal(h.store.onHand('wms', 'B', 'DAL'), 2);
  assert.deepEqual(
    (await h.store.deadEntries(10)).map((d) => d.position),
    [4],
  );
});

test('a transient failure is retried later with a backoff, and dead-lettered once its attempts are used', async () => {
  const h = await defined();
  const e = entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 5 }));
  h.store.afterClaim = () => {
    throw new Error('serialization failure');
  };
  const first = workItem(e, 1);
  await h.w.handle([first.item]);
  assert.deepEqual(first.ended, ['retry']);
  assert.ok(first.delays[0]! >= 500 && first.delays[0]! <= 1000, `delay ${first.delays[0]}`);
  const second = workItem(e, 2);
  await h.w.handle([second.item]);
  assert.ok(second.delays[0]! >= 1000 && second.delays[0]! <= 2000, `delay ${second.delays[0]}`);
  assert.deepEqual(await h.store.deadEntries(10), []);
  assert.deepEqual(h.failed, [
    { position: 3, error: 'serialization failure', dead: false },
    { position: 3, error: 'serialization failure', dead: false },
  ]);
  const last = workItem(e, 3);
  await h.w.handle([last.item]);
  assert.deepEqual(last.ended, ['discard']);
  const dead = await h.store.deadEntries(10);
  assert.deepEqual(
    dead.map((d) => [d.position, d.error, d.attempts]),
    [[3, 'serialization failure', 3]],
  );
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), undefined, 'the failed transactions left nothing');
  // The failed batch of two: each entry on its own, one fails again.
  h.store.afterClaim = (claims) => {
    if (claims.some((c) => c.seq === 7)) throw 'not an Error';
  };
  const a = workItem(entry(4, movement('wms', 6, 'A', 'DAL', { onHand: 1 })));
  const b = workItem(entry(5, movement('wms', 7, 'A', 'DAL', { onHand: 1 })));
  await h.w.handle([a.item, b.item]);
  assert.deepEqual([a.ended, b.ended], [['done'], ['retry']]);
  assert.equal(h.failed.at(-1)!.error, 'not an Error');
  assert.equal(h.w.position, 4);
});

test('when the dead letters cannot be written, the entry is retried rather than lost', async () => {
  const h = await defined();
  h.store.deadLetterFails = new Error('dead letters unreachable');
  const i = workItem({ position: 3, kind: 'inventory', body: '{broken' });
  await h.w.handle([i.item]);
  assert.deepEqual(i.ended, ['retry']);
  assert.ok(i.delays[0]! >= 500 && i.delays[0]! <= 1000);
  assert.equal(h.failed[0]!.dead, true);
});

test('entries naming orders are settled for the read models, repeats included, and the relay is told', async () => {
  const h = await defined();
  await h.w.applyAll([
    entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })),
    entry(4, movement('wms', 2, 'A', 'DAL', { onHand: -2 }, { reason: 'pick', orderId: 'O1' })),
    entry(5, orderEvent('shop', 1, 'O2', { type: 'order.delivered' })),
  ]);
  assert.equal(h.holdsQueued, 1);
  assert.deepEqual(
    h.store.s.outbox.map((o) => [o.kind, o.key, o.body]),
    [['holds', 'settles', { holds: [], settles: [4, 5] }]],
  );
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 8);
  // Delivered again: nothing applies, the settles go out again.
  await h.w.applyAll([entry(5, orderEvent('shop', 1, 'O2', { type: 'order.delivered' }))]);
  assert.equal(h.holdsQueued, 2);
  assert.deepEqual(
    [h.store.s.outbox.at(-1)!.kind, h.store.s.outbox.at(-1)!.key, h.store.s.outbox.at(-1)!.body],
    ['holds', 'settles', { holds: [], settles: [5] }],
  );
  // Repeats naming no order queue nothing.
  await h.w.applyAll([entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 }))]);
  assert.equal(h.holdsQueued, 2);
  assert.equal(h.store.s.outbox.length, 2);
});

test('a dead entry naming an order settles for the read models; one that names none, or does not parse, does not', async () => {
  const h = await defined();
  const fail = () => {
    throw new Error('keeps failing');
  };
  h.store.afterClaim = fail;
  const named = workItem(entry(3, orderEvent('shop', 1, 'O1', { type: 'order.delivered' })), 3);
  await h.w.handle([named.item]);
  assert.deepEqual(named.ended, ['discard']);
  assert.deepEqual(
    h.store.s.outbox.map((o) => [o.kind, o.key, o.body]),
    [['holds', 'settles', { holds: [], settles: [3] }]],
  );
  assert.equal(h.holdsQueued, 1);
  const plain = workItem(entry(4, movement('wms', 1, 'A', 'DAL', { onHand: 1 })), 3);
  await h.w.handle([plain.item]);
  const broken = workItem({ position: 5, kind: 'order', body: '[' });
  await h.w.handle([broken.item]);
  assert.deepEqual([plain.ended, broken.ended], [['discard'], ['discard']]);
  assert.equal(h.store.s.outbox.length, 1);
  assert.equal(h.holdsQueued, 1);
});

test('a database that refuses connections is waited out with growing waits, the entries kept meanwhile', async () => {
  const h = await defined();
  const down = () => new DatabaseUnavailableError('connection refused', new Error('ECONNREFUSED'));
  h.store.failures.push(down(), down(), down(), down());
  const i = workItem(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 5 })), 3);
  await h.w.handle([i.item]);
  assert.deepEqual(i.ended, ['done']);
  assert.deepEqual(h.outages, [1, 2, 4, 4]);
  assert.ok(i.stillWorking >= 4, 'the log is told the entry is still being worked on');
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 5);
  assert.deepEqual(h.failed, []);
});

test('the default outage waits start at 250 ms; stopping ends the wait and hands the entries back unjudged', async () => {
  const h = await defined({ outageWaitMs: undefined });
  const down = new DatabaseUnavailableError('connection refused', new Error('ECONNREFUSED'));
  for (let k = 0; k < 10; k++) h.store.failures.push(down);
  const i = workItem(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 5 })), 3);
  const handled = h.w.handle([i.item]);
  while (h.outages.length === 0) await new Promise((r) => setImmediate(r));
  h.w.stop();
  await handled;
  assert.deepEqual(h.outages, [250]);
  assert.deepEqual(i.ended, ['retry'], 'not dead-lettered although its attempts are used');
  assert.deepEqual(h.failed, [{ position: 3, error: down.message, dead: false }]);
  assert.deepEqual(await h.store.deadEntries(10), []);
});

test('the inbound sweep publishes the figures that time alone moved, at the position given', async () => {
  const h = await defined();
  const dayMs = 86_400_000;
  await h.w.applyAll([channelEntry(3, channel('ahead', ['DAL'], { includeInbound: { withinDays: 1 } }))]);
  await h.w.applyAll([
    entry(4, movement('wms', 1, 'A', 'DAL', { inbound: 5 }, { eta: new Date(T0 + 2 * dayMs).toISOString() })),
    entry(5, movement('wms', 2, 'B', 'DAL', { onHand: 3 })),
  ]);
  assert.equal(await h.store.figure('ahead', 'A'), 0);
  assert.equal(await h.w.sweepInboundHorizons(5), 0, 'nothing moved yet');
  h.clock.set(T0 + 1.5 * dayMs);
  assert.equal(await h.w.sweepInboundHorizons(9), 1);
  assert.equal(await h.store.figure('ahead', 'A'), 5);
  assert.equal(await h.store.figure('web', 'A'), 0, 'a channel without inbound does not move');
  const last = h.store.s.feed.ahead!.at(-1)!;
  assert.deepEqual([last.sku, last.previous, last.available, last.position, last.at], ['A', 0, 5, 9, new Date(T0 + 1.5 * dayMs).toISOString()]);
  assert.equal(await h.w.sweepInboundHorizons(10), 0, 'recorded once');
});

test('a lone entry that fails is retried later, not applied again at once', async () => {
  const h = await defined();
  h.store.failures.push(new Error('deadlock detected'));
  const i = workItem(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 5 })));
  await h.w.handle([i.item]);
  assert.deepEqual(i.ended, ['retry']);
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), undefined);
  assert.equal(h.w.position, 0);
});

test('a worker without an observer or a relay to tell works through outages, failures and dead letters', async () => {
  const store = new MemoryLedgerStore();
  const w = new LedgerWorker({ store, clock: fixedClock(), maxAttempts: 1, outageWaitMs: { first: 1, max: 1 } });
  await w.applyAll([locationEntry(1, 'DAL')]);
  store.failures.push(new DatabaseUnavailableError('refused', new Error('ECONNREFUSED')));
  const ok = workItem(entry(2, orderEvent('shop', 1, 'O1', { type: 'order.delivered' })));
  await w.handle([ok.item]);
  assert.deepEqual(ok.ended, ['done']);
  store.afterClaim = () => {
    throw new Error('bad');
  };
  const dead = workItem(entry(3, orderEvent('shop', 2, 'O1', { type: 'order.delivered' })));
  await w.handle([dead.item]);
  assert.deepEqual(dead.ended, ['discard']);
  assert.deepEqual(
    store.s.outbox.map((o) => o.body),
    [
      { holds: [], settles: [2] },
      { holds: [], settles: [3] },
    ],
  );
});

test('an order event for an order not captured waits for it, with its own correlation id when it has one', async () => {
  const h = await defined();
  await h.w.applyAll([
    entry(3, orderEvent('shop', 1, 'O2', { type: 'order.delivered', correlationId: 'c-3' })),
    entry(4, orderEvent('shop', 2, 'O3', { type: 'order.delivered' })),
  ]);
  assert.deepEqual(
    h.store.s.waiting.map((w) => [w.position, w.orderId, w.correlationId, w.since]),
    [
      [3, 'O2', 'c-3', AT],
      [4, 'O3', undefined, AT],
    ],
  );
  assert.equal('correlationId' in h.store.s.waiting[1]!, false);
});

/** A released order O1 for 2 of A from DAL, its 2 units held there. */
function releasedOrder(store: MemoryLedgerStore) {
  const o1 = {
    id: 'O1',
    channel: 'web',
    externalId: 'X1',
    customer: 'C1',
    backorder: 'reject',
    createdAt: AT,
    updatedAt: AT,
    erp: { state: 'committed', attempts: 1 },
    released: true,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: [{ sku: 'A', qty: 2, unitPrice: 3, alloc: [['DAL', 2]], departed: {}, returned: 0 }],
    shipments: [],
  };
  store.s.orders.O1 = { order: o1 as never, status: 'released' as never, owes: false };
  store.s.holds['O1\u001fA\u001fDAL'] = 2;
}

test('a count whose item an order shipped from while the batch waited is run again with that order locked', async () => {
  const h = await defined();
  releasedOrder(h.store);
  h.store.s.unconfirmed = [{ orderId: 'O1', sku: 'A', location: 'DAL' }];
  // The first look finds no order at the counted pair; the second (after the items are locked) does.
  // And on the second run the first look misses it again: the order the first run found stays locked.
  h.store.hideUnconfirmed = [true, false, true];
  const before = h.store.transactions;
  await h.w.applyAll([entry(3, snapshot('wms', 1, 'A', 'DAL', { onHand: 6 }))]);
  assert.equal(h.store.transactions - before, 2, 'the batch ran again, once');
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 6);
  assert.deepEqual(h.applied.at(-1), { entries: 1, events: 1, duplicates: 0, changes: 1 });
});

test('a count at a pair whose unconfirmed row names no order runs again once, then goes on without it', async () => {
  const h = await defined();
  releasedOrder(h.store);
  h.store.s.unconfirmed = [
    { orderId: 'O1', sku: 'A', location: 'DAL' },
    { orderId: 'GONE', sku: 'A', location: 'DAL' },
  ];
  // The first look misses both; the second finds both, and only O1 can be locked.
  h.store.hideUnconfirmed = [true, false];
  // Running again for an order that cannot be locked would never end: stop it here instead.
  let runs = 0;
  h.store.afterClaim = () => {
    if (++runs > 5) throw new Error('the batch kept running again');
  };
  const before = h.store.transactions;
  await h.w.applyAll([entry(3, snapshot('wms', 1, 'A', 'DAL', { onHand: 6 }))]);
  assert.equal(h.store.transactions - before, 2, 'ran again once with both asked for, then applied');
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), 6);
});

test('a count that meets a new shipment on every run gives up after 1,000 orders asked for, with the error naming them', async () => {
  const h = await defined();
  let shipped = 0;
  h.store.moreUnconfirmed = () => [`SHIP-${++shipped}`];
  // Never giving up would run for ever: stop it here instead.
  let runs = 0;
  h.store.afterClaim = () => {
    if (++runs > 1100) throw new Error('the batch kept running again');
  };
  const before = h.store.transactions;
  await assert.rejects(h.w.applyAll([entry(3, snapshot('wms', 1, 'A', 'DAL', { onHand: 6 }))]), (err: Error) => {
    assert.equal(err.name, 'UnlockedOrdersError');
    assert.match(err.message, /^orders SHIP-\d+ shipped from a counted item while the batch waited/);
    return true;
  });
  // One order more asked for on each run: the 1,002nd run finds 1,001 asked for and gives up.
  assert.equal(h.store.transactions - before, 1002);
  assert.equal(h.store.onHand('wms', 'A', 'DAL'), undefined, 'the count is not applied; the entry stays to be retried');
});

test('an item moved at two locations in one batch has the figures of the channels at both recomputed', async () => {
  const h = await defined();
  await h.w.applyAll([locationEntry(3, 'HOU'), channelEntry(4, channel('east', ['HOU']))]);
  await h.w.applyAll([entry(5, movement('wms', 1, 'A', 'DAL', { onHand: 2 })), entry(6, movement('wms', 2, 'A', 'HOU', { onHand: 3 }))]);
  assert.equal(await h.store.figure('web', 'A'), 2);
  assert.equal(await h.store.figure('east', 'A'), 3);
});

test("stock the authority shows leaving for an order releases the order's holds, told to the read models", async () => {
  const h = await defined();
  releasedOrder(h.store);
  await h.w.applyAll([entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 }))]);
  await h.w.applyAll([entry(4, movement('wms', 2, 'A', 'DAL', { onHand: -2 }, { reason: 'pick', orderId: 'O1' }))]);
  assert.deepEqual(h.store.s.orders.O1!.order.lines[0]!.departed, { DAL: 2 });
  assert.equal(h.store.reserved('A', 'DAL'), 0);
  assert.deepEqual(
    h.store.s.outbox.map((o) => [o.kind, o.key, o.body]),
    [['holds', 'A', { holds: [{ orderId: 'O1', sku: 'A', location: 'DAL', units: -2 }], settles: [4] }]],
  );
  assert.equal(await h.store.figure('web', 'A'), 8);
  assert.deepEqual(h.store.s.waiting, []);
});

test('a count after a shipment confirms it: the holds are released with no entry to settle', async () => {
  const h = await defined();
  releasedOrder(h.store);
  await h.w.applyAll([entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 }))]);
  await h.w.applyAll([entry(4, orderEvent('shop', 1, 'O1', { type: 'order.shipped', location: 'DAL', lines: [{ sku: 'A', qty: 2 }] } as never))]);
  assert.equal(h.store.reserved('A', 'DAL'), 2, 'shipped, not yet seen leaving');
  assert.deepEqual(h.store.s.unconfirmed, [{ orderId: 'O1', sku: 'A', location: 'DAL' }]);
  assert.deepEqual(h.store.s.waiting, [], 'the order was locked and took its event');
  const queued = h.holdsQueued;
  // Counted with another item in the same batch: each counted pair is looked up.
  await h.w.applyAll([entry(5, snapshot('wms', 2, 'A', 'DAL', { onHand: 8 })), entry(6, snapshot('wms', 3, 'B', 'DAL', { onHand: 1 }))]);
  assert.equal(h.store.reserved('A', 'DAL'), 0);
  assert.deepEqual(h.store.s.unconfirmed, []);
  assert.deepEqual([h.store.s.outbox.at(-1)!.key, h.store.s.outbox.at(-1)!.body], ['A', { holds: [{ orderId: 'O1', sku: 'A', location: 'DAL', units: -2 }] }]);
  assert.equal(h.holdsQueued, queued + 1);
  assert.equal(await h.store.figure('web', 'A'), 8);
});

test('an observer that does not listen for outages is not needed to wait one out', async () => {
  const store = new MemoryLedgerStore();
  const failed: number[] = [];
  const w = new LedgerWorker({
    store,
    clock: fixedClock(),
    maxAttempts: 1,
    outageWaitMs: { first: 1, max: 1 },
    observer: { applied() {}, failed: (e) => failed.push(e.position) },
  });
  await w.applyAll([locationEntry(1, 'DAL')]);
  store.failures.push(new DatabaseUnavailableError('refused', new Error('ECONNREFUSED')));
  const i = workItem(entry(2, movement('wms', 1, 'A', 'DAL', { onHand: 1 })));
  await w.handle([i.item]);
  assert.deepEqual(i.ended, ['done']);
  assert.deepEqual(failed, []);
});

test('the pairs a transaction touched are counted once per item, and figure changes grouped per channel', () => {
  const touched = new TouchedItems();
  touched.touch('A', 'DAL');
  touched.touch('A', 'HOU');
  touched.touch('B', 'DAL');
  assert.equal(touched.size, 2);
  assert.deepEqual(
    byChannel(
      [
        { channel: 'web', sku: 'A', previous: 0, available: 1 },
        { channel: 'b2b', sku: 'A', previous: 2, available: 3 },
        { channel: 'web', sku: 'B', previous: 4, available: 5 },
      ],
      9,
      'then',
    ),
    [
      {
        channel: 'web',
        position: 9,
        at: 'then',
        changes: [
          { sku: 'A', available: 1, previous: 0 },
          { sku: 'B', available: 5, previous: 4 },
        ],
      },
      { channel: 'b2b', position: 9, at: 'then', changes: [{ sku: 'A', available: 3, previous: 2 }] },
    ],
  );
});
