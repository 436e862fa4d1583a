/**
 * The check behind `replay --verify`: a replayed ledger against the one served, each difference
 * named. Both sides are built from events here; the damage is done to the served side by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InventoryEvent } from '../../model/inventory-event.js';
import { AvailabilityBook } from './availability-book.js';
import { compareLedgers, type LedgerAndFigures } from './compare-ledgers.js';
import { InventoryLedger } from './inventory-ledger.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const web = { id: 'web', locations: ['DAL'], safetyStock: 1 };
const snap = (seq: number, sku: string, onHand: number, damaged = 0): InventoryEvent => ({
  id: `s${seq}`,
  type: 'inventory.snapshot',
  source: 'wms',
  seq,
  occurredAt: '2026-01-01T00:00:00Z',
  sku,
  location: 'DAL',
  balance: { onHand, damaged },
});

/** A ledger and book from `events`, with the figures published as ingest would. */
function side(events: InventoryEvent[], channels = [web]): LedgerAndFigures {
  const ledger = new InventoryLedger();
  const book = new AvailabilityBook(ledger);
  book.defineLocation({ id: 'DAL', name: 'Dallas', authority: 'wms' });
  for (const c of channels) book.defineChannel(c);
  for (const [i, e] of events.entries()) {
    ledger.apply(e, i + 1);
    book.refreshAt(e.sku, e.location, NOW, []);
  }
  return { ledger, book };
}

const history = [snap(1, 'A', 5), snap(2, 'B', 3)];

test('a served ledger equal to its replay has no mismatch, and the check counts what it compared', () => {
  assert.deepEqual(compareLedgers(side(history), side(history), NOW), { positions: 2, figures: 2, mismatches: [] });
});

test('a bucket that differs is named with both values', () => {
  const live = side([snap(1, 'A', 5, 2), snap(2, 'B', 3)]);
  const r = compareLedgers(side(history), live, NOW);
  assert.deepEqual(r.mismatches, ['A at DAL from wms: damaged is 2, replay gives 0', 'A on web: the feed last published 2, replay gives 4']);
});

test('a position the log does not make is named, unless it holds nothing', () => {
  const live = side([...history, snap(3, 'C', 2)]);
  assert.deepEqual(compareLedgers(side(history), live, NOW).mismatches, [
    'C at DAL from wms: held by the hub but no event in the log makes it',
    'C on web: the feed last published 1, replay gives 0',
  ]);
  const empty = side([...history, snap(3, 'C', 0)]);
  assert.deepEqual(compareLedgers(side(history), empty, NOW).mismatches, []);
});

test('units held for orders are compared both ways', () => {
  const replayed = side(history);
  const live = side(history);
  replayed.ledger.reserve('A', 'DAL', 2);
  live.ledger.reserve('B', 'DAL', 1);
  assert.deepEqual(compareLedgers(replayed, live, NOW).mismatches.slice(0, 2), [
    'A at DAL: 0 units held for orders, replay gives 2',
    'B at DAL: 1 units held for orders, replay gives 0',
  ]);
  const same = side(history);
  same.ledger.reserve('A', 'DAL', 2);
  const r = compareLedgers(replayed, same, NOW);
  assert.equal(
    r.mismatches.some((m) => m.includes('held for orders')),
    false,
  );
});

test('a published figure off from the replay is named; channels counting inbound are left to their sweep', () => {
  const live = side(history);
  live.book.restoreFigure('web', 'A', 9);
  assert.deepEqual(compareLedgers(side(history), live, NOW).mismatches, ['A on web: the feed last published 9, replay gives 4']);
  const inbound = { id: 'b2b', locations: ['DAL'], safetyStock: 0, includeInbound: { withinDays: 7 } };
  const withInbound = side(history, [web, inbound]);
  withInbound.book.restoreFigure('b2b', 'A', 99);
  // The replayed side never heard of the channels the live hub has: they are defined for the check.
  assert.deepEqual(compareLedgers(side(history, []), withInbound, NOW), { positions: 2, figures: 2, mismatches: [] });
});

const announce = (seq: number, inbound: number, announced = true): InventoryEvent =>
  ({
    id: `sup-m${seq}`,
    type: 'inventory.movement',
    source: 'sup',
    seq,
    occurredAt: '2026-01-01T00:00:00Z',
    sku: 'A',
    location: 'DAL',
    reason: 'receipt',
    delta: { inbound },
    eta: '2026-01-05T00:00:00Z',
    ...(announced ? { announced: true } : {}),
  }) as InventoryEvent;

test('announced supply still open is compared, and agrees when both sides hold the same', () => {
  const events = [...history, announce(1, 2)];
  assert.deepEqual(compareLedgers(side(events), side(events), NOW).mismatches, []);
});

test('announced supply the hub does not hold at all is named with what the replay has open', () => {
  // The hub has no position from `sup`: its inbound reads 0 and its open supply [].
  assert.deepEqual(compareLedgers(side([...history, announce(1, 2)]), side(history), NOW).mismatches, [
    'A at DAL from sup: inbound is 0, replay gives 2',
    'A at DAL from sup: announced supply open [], replay gives [["2026-01-05T00:00:00.000Z",2]]',
  ]);
});

test('inbound nobody announced is compared by its bucket only, not as open supply', () => {
  assert.deepEqual(compareLedgers(side([...history, announce(1, 2, false)]), side(history), NOW).mismatches, [
    'A at DAL from sup: inbound is 0, replay gives 2',
  ]);
});
