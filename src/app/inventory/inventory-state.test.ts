/**
 * The embedded inventory state against the real SQLite store: what a checkpoint writes, what a
 * restart loads (checkpoint, feed after it, log tail, parked items, catalogue), feed cursors, the
 * figures a lookup reads, and the small helpers that share the state (touches, inbound sweep,
 * replay, verify, the change feed read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InventoryState } from './inventory-state.js';
import { EventIngest } from './ingest-events.js';
import { defineChannel, defineItem, defineLocation } from './define-catalog.js';
import { collectTouches } from './figure-touches.js';
import { refreshInboundHorizons } from './refresh-inbound-horizons.js';
import { verifyLedger } from './verify-ledger.js';
import { replayLog } from './replay-log.js';
import { readChannelChanges } from './read-channel-changes.js';
import { overtakenCount } from './overtaken-counts.js';
import { scratchInventoryStore } from '../../adapters/sqlite/inventory-store.test-support.js';
import { T0, fixedClock, movement, snapshot } from '../log/log.test-support.js';
import { InventoryLedger } from '../../domain/inventory/inventory-ledger.js';
import { UnknownChannelError } from '../../domain/errors.js';

const DAY = 86_400_000;

function hub(t: { after(fn: () => void): void }) {
  const scratch = scratchInventoryStore();
  t.after(() => scratch.dispose());
  const clock = fixedClock();
  const state = new InventoryState({ store: scratch.store, clock });
  const deps = { state, store: scratch.store, clock };
  defineLocation(deps, 'DAL', { name: 'Dallas', authority: 'wms' });
  defineChannel(deps, 'web', { locations: ['DAL'] });
  const ingest = new EventIngest(deps);
  const restart = () => new InventoryState({ store: scratch.reopen(), clock });
  return { scratch, state, clock, deps, ingest, restart };
}

test('a checkpoint writes what changed since the last one, and nothing when nothing did', async (t) => {
  const h = hub(t);
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 }), movement('wms', 2, 'B', 'DAL', { onHand: 3 })]);
  h.state.checkpoint();
  const saved = h.scratch.store.loadCheckpoint();
  assert.equal(saved.position, 2);
  assert.deepEqual([...saved.positions].map((s) => JSON.parse(s).sku).sort(), ['A', 'B']);
  assert.deepEqual([...saved.sequences], [{ source: 'wms', spans: h.state.ledger.seenSequences('wms')!.toJSON() }]);
  assert.deepEqual([...saved.figures].map((f) => [f.channel, f.sku, f.available]).sort(), [
    ['web', 'A', 5],
    ['web', 'B', 3],
  ]);
  assert.deepEqual(saved.feedCursors, { web: 2 });
  assert.equal(h.state.ledger.dirtyPositions.size, 0);
  assert.equal(h.state.ledger.dirtySources.size, 0);
  assert.equal(h.state.book.dirtyFigures.size, 0);
  // Nothing changed: the checkpoint is not written again (its position stays).
  h.state.position = 99;
  h.state.checkpoint();
  assert.equal(h.scratch.store.loadCheckpoint().position, 2);
});

test('a restart loads the checkpoint, the figures the feed moved after it and the log tail', async (t) => {
  const h = hub(t);
  defineItem(h.deps, 'A', { description: 'Anvil', uom: 'EA' });
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 }), movement('wms', 2, 'B', 'DAL', { onHand: 3 })]);
  h.state.checkpoint();
  await h.ingest.submit([
    movement('wms', 3, 'A', 'DAL', { onHand: 2 }),
    movement('wms', 4, 'C', 'DAL', { onHand: 1 }),
    movement('wms', 5, 'P', 'HOU', { onHand: 1 }),
  ]);
  const again = h.restart();
  assert.equal(again.position, 5);
  assert.equal(again.ledger.position('wms', 'A', 'DAL')?.quantity('onHand'), 7);
  assert.equal(again.ledger.position('wms', 'C', 'DAL')?.quantity('onHand'), 1);
  assert.equal(again.book.publishedFigure('web', 'A'), 7);
  assert.equal(again.book.publishedFigure('web', 'C'), 1);
  assert.equal(again.book.publishedFigure('web', 'B'), 3);
  assert.ok(again.ledger.hasSeq('wms', 4) && again.ledger.hasSeq('wms', 1));
  assert.deepEqual(again.items.get('A'), { sku: 'A', description: 'Anvil', uom: 'EA' });
  assert.equal(again.items.get('B'), null);
  assert.ok(again.isKnownSku('P'), 'a parked event names its item');
  assert.ok(again.isKnownSku('C'), 'an item named only after the checkpoint is known from the replayed tail');
  assert.equal(again.feedCursor('web'), 4);
  assert.deepEqual(again.book.locations.get('DAL'), { id: 'DAL', name: 'Dallas', authority: 'wms' });
  assert.ok(again.book.channels.has('web'));
  // A restart with no checkpoint at all replays the whole log.
  const fresh = new InventoryState({ store: h.scratch.store, clock: h.clock });
  assert.equal(fresh.position, 5);
  assert.equal(fresh.ledger.position('wms', 'A', 'DAL')?.quantity('onHand'), 7);
});

test('figures moved after the checkpoint are read from the feed page by page', async (t) => {
  const h = hub(t);
  h.state.checkpoint();
  const events = Array.from({ length: 40 }, (_, k) => movement('wms', k + 1, `S${k}`, 'DAL', { onHand: k + 1 }));
  await h.ingest.submit(events);
  const again = h.restart();
  for (let k = 0; k < 40; k++) assert.equal(again.book.publishedFigure('web', `S${k}`), k + 1);
});

test('a channel counting inbound answers its figure at the time asked; others the published figure', async (t) => {
  const h = hub(t);
  defineChannel(h.deps, 'ahead', { locations: ['DAL'], includeInbound: { withinDays: 1 } });
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 2, inbound: 5 }, { eta: new Date(T0 + 2 * DAY).toISOString() })]);
  const ahead = h.state.book.channels.get('ahead')!;
  const web = h.state.book.channels.get('web')!;
  assert.equal(h.state.figure(ahead, 'A', T0), 2);
  assert.equal(h.state.figure(ahead, 'A', T0 + 1.5 * DAY), 7);
  assert.equal(h.state.figure(web, 'A', T0 + 1.5 * DAY), 2);
  assert.equal(h.state.figure(web, 'NOPE', T0), 0);
  // The sweep records the change time alone made, once.
  h.clock.set(T0 + 1.5 * DAY);
  const before = h.scratch.store.readChanges('ahead', 0, 100).length;
  assert.equal(refreshInboundHorizons(h.deps), 1);
  assert.equal(refreshInboundHorizons(h.deps), 0);
  const changes = h.scratch.store.readChanges('ahead', 0, 100);
  assert.equal(changes.length, before + 1);
  assert.deepEqual(
    [changes.at(-1)!.sku, changes.at(-1)!.previous, changes.at(-1)!.available, changes.at(-1)!.position, changes.at(-1)!.at],
    ['A', 2, 7, 1, new Date(T0 + 1.5 * DAY).toISOString()],
  );
  assert.equal(h.state.book.publishedFigure('web', 'A'), 2, 'a channel without inbound is not swept');
});

test('feed cursors run on per channel; changes outside an ingest are recorded at the current position', async (t) => {
  const h = hub(t);
  const appends = h.state.recordChanges(
    [
      { channel: 'web', sku: 'A', previous: 0, available: 1 },
      { channel: 'x', sku: 'A', previous: 0, available: 2 },
      { channel: 'web', sku: 'B', previous: 0, available: 3 },
    ],
    7,
    'then',
  );
  assert.deepEqual(appends, [
    {
      channel: 'web',
      firstCursor: 1,
      position: 7,
      at: 'then',
      changes: [
        { channel: 'web', sku: 'A', previous: 0, available: 1 },
        { channel: 'web', sku: 'B', previous: 0, available: 3 },
      ],
    },
    { channel: 'x', firstCursor: 1, position: 7, at: 'then', changes: [{ channel: 'x', sku: 'A', previous: 0, available: 2 }] },
  ]);
  assert.equal(h.state.feedCursor('web'), 2);
  assert.equal(h.state.feedCursor('x'), 1);
  assert.equal(h.state.feedCursor('none'), 0);
  assert.equal(h.state.recordChanges([{ channel: 'web', sku: 'C', previous: 0, available: 1 }], 8, 'now')[0]!.firstCursor, 3);
  assert.deepEqual(h.state.recordChanges([], 9, 'x'), []);
});

test('touches recompute each touched figure once and record the moves; the feed reads them back', async (t) => {
  const h = hub(t);
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 })]);
  h.state.ledger.reserve('A', 'DAL', 2);
  h.state.ledger.reserve('B', 'DAL', 1);
  const touches = collectTouches(h.state);
  touches.touch('A', 'DAL');
  touches.touch('A', 'DAL');
  touches.touch('B', 'DAL');
  assert.equal(
    h.scratch.store.transaction(() => touches.write(T0)),
    1,
  );
  assert.equal(touches.write(T0), 0, 'cleared after writing');
  const read = await readChannelChanges({ state: h.state, reads: h.scratch.store }, 'web', 1, 10);
  assert.deepEqual(read, {
    channel: 'web',
    changes: [{ cursor: 2, sku: 'A', available: 3, previous: 5, position: 1, at: new Date(T0).toISOString() }],
    next: 2,
  });
  assert.deepEqual(await readChannelChanges({ state: h.state, reads: h.scratch.store }, 'web', 2, 10), { channel: 'web', changes: [], next: 2 });
  await assert.rejects(readChannelChanges({ state: h.state, reads: h.scratch.store }, 'nope', 0, 10), UnknownChannelError);
});

test('verify agrees with a state built by ingest and names a position that differs', async (t) => {
  const h = hub(t);
  await h.ingest.submit([
    movement('wms', 1, 'A', 'DAL', { onHand: 5 }),
    snapshot('wms', 2, 'B', 'DAL', { onHand: 3 }),
    movement('wms', 3, 'C', 'HOU', { onHand: 1 }),
  ]);
  // Reservations live in the orders: the caller loads them into the live ledger (and the figures follow).
  h.state.ledger.reserve('A', 'DAL', 2);
  const touches = collectTouches(h.state);
  touches.touch('A', 'DAL');
  h.scratch.store.transaction(() => touches.write(T0));
  const report = verifyLedger(h.deps);
  assert.deepEqual(report, { events: 3, positions: 2, figures: report.figures, mismatches: [] });
  h.state.ledger.apply(movement('wms', 9, 'B', 'DAL', { onHand: 1 }), 9);
  assert.deepEqual(verifyLedger(h.deps).mismatches, ['B at DAL from wms: onHand is 4, replay gives 3']);
});

test('replay applies the log after a position into a ledger, leaving out events for undefined locations', async (t) => {
  const h = hub(t);
  await h.ingest.submit([
    movement('wms', 1, 'A', 'DAL', { onHand: 5 }),
    movement('wms', 2, 'A', 'HOU', { onHand: 3 }),
    movement('wms', 3, 'A', 'DAL', { onHand: 1 }),
  ]);
  const ledger = new InventoryLedger();
  const named: string[] = [];
  const result = replayLog(h.scratch.store, ledger, h.state.book.locations, 1, {
    itemNamed: (s) => named.push(s),
    moved() {},
    orderEvent() {},
    parked() {},
    departed() {},
    counted() {},
    overtaken() {},
  });
  assert.deepEqual(result, { last: 3, events: 2 });
  assert.equal(ledger.position('wms', 'A', 'DAL')?.quantity('onHand'), 1);
  assert.equal(ledger.position('wms', 'A', 'HOU'), undefined);
  assert.deepEqual(named, ['A', 'A']);
  assert.deepEqual(replayLog(h.scratch.store, new InventoryLedger(), h.state.book.locations, 3), { last: 3, events: 0 });
});

test('an overtaken count keeps the snapshot identity beside its buckets', () => {
  const s = snapshot('wms', 4, 'A', 'DAL', { onHand: 1 });
  const buckets = [{ bucket: 'onHand' as const, counted: 1, held: 5, foldedMovements: 2 }];
  const c = overtakenCount(s, 12, buckets, 'now');
  assert.deepEqual(c, { position: 12, source: 'wms', seq: 4, sku: 'A', location: 'DAL', countedAt: s.occurredAt, buckets, recordedAt: 'now' });
  assert.notEqual(c.buckets, buckets, 'a copy');
});

test('a checkpoint keeps positions it alone changed, sequences alone, and figures alone', async (t) => {
  const h = hub(t);
  // A channel redefined: only figures change.
  await h.ingest.submit([movement('wms', 1, 'B', 'DAL', { onHand: 10 })]);
  h.state.checkpoint();
  defineChannel(h.deps, 'web', { locations: ['DAL'], safetyStock: 3 });
  const saved = h.scratch.store.loadCheckpoint();
  assert.ok([...saved.positions].length > 0);
  assert.deepEqual(
    [...saved.figures].filter((f) => f.sku === 'B').map((f) => f.available),
    [7],
  );
  assert.deepEqual(saved.feedCursors, { web: h.state.feedCursor('web') });
  // Parked: only the source's sequences change.
  await h.ingest.submit([movement('erp', 1, 'A', 'HOU', { onHand: 4 })]);
  h.state.checkpoint();
  const parked = h.scratch.store.loadCheckpoint();
  assert.equal(parked.position, 2);
  assert.deepEqual([...parked.sequences].map((s) => s.source).sort(), ['erp', 'wms']);
  assert.ok([...parked.positions].length >= 0 && [...parked.figures].length >= 0);
  // Defining HOU applies the parked event: only a position changes (no channel draws on HOU).
  defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'erp' });
  const again = h.restart();
  assert.equal(again.ledger.position('erp', 'A', 'HOU')?.quantity('onHand'), 4);
});

test('positions whose source and item spell the same text run together are kept apart', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'DAL', { name: 'Dallas', authority: 'ab' });
  await h.ingest.submit([
    movement('ab', 1, 'c', 'DAL', { onHand: 1 }),
    movement('a', 1, 'bc', 'DAL', { onHand: 2 }),
    movement('wms', 1, 'c', 'DAL', { onHand: 3 }),
  ]);
  h.state.checkpoint();
  const again = h.restart();
  assert.equal(again.ledger.position('wms', 'c', 'DAL')?.quantity('onHand'), 3, 'two sources of one item at one location');
  assert.equal(again.ledger.position('ab', 'c', 'DAL')?.quantity('onHand'), 1);
  assert.equal(again.ledger.position('a', 'bc', 'DAL')?.quantity('onHand'), 2);
});

test('figures restored from the feed at start go into the next checkpoint', async (t) => {
  const h = hub(t);
  h.state.checkpoint();
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 })]);
  const second = h.restart();
  second.checkpoint();
  const third = new InventoryState({ store: h.scratch.reopen(), clock: h.clock });
  assert.equal(third.book.publishedFigure('web', 'A'), 5);
});

test('touches at two locations of one item recompute the channels at both', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'wms' });
  defineChannel(h.deps, 'east', { locations: ['HOU'] });
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 }), movement('wms', 2, 'A', 'HOU', { onHand: 5 })]);
  h.state.ledger.reserve('A', 'DAL', 1);
  h.state.ledger.reserve('A', 'HOU', 2);
  const touches = collectTouches(h.state);
  touches.touch('A', 'DAL');
  touches.touch('A', 'HOU');
  assert.equal(
    h.scratch.store.transaction(() => touches.write(T0)),
    2,
  );
  assert.deepEqual([h.state.book.publishedFigure('web', 'A'), h.state.book.publishedFigure('east', 'A')], [4, 3]);
});

test('verify replays with the bound on late counts the hub runs with', async (t) => {
  const scratch = scratchInventoryStore();
  t.after(() => scratch.dispose());
  const clock = fixedClock();
  const state = new InventoryState({ store: scratch.store, clock, ledger: { movementsKept: 1 } });
  const deps = { state, store: scratch.store, clock };
  defineLocation(deps, 'DAL', { name: 'Dallas', authority: 'wms' });
  const ingest = new EventIngest(deps);
  await ingest.submit([snapshot('wms', 0, 'A', 'DAL', { onHand: 5 }), ...[1, 2, 4, 5].map((seq) => movement('wms', seq, 'A', 'DAL', { onHand: 1 }))]);
  await ingest.submit([snapshot('wms', 3, 'A', 'DAL', { onHand: 10 })]);
  assert.deepEqual(verifyLedger(deps).mismatches, []);
});
