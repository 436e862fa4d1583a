import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyChannelDefinition,
  applyEvent,
  applyLocationDefinition,
  ignoredEffects,
  applyReleased,
  departureOf,
  parkReason,
  type EventEffects,
} from './event-application.js';
import { AvailabilityBook, type FigureChange } from './availability-book.js';
import type { InventoryEvent } from '../../model/inventory-event.js';
import { InventoryLedger } from './inventory-ledger.js';
import type { LocationDef } from './availability-book.js';
import type { HubEvent } from '../../model/hub-event.js';

const locations = new Map<string, LocationDef>([['DAL', { id: 'DAL', name: 'Dallas', authority: 'wms-dal' }]]);
const at = '2026-11-22T10:00:00Z';

function recorder(): { effects: EventEffects; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    effects: {
      itemNamed: (sku) => seen.push(`named ${sku}`),
      moved: (sku, loc) => seen.push(`moved ${sku}@${loc}`),
      parked: (loc, sku, reason) => seen.push(`parked ${sku}@${loc}: ${reason}`),
      departed: (orderId, sku, loc, qty) => seen.push(`departed ${qty} ${sku}@${loc} for ${orderId}`),
      counted: (sku, loc) => seen.push(`counted ${sku}@${loc}`),
      overtaken: (e, buckets) =>
        seen.push(`overtaken ${e.sku}@${e.location} seq ${e.seq}: ${buckets.map((b) => `${b.bucket} counted ${b.counted} held ${b.held}`).join(', ')}`),
      orderEvent: (e) => seen.push(`order ${e.type} ${e.orderId}`),
    },
  };
}

const pick = (source: string, seq: number, onHand: number, extra: object = {}): HubEvent =>
  ({
    id: `${source}-${seq}`,
    type: 'inventory.movement',
    source,
    seq,
    occurredAt: at,
    sku: 'A',
    location: 'DAL',
    reason: 'pick',
    delta: { onHand },
    ...extra,
  }) as HubEvent;

test('a pick for an order at the authority moves stock and reports the departure', () => {
  const { effects, seen } = recorder();
  applyEvent(pick('wms-dal', 1, -3, { orderId: 'O-1' }), 1, new InventoryLedger(), locations, effects);
  assert.deepEqual(seen, ['named A', 'moved A@DAL', 'departed 3 A@DAL for O-1']);
});

test('only the authority speaks for departures and counts; other sources are shadows', () => {
  const { effects, seen } = recorder();
  const ledger = new InventoryLedger();
  applyEvent(pick('erp', 1, -3, { orderId: 'O-1' }), 1, ledger, locations, effects);
  applyEvent(
    { id: 's', type: 'inventory.snapshot', source: 'erp', seq: 2, occurredAt: at, sku: 'A', location: 'DAL', balance: { onHand: 5 } },
    2,
    ledger,
    locations,
    effects,
  );
  assert.deepEqual(seen, ['named A', 'moved A@DAL', 'named A', 'moved A@DAL']);
});

test('a receipt or a positive pick is no departure; a stale snapshot is no count', () => {
  assert.equal(departureOf(pick('wms-dal', 1, 3, { orderId: 'O-1' })), undefined);
  assert.equal(departureOf(pick('wms-dal', 1, -3, { orderId: 'O-1', reason: 'adjustment' })), undefined);
  assert.equal(departureOf(pick('wms-dal', 1, -3)), undefined);
  const { effects, seen } = recorder();
  const ledger = new InventoryLedger();
  const snap = (seq: number): HubEvent => ({
    id: `s${seq}`,
    type: 'inventory.snapshot',
    source: 'wms-dal',
    seq,
    occurredAt: at,
    sku: 'A',
    location: 'DAL',
    balance: { onHand: seq },
  });
  applyEvent(snap(5), 1, ledger, locations, effects);
  applyEvent(snap(4), 2, ledger, locations, effects);
  assert.deepEqual(seen, ['named A', 'moved A@DAL', 'counted A@DAL', 'named A']);
});

test('an event for an undefined location is parked whole with one reason, and applies when released', () => {
  const { effects, seen } = recorder();
  const ledger = new InventoryLedger();
  const ret: HubEvent = {
    id: 'r1',
    type: 'return.received',
    source: 'wms-rno',
    seq: 1,
    occurredAt: at,
    orderId: 'O-9',
    location: 'RNO',
    lines: [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 2 },
    ],
  };
  applyEvent(ret, 7, ledger, locations, effects);
  assert.deepEqual(seen, [`parked A@RNO: ${parkReason('RNO')}`, 'order return.received O-9']);
  assert.equal(ledger.stockOf('A'), undefined);
  assert.deepEqual(applyReleased(ret, 7, 'RNO', ledger), ['A', 'B']);
});

