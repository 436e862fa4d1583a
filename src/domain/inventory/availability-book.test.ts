/**
 * The availability book: what each channel may sell, from the authority's figures only, less
 * reservations and safety stock, with inbound inside a channel's horizon; and the figures it last
 * published, which move only when the computed figure does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InventoryEvent } from '../../model/inventory-event.js';
import { AvailabilityBook, type FigureChange, horizon } from './availability-book.js';
import { InventoryLedger } from './inventory-ledger.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
let seq = 0;
const snap = (source: string, location: string, sku: string, balance: Extract<InventoryEvent, { type: 'inventory.snapshot' }>['balance']): InventoryEvent => {
  seq++;
  return { id: `s${seq}`, type: 'inventory.snapshot', source, seq, occurredAt: '2026-01-01T00:00:00Z', sku, location, balance };
};

function book() {
  const ledger = new InventoryLedger();
  const b = new AvailabilityBook(ledger);
  b.defineLocation({ id: 'DAL', name: 'Dallas', authority: 'wms-dal' });
  b.defineLocation({ id: 'ATL', name: 'Atlanta', authority: 'wms-atl' });
  const apply = (e: InventoryEvent) => ledger.apply(e, seq);
  return { ledger, b, apply };
}

test("only the location's authority counts; holds, damage, reservations and safety stock come off", () => {
  const { ledger, b, apply } = book();
  apply(snap('wms-dal', 'DAL', 'A', { onHand: 20, qualityHold: 2, damaged: 3 }));
  apply(snap('erp', 'DAL', 'A', { onHand: 99 }));
  ledger.reserve('A', 'DAL', 4);
  const web = { id: 'web', locations: ['DAL'], safetyStock: 1 };
  assert.deepEqual(b.stockAt('A', 'DAL', undefined), { location: 'DAL', onHand: 20, qualityHold: 2, damaged: 3, reserved: 4, inboundDue: 0 });
  assert.equal(b.compute(web, 'A', NOW), 10);
  // A location the hub does not know counts nothing, even with stock reported there.
  apply(snap('wms-hou', 'HOU', 'A', { onHand: 50 }));
  assert.equal(b.compute({ ...web, locations: ['DAL', 'HOU'] }, 'A', NOW), 10);
  assert.deepEqual(b.stockAt('A', 'HOU', undefined), { location: 'HOU', onHand: 0, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 0 });
  assert.equal(b.compute(web, 'NOPE', NOW), 0);
});

test('inbound counts only for channels that ask, and only within their horizon', () => {
  const { b, apply } = book();
  apply(
    snap('wms-dal', 'DAL', 'A', {
      onHand: 0,
      inbound: [
        { qty: 5, eta: '2026-01-03T00:00:00Z' },
        { qty: 7, eta: '2026-01-20T00:00:00Z' },
      ],
    }),
  );
  const soon = { id: 'b2b', locations: ['DAL'], safetyStock: 0, includeInbound: { withinDays: 7 } };
  assert.equal(horizon(soon, NOW), '2026-01-08T00:00:00.000Z');
  assert.equal(horizon({ id: 'web', locations: [], safetyStock: 0 }, NOW), undefined);
  assert.equal(b.compute(soon, 'A', NOW), 5);
  assert.equal(b.compute({ ...soon, includeInbound: { withinDays: 30 } }, 'A', NOW), 12);
  assert.equal(b.compute({ id: 'web', locations: ['DAL'], safetyStock: 0 }, 'A', NOW), 0);
  // The horizon moves with the clock.
  assert.equal(b.compute(soon, 'A', Date.parse('2026-01-14T00:00:00Z')), 12);
  assert.equal(b.explain(soon, 'A', NOW).available, 5);
});

test('published figures move only when the figure does; what moved is dirty until the checkpoint', () => {
  const { b, apply } = book();
  const web = { id: 'web', locations: ['DAL', 'ATL'], safetyStock: 0 };
  const dal = { id: 'dal-only', locations: ['DAL'], safetyStock: 0 };
  b.defineChannel(web);
  b.defineChannel(dal);
  assert.deepEqual(
    b.channelsAt('DAL').map((c) => c.id),
    ['web', 'dal-only'],
  );
  assert.deepEqual(
    b.channelsAt('ATL').map((c) => c.id),
    ['web'],
  );
  assert.deepEqual(b.channelsAt('HOU'), []);
  apply(snap('wms-dal', 'DAL', 'A', { onHand: 3 }));
  const out: FigureChange[] = [];
  b.refreshAt('A', 'DAL', NOW, out);
  assert.deepEqual(out, [
    { channel: 'web', sku: 'A', previous: 0, available: 3 },
    { channel: 'dal-only', sku: 'A', previous: 0, available: 3 },
  ]);
  assert.equal(b.publishedFigure('web', 'A'), 3);
  const again: FigureChange[] = [];
  b.refreshAt('A', 'DAL', NOW, again);
  assert.deepEqual(again, [], 'nothing moved, nothing published');
  apply(snap('wms-atl', 'ATL', 'A', { onHand: 2 }));
  const both: FigureChange[] = [];
  b.refreshItem('A', ['DAL', 'ATL'], NOW, both);
  assert.deepEqual(both, [{ channel: 'web', sku: 'A', previous: 3, available: 5 }], 'each channel once');
  assert.deepEqual([...b.dirtyFigures.keys()].sort(), ['dal-only', 'web']);
  apply(snap('wms-dal', 'DAL', 'A', { onHand: 0 }));
  apply(snap('wms-atl', 'ATL', 'A', { onHand: 0 }));
  const gone: FigureChange[] = [];
  b.refreshItem('A', ['ATL'], NOW, gone);
  b.refreshItem('A', ['DAL'], NOW, gone);
  assert.deepEqual(gone, [
    { channel: 'web', sku: 'A', previous: 5, available: 0 },
    { channel: 'dal-only', sku: 'A', previous: 3, available: 0 },
  ]);
  assert.deepEqual([...b.publishedEntries('web')], []);
  assert.deepEqual([...b.publishedEntries('nobody')], []);
});

test('restored figures are published; those from after the checkpoint are dirty; a channel sells what it holds or published', () => {
  const { b, apply } = book();
  const web = { id: 'web', locations: ['DAL'], safetyStock: 0 };
  b.defineChannel(web);
  b.restoreFigure('web', 'A', 4);
  b.restoreFigure('web', 'Z', 0);
  assert.equal(b.publishedFigure('web', 'A'), 4);
  assert.equal(b.dirtyFigures.size, 0);
  b.restoreFigure('web', 'B', 2, true);
  assert.deepEqual(b.dirtyFigures.get('web'), ['B']);
  b.restoreFigure('amazon', 'A', 1);
  assert.equal(b.publishedFigure('amazon', 'A'), 1);
  apply(snap('wms-dal', 'DAL', 'C', { onHand: 1 }));
  apply(snap('wms-atl', 'ATL', 'D', { onHand: 1 }));
  assert.deepEqual([...b.skusOf(web)].sort(), ['A', 'B', 'C']);
  b.restoreFigure('web', 'A', 0);
  assert.deepEqual([...b.publishedEntries('web')], [['B', 2]]);
});

test('the edges: unknown items and channels, shadow sources reported first, channels at one location only, redefinitions', () => {
  const { b, apply } = book();
  // A shadow source reporting before the authority still does not count.
  apply(snap('erp', 'DAL', 'B', { onHand: 99 }));
  apply(snap('wms-dal', 'DAL', 'B', { onHand: 4, inbound: [{ qty: 6, eta: '2026-01-02T00:00:00Z' }] }));
  assert.deepEqual(b.stockAt('B', 'DAL', undefined), { location: 'DAL', onHand: 4, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 0 });
  assert.equal(b.stockAt('B', 'DAL', '2026-01-05T00:00:00.000Z').inboundDue, 6);
  assert.deepEqual(b.stockAt('NOPE', 'DAL', undefined), { location: 'DAL', onHand: 0, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 0 });
  assert.equal(b.publishedFigure('nobody', 'B'), 0);
  assert.deepEqual([...b.skusOf({ id: 'never-defined', locations: ['DAL'], safetyStock: 0 })], ['B']);
  // A channel fed only by ATL is refreshed when an item changes at DAL and ATL.
  const atl = { id: 'atl-only', locations: ['ATL'], safetyStock: 0 };
  b.defineChannel({ id: 'dal-only', locations: ['DAL'], safetyStock: 0 });
  b.defineChannel(atl);
  apply(snap('wms-atl', 'ATL', 'B', { onHand: 2 }));
  const out: FigureChange[] = [];
  b.refreshItem('B', ['DAL', 'ATL'], NOW, out);
  assert.deepEqual(out, [
    { channel: 'dal-only', sku: 'B', previous: 0, available: 4 },
    { channel: 'atl-only', sku: 'B', previous: 0, available: 2 },
  ]);
  // Redefining a channel keeps what it published; every figure that moved stays dirty.
  b.defineChannel({ ...atl, safetyStock: 1 });
  assert.equal(b.publishedFigure('atl-only', 'B'), 2);
  b.restoreFigure('atl-only', 'C', 1, true);
  assert.deepEqual(b.dirtyFigures.get('atl-only'), ['B', 'C']);
});

test("supply a supplier announces counts as the location's inbound within the horizon; other sources' inbound does not", () => {
  const { b, apply } = book();
  const mv = (source: string, location: string, qty: number, announced: boolean): InventoryEvent => {
    seq++;
    return {
      id: `m${seq}`,
      type: 'inventory.movement',
      source,
      seq,
      occurredAt: '2026-01-01T00:00:00Z',
      sku: 'A',
      location,
      reason: 'adjustment',
      delta: { inbound: qty },
      eta: '2026-01-03T00:00:00Z',
      announced,
    } as InventoryEvent;
  };
  apply(snap('wms-dal', 'DAL', 'A', { onHand: 10 }));
  apply(mv('sup', 'DAL', 4, true));
  apply(mv('erp', 'DAL', 6, false));
  // At ATL only the supplier has reported: there is no authority position there.
  apply(mv('sup', 'ATL', 3, true));
  const limit = '2026-01-08T00:00:00.000Z';
  assert.deepEqual(b.stockAt('A', 'DAL', limit), { location: 'DAL', onHand: 10, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 4 });
  assert.deepEqual(b.stockAt('A', 'DAL', undefined), { location: 'DAL', onHand: 10, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 0 });
  assert.deepEqual(b.stockAt('A', 'ATL', limit), { location: 'ATL', onHand: 0, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 3 });
  const soon = { id: 'b2b', locations: ['DAL', 'ATL'], safetyStock: 0, includeInbound: { withinDays: 7 } };
  assert.equal(b.compute(soon, 'A', NOW), 17);
});
