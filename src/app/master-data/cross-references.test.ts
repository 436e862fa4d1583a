/**
 * Cross-references and units over the real embedded stores (SQLite in memory): what defining
 * saves and rejects (by index and field), the parked documents a new mapping takes again (and
 * only those, once each), unit tables both ways, and the lookups connectors use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Db } from '../../adapters/sqlite/open-database.js';
import { SqliteCrossReferenceStore } from '../../adapters/sqlite/sqlite-cross-reference-store.js';
import { SqliteInboundStore } from '../../adapters/sqlite/sqlite-inbound-store.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import { CrossReferences, type CrossReferenceDeps } from './cross-references.js';
import { listItems } from './list-items.js';

function memoryDb(): Db {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return db;
}

interface Rig {
  xrefs: CrossReferences;
  store: SqliteCrossReferenceStore;
  inbound: SqliteInboundStore;
  replayed: number[];
}

/** `replay` takes a parked document again as the hub would: once; a second replay of it fails. */
function rig(over: Partial<CrossReferenceDeps> = {}, replayOutcome: (id: number) => boolean | Promise<boolean> = () => true): Rig {
  const db = memoryDb();
  const store = new SqliteCrossReferenceStore(db);
  const inbound = new SqliteInboundStore(db);
  const replayed: number[] = [];
  const xrefs = new CrossReferences({
    store,
    baseUnit: (sku) => (sku === 'BOX-ITEM' ? 'BX' : 'EA'),
    inbound,
    replay: async (id) => {
      replayed.push(id);
      if (inbound.get(id)?.status !== 'parked') throw new Error(`document ${id} was replayed already`);
      const released = await replayOutcome(id);
      if (released) inbound.update(id, { status: 'replayed' });
      return released;
    },
    ...over,
  });
  return { xrefs, store, inbound, replayed };
}

const key = (external: string, kind: XrefKey['kind'] = 'customer', system = 'acme', scheme = 'BP'): XrefKey => ({ kind, system, scheme, external });
const parkWaiting = (inbound: SqliteInboundStore, refs: XrefKey[]) =>
  inbound.park({
    system: 'acme',
    topic: '850',
    body: 'doc',
    reason: 'the order waits for cross-references',
    errors: [],
    receivedAt: 't',
    unknownReferences: refs,
  });

test('defining saves the valid references and rejects the others by index and field; the scheme defaults to id', async () => {
  const r = rig();
  const result = await r.xrefs.define([
    { kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1', shipTo: 'DC-1' },
    { kind: 'thing', system: 'acme', external: 'x', id: 'y' },
    { kind: 'location', system: 'acme', external: 'W1', id: 'L1' },
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'E', id: 'A', colour: 'red', size: 2 },
    null,
    'text',
  ]);
  assert.equal(result.upserted, 2);
  assert.equal(result.replayed, 0);
  assert.deepEqual(result.rejected, [
    { index: 1, errors: [{ path: '/1/kind', message: 'must be one of item, customer, location' }] },
    {
      index: 3,
      errors: [
        { path: '/3/colour', message: 'is not a field of a cross-reference' },
        { path: '/3/size', message: 'is not a field of a cross-reference' },
      ],
    },
    {
      index: 4,
      errors: [
        { path: '/4/kind', message: 'must be one of item, customer, location' },
        { path: '/4/system', message: 'must be a non-empty string' },
        { path: '/4/external', message: 'must be a non-empty string' },
        { path: '/4/id', message: 'must be a non-empty string' },
      ],
    },
    {
      index: 5,
      errors: [
        { path: '/5/kind', message: 'must be one of item, customer, location' },
        { path: '/5/system', message: 'must be a non-empty string' },
        { path: '/5/external', message: 'must be a non-empty string' },
        { path: '/5/id', message: 'must be a non-empty string' },
      ],
    },
  ]);
  assert.deepEqual(await r.xrefs.find({ limit: 10 }), [
    { kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1', shipTo: 'DC-1' },
    { kind: 'location', system: 'acme', scheme: 'id', external: 'W1', id: 'L1' },
  ]);
  assert.deepEqual(await r.xrefs.resolve([key('W1', 'location', 'acme', 'id'), key('nope')]), [
    { kind: 'location', system: 'acme', scheme: 'id', external: 'W1', id: 'L1' },
    undefined,
  ]);
  assert.equal(await r.xrefs.remove(key('0042')), true);
  assert.equal(await r.xrefs.remove(key('0042')), false);
  assert.deepEqual(await r.xrefs.find({ kind: 'customer', limit: 10 }), []);
});

test('a new mapping takes again, oldest first, every parked document waiting for it, and only those', async () => {
  const r = rig();
  const a = parkWaiting(r.inbound, [key('0042')]);
  const b = parkWaiting(r.inbound, [key('0099')]);
  const c = parkWaiting(r.inbound, [key('0001'), key('0042')]);
  const d = parkWaiting(r.inbound, [key('0042', 'customer', 'other')]);
  const e = r.inbound.park({ system: 'acme', topic: '850', body: 'x', reason: 'no stock', errors: [], receivedAt: 't' });
  const gone = parkWaiting(r.inbound, [key('0042')]);
  r.inbound.update(gone, { status: 'discarded' });
  const result = await r.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }]);
  assert.deepEqual(result, { upserted: 1, replayed: 2, rejected: [] });
  assert.deepEqual(r.replayed, [a, c]);
  assert.deepEqual(
    [b, d, e].map((id) => r.inbound.get(id)!.status),
    ['parked', 'parked', 'parked'],
  );
});

