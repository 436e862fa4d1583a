import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InventoryEvent } from '../../model/inventory-event.js';
import { AvailabilityBook } from './availability-book.js';
import { InventoryLedger } from './inventory-ledger.js';
import { oversoldUnits } from './oversold-units.js';

const count = (sku: string, location: string, onHand: number, qualityHold = 0): InventoryEvent =>
  ({
    id: `c-${sku}-${location}`,
    type: 'inventory.snapshot',
    source: `wms-${location}`,
    seq: 1,
    occurredAt: '2026-12-06T10:00:00Z',
    sku,
    location,
    balance: { onHand, qualityHold, damaged: 0 },
  }) as InventoryEvent;

test('units reserved beyond what a location has to sell are oversold there; within it, none', () => {
  const ledger = new InventoryLedger();
  const book = new AvailabilityBook(ledger);
  for (const id of ['DAL', 'ATL']) book.defineLocation({ id, name: id, authority: `wms-${id}` });
  book.defineChannel({ id: 'web', locations: ['DAL', 'ATL'], safetyStock: 2 });
  book.defineChannel({ id: 'b2b', locations: ['DAL'], safetyStock: 0 });
  ledger.apply(count('A', 'DAL', 10, 2), 1);
  ledger.apply(count('A', 'ATL', 4), 2);
  ledger.reserve('A', 'DAL', 8);
  ledger.reserve('A', 'ATL', 4);
  assert.deepEqual(Object.fromEntries(oversoldUnits(book)), { DAL: 0, ATL: 0 }, 'safety stock may be promised away; stock itself may not');
  ledger.apply({ ...count('A', 'DAL', 5, 2), id: 'recount', seq: 2 } as InventoryEvent, 3);
  assert.deepEqual(
    Object.fromEntries(oversoldUnits(book)),
    { DAL: 5, ATL: 0 },
    'a count that found less than was promised, counted once though two channels sell there',
  );
});

test('oversold units add up across items at a location, net of damage, never negative, only for locations the book knows', () => {
  const ledger = new InventoryLedger();
  const book = new AvailabilityBook(ledger);
  for (const id of ['DAL', 'ATL']) book.defineLocation({ id, name: id, authority: `wms-${id}` });
  book.defineChannel({ id: 'web', locations: ['DAL', 'ATL', 'HOU'], safetyStock: 0 });
  const damagedCount = (sku: string, location: string, onHand: number, damaged: number): InventoryEvent =>
    ({ ...count(sku, location, onHand), balance: { onHand, qualityHold: 0, damaged } }) as InventoryEvent;
  ledger.apply(damagedCount('A', 'DAL', 10, 3), 1);
  ledger.apply(count('B', 'DAL', 4), 2);
  ledger.apply(count('A', 'ATL', 6), 3);
  ledger.reserve('A', 'DAL', 9);
  ledger.reserve('B', 'DAL', 5);
  ledger.reserve('A', 'ATL', 8);
  // DAL: A 9 - (10 - 3) = 2, B 5 - 4 = 1; ATL: A 8 - 6 = 2; HOU is unknown to the book and stays out.
  assert.deepEqual(Object.fromEntries(oversoldUnits(book)), { DAL: 3, ATL: 2 });
  ledger.reserve('A', 'ATL', -8);
  assert.deepEqual(Object.fromEntries(oversoldUnits(book)), { DAL: 3, ATL: 0 }, 'stock left over is not negative oversell');
});