test('a return at a defined location adds its lines on hand before the order hears of it', () => {
  const { effects, seen } = recorder();
  const ret: HubEvent = {
    id: 'r1',
    type: 'return.received',
    source: 'wms-dal',
    seq: 1,
    occurredAt: at,
    orderId: 'O-9',
    location: 'DAL',
    lines: [{ sku: 'A', qty: 1 }],
  };
  applyEvent(ret, 3, new InventoryLedger(), locations, effects);
  assert.deepEqual(seen, ['moved A@DAL', 'order return.received O-9']);
});

test('defining a location applies its parked events at their own positions and recomputes its figures', () => {
  const ledger = new InventoryLedger();
  const book = new AvailabilityBook(ledger);
  book.defineChannel({ id: 'web', locations: ['RNO'], safetyStock: 0 });
  const count: HubEvent = { id: 'c', type: 'inventory.snapshot', source: 'tpl', seq: 5, occurredAt: at, sku: 'A', location: 'RNO', balance: { onHand: 30 } };
  const pick: HubEvent = {
    id: 'p',
    type: 'inventory.movement',
    source: 'tpl',
    seq: 6,
    occurredAt: at,
    sku: 'A',
    location: 'RNO',
    reason: 'pick',
    delta: { onHand: -4 },
  };
  const moved: FigureChange[] = [];
  const released = applyLocationDefinition(
    book,
    ledger,
    { id: 'RNO', name: 'Reno', authority: 'tpl' },
    [
      { event: count, position: 1 },
      { event: pick, position: 2 },
    ],
    [],
    0,
    moved,
  );
  assert.equal(released, 2);
  assert.deepEqual(
    moved.map((m) => [m.channel, m.sku, m.available]),
    [['web', 'A', 26]],
  );
  // A later copy of the count is older than what applied: nothing moves.
  assert.equal(ledger.apply(count as InventoryEvent, 3), 'stale');
});

// A ledger keeping one movement per bucket: a count among folded movements is overtaken.
function ledgerWithFoldedMovements(): InventoryLedger {
  const ledger = new InventoryLedger({ movementsKept: 1 });
  ledger.apply({ id: 's1', type: 'inventory.snapshot', source: 'wms-rno', seq: 1, occurredAt: at, sku: 'A', location: 'RNO', balance: { onHand: 10 } }, 1);
  for (const seq of [3, 4, 5])
    ledger.apply(
      { id: `m${seq}`, type: 'inventory.movement', source: 'wms-rno', seq, occurredAt: at, sku: 'A', location: 'RNO', reason: 'pick', delta: { onHand: -1 } },
      seq,
    );
  return ledger;
}
const lateCount: HubEvent = {
  id: 'c4',
  type: 'inventory.snapshot',
  source: 'wms-rno',
  seq: 4,
  occurredAt: at,
  sku: 'A',
  location: 'RNO',
  balance: { onHand: 2 },
};

test('a released count that is overtaken is told once, with its buckets; one that applies is not told', () => {
  const told: string[] = [];
  const listen = (e: InventoryEvent, buckets: readonly { bucket: string; counted: number; held: number }[]) =>
    told.push(`${e.id}: ${buckets.map((b) => `${b.bucket} counted ${b.counted} held ${b.held}`).join(', ')}`);
  const ledger = ledgerWithFoldedMovements();
  applyReleased(lateCount, 6, 'RNO', ledger, listen);
  assert.deepEqual(told, ['c4: onHand counted 2 held 7']);
  const fresh: HubEvent = { ...lateCount, id: 'c9', seq: 9, balance: { onHand: 1 } };
  assert.deepEqual(applyReleased(fresh, 7, 'RNO', ledger, listen), ['A']);
  assert.deepEqual(told, ['c4: onHand counted 2 held 7'], 'an applied count is no overtaken one');
});

test('a released count that is overtaken, with nobody listening, keeps the figure it had', () => {
  const ledger = ledgerWithFoldedMovements();
  applyReleased(lateCount, 6, 'RNO', ledger);
  assert.equal(ledger.position('wms-rno', 'A', 'RNO')!.quantity('onHand'), 7);
});