test('a document that cannot be taken now stays parked and is not counted; the others still go', async () => {
  const r = rig({}, (id) => {
    if (id === 1) throw new Error('its system is gone');
    return id !== 2;
  });
  for (let i = 0; i < 3; i++) parkWaiting(r.inbound, [key('0042')]);
  const result = await r.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }]);
  assert.equal(result.replayed, 1);
  assert.deepEqual(r.replayed, [1, 2, 3]);
  assert.deepEqual(
    [1, 2, 3].map((id) => r.inbound.get(id)!.status),
    ['parked', 'parked', 'replayed'],
  );
});

test('nothing is replayed when every reference was rejected, or on a hub that parks nothing', async () => {
  const r = rig();
  parkWaiting(r.inbound, [key('0042')]);
  assert.deepEqual(await r.xrefs.define([{ kind: 'customer', system: 'acme', external: '0042' }]), {
    upserted: 0,
    replayed: 0,
    rejected: [{ index: 0, errors: [{ path: '/0/id', message: 'must be a non-empty string' }] }],
  });
  assert.deepEqual(r.replayed, []);
  const noInbound = rig({ inbound: undefined });
  parkWaiting(noInbound.inbound, [key('0042')]);
  assert.equal((await noInbound.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }])).replayed, 0);
  assert.deepEqual(noInbound.replayed, []);
  const noReplay = rig({ replay: undefined });
  parkWaiting(noReplay.inbound, [key('0042')]);
  assert.equal((await noReplay.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }])).replayed, 0);
  assert.equal(noReplay.inbound.get(1)!.status, 'parked');
});

test('documents waiting are found across pages of the parked list', async () => {
  const r = rig();
  for (let i = 0; i < 501; i++) r.inbound.park({ system: 'acme', topic: '850', body: 'x', reason: 'no stock', errors: [], receivedAt: 't' });
  const last = parkWaiting(r.inbound, [key('0042')]);
  const result = await r.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }]);
  assert.equal(result.replayed, 1);
  assert.deepEqual(r.replayed, [last]);
});

test('two mappings added at once release a document waiting for both once', async () => {
  const r = rig({}, async () => {
    await new Promise((res) => setTimeout(res, 5));
    return true;
  });
  parkWaiting(r.inbound, [key('0042'), key('0043')]);
  const [one, two] = await Promise.all([
    r.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }]),
    r.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0043', id: 'C1' }]),
  ]);
  assert.equal(one.replayed + two.replayed, 1);
  assert.deepEqual(r.replayed, [1], 'the second pass found it replayed already');
});

test('a failed replay pass does not stop the next one', async () => {
  let failList = true;
  const r = rig();
  const inbound = r.inbound;
  const flaky = rig({
    inbound: {
      park: (p) => inbound.park(p),
      get: (id) => inbound.get(id),
      update: (id, c) => inbound.update(id, c),
      parked: (f) => {
        if (failList) throw new Error('inbound store unreadable');
        return inbound.parked(f);
      },
    },
    replay: async (id) => {
      inbound.update(id, { status: 'replayed' });
      return true;
    },
  });
  parkWaiting(inbound, [key('0042')]);
  await assert.rejects(flaky.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }]), /unreadable/);
  failList = false;
  assert.equal((await flaky.xrefs.define([{ kind: 'customer', system: 'acme', scheme: 'BP', external: '0042', id: 'C1' }])).replayed, 1);
});

test("units are checked against the item's base unit, each bad unit named with its table", () => {
  const r = rig();
  assert.throws(
    () => r.xrefs.checkUnits('EA', { CA: 12, EA: 2, pk: 3 }, { acme: { CA: 0 }, beta: { PL: 100 } }),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === 'A unit conversion is not valid.' &&
      JSON.stringify(e.issues.map((i) => i.path)) === JSON.stringify(['/units/EA', '/units/pk', '/partnerUnits/acme/CA']),
  );
  r.xrefs.checkUnits('EA', undefined);
  r.xrefs.checkUnits('EA', { CA: 12 }, { acme: { CA: 6 } });
});

