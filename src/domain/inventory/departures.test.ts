/**
 * What the authority's events say beyond stock: units leaving for an order (a pick or ship
 * carrying its id), and a count of an item (which releases what shipped before it). A return's
 * units and a shadow source's events say neither.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubEvent } from '../../model/hub-event.js';
import type { LocationDef } from './availability-book.js';
import { AvailabilityBook } from './availability-book.js';
import { applyEvent, applyLocationDefinition, applyReleased, departureOf, parkReason, type EventEffects } from './event-application.js';
import { InventoryLedger } from './inventory-ledger.js';

const env = { source: 'wms', occurredAt: '2026-01-01T00:00:00Z' };
const move = (seq: number, reason: string, onHand: number, orderId?: string): HubEvent =>
  ({
    ...env,
    id: `m${seq}`,
    seq,
    type: 'inventory.movement',
    sku: 'A',
    location: 'DAL',
    reason,
    delta: { onHand },
    ...(orderId ? { orderId } : {}),
  }) as HubEvent;

test('a pick or ship taking units off hand for an order is a departure; nothing else is', () => {
  assert.deepEqual(departureOf(move(1, 'pick', -2, 'O1')), { orderId: 'O1', qty: 2 });
  assert.deepEqual(departureOf(move(2, 'ship', -1, 'O1')), { orderId: 'O1', qty: 1 });
  assert.equal(departureOf(move(3, 'adjustment', -1, 'O1')), undefined);
  assert.equal(departureOf(move(4, 'pick', -1)), undefined, 'no order named');
  assert.equal(departureOf(move(5, 'pick', 0, 'O1')), undefined, 'nothing left');
  assert.equal(departureOf(move(6, 'pick', 3, 'O1')), undefined, 'units came back');
  assert.equal(departureOf({ ...env, id: 's', seq: 7, type: 'inventory.snapshot', sku: 'A', location: 'DAL', balance: { onHand: 0 } }), undefined);
});

function recorder() {
  const seen: string[] = [];
  const effects: EventEffects = {
    itemNamed: (sku) => seen.push(`item ${sku}`),
    moved: (sku, loc) => seen.push(`moved ${sku}@${loc}`),
    parked: (loc, sku, reason) => seen.push(`parked ${sku}@${loc}: ${reason}`),
    departed: (orderId, sku, loc, qty) => seen.push(`departed ${orderId} ${qty}×${sku}@${loc}`),
    counted: (sku, loc) => seen.push(`counted ${sku}@${loc}`),
    overtaken: (e, buckets) => seen.push(`overtaken ${e.id} ${buckets.length}`),
    orderEvent: (e) => seen.push(`order ${e.type}`),
  };
  return { seen, effects };
}

const locations = new Map<string, LocationDef>([['DAL', { id: 'DAL', name: 'Dallas', authority: 'wms' }]]);

test("the authority's pick for an order is a departure, its count a count; a shadow source's are neither", () => {
  const ledger = new InventoryLedger();
  const r = recorder();
  applyEvent(move(1, 'pick', -2, 'O1'), 1, ledger, locations, r.effects);
  applyEvent({ ...env, id: 's2', seq: 2, type: 'inventory.snapshot', sku: 'A', location: 'DAL', balance: { onHand: 5 } }, 2, ledger, locations, r.effects);
  applyEvent({ ...move(3, 'pick', -1, 'O1'), source: 'erp' } as HubEvent, 3, ledger, locations, r.effects);
  applyEvent(
    { ...env, source: 'erp', id: 's4', seq: 4, type: 'inventory.snapshot', sku: 'A', location: 'DAL', balance: { onHand: 9 } },
    4,
    ledger,
    locations,
    r.effects,
  );
  assert.deepEqual(r.seen, [
    'item A',
    'moved A@DAL',
    'departed O1 2×A@DAL',
    'item A',
    'moved A@DAL',
    'counted A@DAL',
    'item A',
    'moved A@DAL',
    'item A',
    'moved A@DAL',
  ]);
});

test("a return's units go on hand at its location but say nothing for the authority; at an unknown location it is parked", () => {
  const ledger = new InventoryLedger();
  const r = recorder();
  const ret = (location: string): HubEvent => ({
    ...env,
    id: `r-${location}`,
    seq: 9,
    type: 'return.received',
    orderId: 'O1',
    location,
    lines: [{ sku: 'A', qty: 1 }],
  });
  applyEvent(ret('DAL'), 1, ledger, locations, r.effects);
  assert.equal(ledger.position('wms', 'A', 'DAL')?.quantity('onHand'), 1);
  applyEvent(ret('HOU'), 2, ledger, locations, r.effects);
  applyEvent({ ...env, id: 'rel', seq: 10, type: 'order.released', orderId: 'O1' }, 3, ledger, locations, r.effects);
  assert.deepEqual(r.seen, ['moved A@DAL', 'order return.received', `parked A@HOU: ${parkReason('HOU')}`, 'order return.received', 'order order.released']);
  assert.equal(parkReason('HOU'), "location 'HOU' is not defined; the event applies when it is (PUT /v1/locations/HOU)");
});

test('an adjustment by the authority is neither a departure nor a count; stock at an unknown location is parked', () => {
  const ledger = new InventoryLedger();
  const r = recorder();
  applyEvent(move(1, 'adjustment', -1), 1, ledger, locations, r.effects);
  applyEvent({ ...move(2, 'receipt', 4), location: 'HOU' } as HubEvent, 2, ledger, locations, r.effects);
  assert.deepEqual(r.seen, ['item A', 'moved A@DAL', 'item A', `parked A@HOU: ${parkReason('HOU')}`]);
  assert.equal(ledger.position('wms', 'A', 'HOU'), undefined);
  assert.equal(departureOf({ ...env, id: 'r', seq: 3, type: 'return.received', orderId: 'O1', location: 'DAL', lines: [{ sku: 'A', qty: 1 }] }), undefined);
});

/**
 * A count at seq 3 arriving after a count at 0 and movements 1, 2, 4 and 5, in a ledger that keeps
 * one movement per bucket: movement 4, which comes after the count, is already folded in.
 */
