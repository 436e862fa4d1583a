/**
 * Catalogue changes on the embedded hub against the real SQLite store: a location releasing what
 * was parked for it, a channel recomputing its figures, an item; each committed with its figure
 * changes and a checkpoint, and memory rebuilt when the commit fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelFromInput, checkChannelLocations, defineChannel, defineItem, defineLocation, embeddedCatalog } from './define-catalog.js';
import { InventoryState } from './inventory-state.js';
import { EventIngest } from './ingest-events.js';
import { scratchInventoryStore } from '../../adapters/sqlite/inventory-store.test-support.js';
import { T0, fixedClock, movement, snapshot } from '../log/log.test-support.js';
import { InvalidInputError, StorageFailedError } from '../../domain/errors.js';

const AT = new Date(T0).toISOString();

function hub(t: { after(fn: () => void): void }, ledger?: { movementsKept: number }) {
  const scratch = scratchInventoryStore();
  t.after(() => scratch.dispose());
  const clock = fixedClock();
  const state = new InventoryState({ store: scratch.store, clock, ...(ledger ? { ledger } : {}) });
  const deps = { state, store: scratch.store, clock };
  return { scratch, state, clock, deps, ingest: new EventIngest(deps) };
}

test('a new location releases the events parked for it, publishes the figures they move and checkpoints', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'DAL', { name: 'Dallas', authority: 'wms' });
  await h.ingest.submit([
    movement('wms', 1, 'A', 'HOU', { onHand: 5 }),
    movement('wms', 2, 'B', 'DAL', { onHand: 1 }),
    snapshot('wms', 3, 'A', 'HOU', { onHand: 8 }),
  ]);
  assert.equal(h.scratch.store.parkedEvents('HOU').length, 2);
  const defined = defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'wms' });
  assert.deepEqual(defined, { id: 'HOU', name: 'Houston', authority: 'wms', released: 2, created: true });
  assert.deepEqual(h.scratch.store.parkedEvents('HOU'), []);
  assert.equal(h.state.ledger.position('wms', 'A', 'HOU')?.quantity('onHand'), 8);
  assert.deepEqual(
    h.scratch.store.loadLocations().find((l) => l.id === 'HOU'),
    { id: 'HOU', name: 'Houston', authority: 'wms' },
  );
  // The checkpoint went with it: a restart needs no replay for HOU.
  const saved = h.scratch.store.loadCheckpoint();
  assert.equal(saved.position, 3);
  assert.ok([...saved.positions].some((s) => JSON.parse(s).location === 'HOU'));
  // Read to the end: the store's iterators hold the connection until then.
  assert.ok([...saved.figures].length >= 0);
  defineChannel(h.deps, 'south', { locations: ['DAL', 'HOU'] });
  assert.equal(h.state.book.publishedFigure('south', 'A'), 8);
  // Redefined: not created, nothing to release, the new authority's figures count and are published.
  await h.ingest.submit([movement('erp', 1, 'A', 'HOU', { onHand: 2 })]);
  h.clock.set(T0 + 1000);
  assert.deepEqual(defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'erp' }), {
    id: 'HOU',
    name: 'Houston',
    authority: 'erp',
    released: 0,
    created: false,
  });
  assert.equal(h.state.book.publishedFigure('south', 'A'), 2);
  const last = h.scratch.store.readChanges('south', 0, 10).at(-1)!;
  assert.deepEqual([last.sku, last.previous, last.available, last.position, last.at], ['A', 8, 2, 4, new Date(T0 + 1000).toISOString()]);
  assert.equal(h.scratch.store.loadCheckpoint().feedCursors.south, h.state.feedCursor('south'));
});

test('a released count the ledger cannot apply exactly is recorded as overtaken', async (t) => {
  const h = hub(t, { movementsKept: 1 });
  await h.ingest.submit([
    snapshot('wms', 0, 'A', 'HOU', { onHand: 5 }),
    ...[1, 2, 4, 5].map((seq) => movement('wms', seq, 'A', 'HOU', { onHand: 1 })),
    snapshot('wms', 3, 'A', 'HOU', { onHand: 10 }),
  ]);
  defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'wms' });
  assert.deepEqual(
    h.scratch.store.overtakenCounts(0, 10).map((c) => [c.position, c.seq, c.location, c.recordedAt]),
    [[6, 3, 'HOU', AT]],
  );
});

test('a channel is defined with defaults, recomputes its figures, and names each location not defined', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'DAL', { name: 'Dallas', authority: 'wms' });
  await h.ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 10 })]);
  const made = defineChannel(h.deps, 'web', { locations: ['DAL'] });
  assert.deepEqual(made, {
    channel: { id: 'web', locations: ['DAL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' },
    created: true,
  });
  assert.equal(h.state.book.publishedFigure('web', 'A'), 10);
  const changed = defineChannel(h.deps, 'web', { locations: ['DAL'], safetyStock: 4, allocation: { percent: 50 } });
  assert.equal(changed.created, false);
  assert.equal(h.state.book.publishedFigure('web', 'A'), 3);
  assert.deepEqual(
    h.scratch.store.readChanges('web', 0, 10).map((c) => [c.cursor, c.previous, c.available, c.position]),
    [
      [1, 0, 10, 1],
      [2, 10, 3, 1],
    ],
  );
  assert.deepEqual(h.scratch.store.loadChannels(), [changed.channel]);
  assert.throws(
    () => defineChannel(h.deps, 'east', { locations: ['DAL', 'NYC', 'BOS'] }),
    (err: unknown) => {
      assert.ok(err instanceof InvalidInputError);
      assert.equal(err.message, 'The channel names locations the hub does not know.');
      assert.deepEqual(err.issues, [
        { path: '/locations/1', message: "location 'NYC' is not defined; PUT /v1/locations/NYC first" },
        { path: '/locations/2', message: "location 'BOS' is not defined; PUT /v1/locations/BOS first" },
      ]);
      return true;
    },
  );
  assert.equal(h.state.book.channels.has('east'), false);
  checkChannelLocations(h.state.book, { locations: ['DAL'] });
});

test('a channel input keeps the rules it gives', () => {
  assert.deepEqual(
    channelFromInput('b2b', {
      locations: ['DAL', 'HOU'],
      safetyStock: 2,
      allocation: { max: 40 },
      includeInbound: { withinDays: 3 },
      onErpUnavailable: 'fail',
      onCreditHold: 'reject',
    }),
    {
      id: 'b2b',
      locations: ['DAL', 'HOU'],
      safetyStock: 2,
      allocation: { max: 40 },
      includeInbound: { withinDays: 3 },
      onErpUnavailable: 'fail',
      onCreditHold: 'reject',
    },
  );
});

test('an item is saved with its unit, created once defined (an item only named by events is created by its definition)', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'DAL', { name: 'Dallas', authority: 'wms' });
  await h.ingest.submit([movement('wms', 1, 'N', 'DAL', { onHand: 1 })]);
  assert.deepEqual(defineItem(h.deps, 'N', { description: 'Nail' } as never), { created: true });
  assert.deepEqual(h.state.items.get('N'), { sku: 'N', description: 'Nail', uom: 'EA' });
  assert.deepEqual(defineItem(h.deps, 'N', { description: 'Nail', uom: 'BX' }), { created: false });
  assert.deepEqual(h.scratch.store.loadItems(), [{ sku: 'N', description: 'Nail', uom: 'BX' }]);
});

test('a change the store fails to commit is refused naming it, and memory is rebuilt without it', async (t) => {
  const h = hub(t);
  defineLocation(h.deps, 'DAL', { name: 'Dallas', authority: 'wms' });
  await h.ingest.submit([movement('wms', 1, 'A', 'HOU', { onHand: 5 })]);
  h.scratch.store.transactionsFail = new Error('disk full');
  const refused = (what: string) => (err: unknown) => {
    assert.ok(err instanceof StorageFailedError);
    assert.equal(err.operation, what);
    assert.equal((err.cause as Error).message, 'disk full');
    return true;
  };
  assert.throws(() => defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'wms' }), refused('the location'));
  assert.equal(h.state.book.locations.has('HOU'), false);
  assert.equal(h.state.ledger.position('wms', 'A', 'HOU'), undefined);
  assert.equal(h.scratch.store.parkedEvents('HOU').length, 1);
  assert.throws(() => defineChannel(h.deps, 'web', { locations: ['DAL'] }), refused('the channel'));
  assert.equal(h.state.book.channels.has('web'), false);
  assert.throws(() => defineItem(h.deps, 'A', { description: 'x', uom: 'EA' }), refused('the item'));
  assert.equal(h.state.items.get('A'), null);
  h.scratch.store.transactionsFail = undefined;
  assert.equal(defineLocation(h.deps, 'HOU', { name: 'Houston', authority: 'wms' }).released, 1);
});

test('the embedded catalogue answers through the Catalog interface', async (t) => {
  const h = hub(t);
  const catalog = embeddedCatalog(h.deps);
  assert.deepEqual(await catalog.defineLocation('DAL', { name: 'Dallas', authority: 'wms' }), {
    id: 'DAL',
    name: 'Dallas',
    authority: 'wms',
    released: 0,
    created: true,
  });
  assert.equal((await catalog.defineChannel('web', { locations: ['DAL'] })).created, true);
  assert.deepEqual(await catalog.defineItem('A', { description: 'x', uom: 'EA' }), { created: true });
  assert.ok(h.state.book.channels.has('web'));
});
