import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AvailabilityBook } from '../inventory/availability-book.js';
import { InventoryLedger } from '../inventory/inventory-ledger.js';
import { sourceForChannel } from './channel-sourcing.js';

/** A book where each location's warehouse counted `onHand` units of A. */
function bookWith(onHand: Record<string, number>): AvailabilityBook {
  const ledger = new InventoryLedger();
  const book = new AvailabilityBook(ledger);
  let seq = 0;
  for (const [loc, n] of Object.entries(onHand)) {
    book.defineLocation({ id: loc, name: loc, authority: `wms-${loc}` });
    seq++;
    ledger.apply(
      {
        id: `s${seq}`,
        type: 'inventory.snapshot',
        source: `wms-${loc}`,
        seq,
        occurredAt: '2026-01-01T00:00:00Z',
        sku: 'A',
        location: loc,
        balance: { onHand: n },
      },
      seq,
    );
  }
  return book;
}

test('a channel sources from what each location has after its safety stock', () => {
  const book = bookWith({ DAL: 4, ATL: 3 });
  const rule = { id: 'web', locations: ['DAL', 'ATL'], safetyStock: 1 };
  // DAL gives 3, ATL 2: 5 in all.
  assert.deepEqual(sourceForChannel(book, rule, [{ sku: 'A', qty: 5 }], 'reject'), {
    ok: true,
    allocations: [
      [
        ['DAL', 3],
        ['ATL', 2],
      ],
    ],
  });
  assert.deepEqual(sourceForChannel(book, rule, [{ sku: 'A', qty: 6 }], 'reject'), {
    ok: false,
    shortfalls: [{ index: 0, sku: 'A', requested: 6, available: 5 }],
  });
});

test("a channel's allocation caps what it may take", () => {
  const book = bookWith({ DAL: 10 });
  const rule = { id: 'amazon', locations: ['DAL'], safetyStock: 0, allocation: { percent: 50 } };
  assert.deepEqual(sourceForChannel(book, rule, [{ sku: 'A', qty: 6 }], 'reject'), {
    ok: false,
    shortfalls: [{ index: 0, sku: 'A', requested: 6, available: 5 }],
  });
  assert.deepEqual(sourceForChannel(book, rule, [{ sku: 'A', qty: 6 }], 'allow'), { ok: true, allocations: [[['DAL', 5]]] });
});