function lateCount() {
  const ledger = new InventoryLedger({ movementsKept: 1 });
  const count: HubEvent = { ...env, id: 's3', seq: 3, type: 'inventory.snapshot', sku: 'A', location: 'DAL', balance: { onHand: 10 } };
  const first: HubEvent = { ...env, id: 's0', seq: 0, type: 'inventory.snapshot', sku: 'A', location: 'DAL', balance: { onHand: 5 } };
  return { ledger, count, later: [first, move(1, 'receipt', 1), move(2, 'receipt', 1), move(4, 'receipt', 1), move(5, 'receipt', 1)] };
}

test('a count overtaken by more movements than the ledger keeps is reported, when applied and when released', () => {
  const { ledger, count, later } = lateCount();
  const r = recorder();
  for (const [i, e] of later.entries()) applyEvent(e, i + 1, ledger, locations, r.effects);
  applyEvent(count, 6, ledger, locations, r.effects);
  assert.ok(r.seen.includes('overtaken s3 1'), r.seen.join('; '));
  // Nothing overtaken: no report.
  const fresh = recorder();
  applyEvent(count, 1, new InventoryLedger({ movementsKept: 1 }), locations, fresh.effects);
  assert.equal(
    fresh.seen.some((s) => s.startsWith('overtaken')),
    false,
  );
  // The same count parked and released by a location's definition.
  const late = lateCount();
  for (const [i, e] of late.later.entries()) applyEvent(e, i + 1, late.ledger, locations, recorder().effects);
  const told: string[] = [];
  const skus = applyReleased(late.count, 9, 'DAL', late.ledger, (e, buckets) => told.push(`${e.id} ${buckets.map((b) => b.bucket).join()}`));
  assert.deepEqual(told, ['s3 onHand']);
  assert.deepEqual(skus, ['A'], 'the count applied, keeping the overtaken bucket');
  const book = new AvailabilityBook(late.ledger);
  const positions: number[] = [];
  const again = lateCount();
  for (const [i, e] of again.later.entries()) applyEvent(e, i + 1, again.ledger, locations, recorder().effects);
  const released = applyLocationDefinition(
    new AvailabilityBook(again.ledger),
    again.ledger,
    locations.get('DAL')!,
    [{ event: again.count, position: 7 }],
    [],
    0,
    [],
    (_e, position) => positions.push(position),
  );
  assert.equal(released, 1);
  assert.deepEqual(positions, [7]);
  assert.equal(
    applyLocationDefinition(book, late.ledger, locations.get('DAL')!, [{ event: move(4, 'receipt', 1), position: 8 }], [], 0, []),
    1,
    'no callback: nothing to tell',
  );
  assert.deepEqual(applyReleased(move(5, 'receipt', 2), 10, 'ATL', late.ledger), [], 'another location is not released');
});