// A supplier announces 5 units for DAL due 2026-11-20, before the authority's events at `at`.
const announce: HubEvent = {
  id: 'asn',
  type: 'inventory.movement',
  source: 'sup',
  seq: 1,
  occurredAt: '2026-11-01T00:00:00Z',
  sku: 'A',
  location: 'DAL',
  reason: 'adjustment',
  delta: { inbound: 5 },
  eta: '2026-11-20T00:00:00Z',
  announced: true,
} as HubEvent;
function announcedLedger(): InventoryLedger {
  const ledger = new InventoryLedger();
  applyEvent(announce, 1, ledger, locations, recorder().effects);
  return ledger;
}
const openSupply = (ledger: InventoryLedger) => ledger.position('sup', 'A', 'DAL')!.openSupply();

test("the authority's receipt closes as much announced supply as it puts on hand", () => {
  const ledger = announcedLedger();
  applyEvent(pick('wms-dal', 1, 2, { reason: 'receipt' }), 2, ledger, locations, recorder().effects);
  assert.deepEqual(openSupply(ledger), [['2026-11-20T00:00:00.000Z', 3]]);
});

test('a movement other than a receipt, or a shadow receipt, closes no announced supply', () => {
  const ledger = announcedLedger();
  applyEvent(pick('wms-dal', 1, 2, { reason: 'adjustment' }), 2, ledger, locations, recorder().effects);
  applyEvent(pick('wms-dal', 2, -1), 3, ledger, locations, recorder().effects);
  applyEvent(pick('erp', 1, 2, { reason: 'receipt' }), 4, ledger, locations, recorder().effects);
  assert.deepEqual(openSupply(ledger), [['2026-11-20T00:00:00.000Z', 5]]);
});

test("the authority's count closes the announced supply due by its time; a stale count closes nothing", () => {
  const count = (seq: number, occurredAt: string): HubEvent => ({
    id: `c${seq}`,
    type: 'inventory.snapshot',
    source: 'wms-dal',
    seq,
    occurredAt,
    sku: 'A',
    location: 'DAL',
    balance: { onHand: 1 },
  });
  const ledger = new InventoryLedger();
  applyEvent(count(5, '2026-11-01T00:00:00Z'), 1, ledger, locations, recorder().effects);
  applyEvent(announce, 2, ledger, locations, recorder().effects);
  // Older than the count that applied: not applied, so it closes nothing though it is dated after the ETA.
  applyEvent(count(4, at), 3, ledger, locations, recorder().effects);
  assert.deepEqual(openSupply(ledger), [['2026-11-20T00:00:00.000Z', 5]]);
  applyEvent(count(6, at), 4, ledger, locations, recorder().effects);
  assert.deepEqual(openSupply(ledger), []);
});

test('ignoredEffects takes every effect and keeps nothing', () => {
  const ledger = new InventoryLedger();
  const ret: HubEvent = {
    id: 'r',
    type: 'return.received',
    source: 'wms-dal',
    seq: 1,
    occurredAt: at,
    orderId: 'O-1',
    location: 'DAL',
    lines: [{ sku: 'A', qty: 1 }],
  };
  applyEvent(ret, 1, ledger, locations, ignoredEffects);
  applyEvent(pick('wms-dal', 2, -1, { orderId: 'O-1' }), 2, ledger, locations, ignoredEffects);
  applyEvent(
    { id: 's', type: 'inventory.snapshot', source: 'wms-dal', seq: 3, occurredAt: at, sku: 'A', location: 'DAL', balance: { onHand: 4 } },
    3,
    ledger,
    locations,
    ignoredEffects,
  );
  applyEvent({ ...ret, id: 'r2', seq: 4, location: 'RNO' }, 4, ledger, locations, ignoredEffects);
  ignoredEffects.overtaken(lateCount as InventoryEvent, []);
  assert.equal(ledger.position('wms-dal', 'A', 'DAL')!.quantity('onHand'), 4);
});

test('defining a channel computes its figure of each item named', () => {
  const ledger = new InventoryLedger();
  const book = new AvailabilityBook(ledger);
  book.defineLocation({ id: 'DAL', name: 'Dallas', authority: 'wms-dal' });
  ledger.apply({ id: 's', type: 'inventory.snapshot', source: 'wms-dal', seq: 1, occurredAt: at, sku: 'A', location: 'DAL', balance: { onHand: 9 } }, 1);
  const moved: FigureChange[] = [];
  applyChannelDefinition(book, { id: 'web', locations: ['DAL'], safetyStock: 2 }, ['A'], 0, moved);
  assert.deepEqual(
    moved.map((m) => [m.channel, m.sku, m.available]),
    [['web', 'A', 7]],
  );
});