test("an item's units are saved as its own and per partner, and read back as the item routes show them", async () => {
  const r = rig();
  await r.xrefs.defineUnits('A', { CA: 12, PL: 480 }, { acme: { CA: 6 } });
  await r.xrefs.defineUnits('B', undefined, { beta: { PK: 4 } });
  await r.xrefs.defineUnits('C', { CA: 24 });
  assert.deepEqual(await r.xrefs.unitsOf('A'), { units: { CA: 12, PL: 480 }, partnerUnits: { acme: { CA: 6 } } });
  assert.deepEqual(await r.xrefs.unitsOf('B'), { partnerUnits: { beta: { PK: 4 } } });
  assert.deepEqual(await r.xrefs.unitsOf('C'), { units: { CA: 24 } });
  assert.deepEqual(await r.xrefs.unitsOf('NONE'), {});
  assert.deepEqual([...(await r.xrefs.unitsOfMany(['A', 'C', 'A']))].map(([sku]) => sku).sort(), ['A', 'C']);
  assert.deepEqual(await r.xrefs.unitsOfMany([]), new Map());
  // The base unit is the item's own: BX holds 1 for this one.
  await assert.rejects(r.xrefs.defineUnits('BOX-ITEM', { BX: 2 }), (e: unknown) => e instanceof InvalidInputError && e.issues[0]!.path === '/units/BX');
  await r.xrefs.defineUnits('BOX-ITEM', { EA: 2 });
  await assert.rejects(r.xrefs.defineUnits('A', { EA: 2 }), InvalidInputError);
  assert.deepEqual(await r.xrefs.unitsOf('A'), { units: { CA: 12, PL: 480 }, partnerUnits: { acme: { CA: 6 } } }, 'a refused table saves nothing');
});

test("a system's ids of the hub's items, the first scheme per item; packing gives base, own and the partner's units", async () => {
  const r = rig();
  await r.xrefs.define([
    { kind: 'item', system: 'acme', scheme: 'VP', external: 'V-A', id: 'A' },
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'B-A', id: 'A' },
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'B-A2', id: 'A' },
    { kind: 'item', system: 'beta', scheme: 'BP', external: 'X-A', id: 'A' },
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'B-B', id: 'B' },
  ]);
  const ids = await r.xrefs.externalIds('item', 'acme', ['A', 'B', 'C', 'A']);
  assert.deepEqual(Object.fromEntries(ids), { A: { BP: 'B-A', VP: 'V-A' }, B: { BP: 'B-B' } });
  await r.xrefs.defineUnits('A', { CA: 12 }, { acme: { CA: 6 } });
  await r.xrefs.defineUnits('BOX-ITEM', { CA: 3 });
  const packing = await r.xrefs.packing('acme', ['A', 'BOX-ITEM', 'A']);
  assert.deepEqual(Object.fromEntries(packing), {
    A: { base: 'EA', item: { CA: 12 }, partner: { CA: 6 } },
    'BOX-ITEM': { base: 'BX', item: { CA: 3 }, partner: {} },
  });
});

test('the item list pages in SKU order by prefix, with units, defined or only named by events', async () => {
  const r = rig();
  await r.xrefs.defineUnits('AB-2', { CA: 6 });
  const items = new Map([
    ['AB-3', { sku: 'AB-3', description: 'three', uom: 'EA' }],
    ['AB-1', null],
    ['ZZ', { sku: 'ZZ', description: 'z', uom: 'CA' }],
    ['AB-2', { sku: 'AB-2', description: 'two', uom: 'EA' }],
    ['Ab-9', null],
  ]);
  const first = await listItems({ items, xrefs: r.xrefs }, { prefix: 'AB', limit: 2 });
  assert.deepEqual(first, {
    items: [
      { sku: 'AB-1', defined: false },
      { sku: 'AB-2', description: 'two', uom: 'EA', defined: true, units: { CA: 6 } },
    ],
    next: 'AB-2',
  });
  assert.deepEqual(await listItems({ items, xrefs: r.xrefs }, { prefix: 'AB', after: 'AB-2', limit: 2 }), {
    items: [{ sku: 'AB-3', description: 'three', uom: 'EA', defined: true }],
    next: null,
  });
  assert.deepEqual(
    (await listItems({ items, xrefs: r.xrefs }, { limit: 10 })).items.map((i) => i.sku),
    ['AB-1', 'AB-2', 'AB-3', 'Ab-9', 'ZZ'],
  );
  assert.deepEqual(await listItems({ items, xrefs: r.xrefs }, { limit: 5 }).then((p) => p.next), null);
  assert.deepEqual(await listItems({ items, xrefs: r.xrefs }, { limit: 4 }).then((p) => p.next), 'Ab-9');
  await r.xrefs.defineUnits('AB-1', undefined, { acme: { CA: 2 } });
  assert.deepEqual((await listItems({ items, xrefs: r.xrefs }, { after: 'AB', limit: 1 })).items, [
    { sku: 'AB-1', defined: false, partnerUnits: { acme: { CA: 2 } } },
  ]);
});

test('the item list is in code-unit order whatever order the items were learnt in', async () => {
  const r = rig();
  const skus = Array.from({ length: 30 }, (_, i) => `S${String(i).padStart(2, '0')}`);
  const items = new Map(skus.reverse().map((sku) => [sku, null]));
  const page = await listItems({ items, xrefs: r.xrefs }, { limit: 30 });
  assert.deepEqual(
    page.items.map((i) => i.sku),
    [...skus].sort(),
  );
});
