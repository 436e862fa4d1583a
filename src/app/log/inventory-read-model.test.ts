/**
 * An api process's read model fed log entries in order: the figures it answers, the position it
 * reports (held back by entries naming orders until their holds arrive), duplicates, parked events
 * and their release, holds applied once, and waiting for a position.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { InventoryReadModel } from './inventory-read-model.js';
import { entry, movement, orderEvent, snapshot } from './log.test-support.js';
import type { Channel } from '../../model/catalog.js';

const channel = (id: string, locations: string[], extra: Partial<Channel> = {}): Channel => ({
  id,
  locations,
  safetyStock: 0,
  onErpUnavailable: 'queue',
  onCreditHold: 'hold',
  ...extra,
});
const loc = (id: string, authority = 'wms') => ({ kind: 'location', def: { id, name: `Location ${id}`, authority } });
const chan = (c: Channel) => ({ kind: 'channel', channel: c });
const holdsEntry = (position: number, body: object) => ({ position, kind: 'holds' as const, body: JSON.stringify(body) });

/** A model with location DAL (authority wms) and channel web over it, at positions 1 and 2. */
function model() {
  const m = new InventoryReadModel();
  m.apply(entry(1, loc('DAL')));
  m.apply(entry(2, chan(channel('web', ['DAL']))));
  return m;
}
const figure = (m: InventoryReadModel, sku: string, ch = 'web') => m.figure(m.book.channels.get(ch)!, sku, Date.now());

test('events apply in log order and the figures follow; an entry at or before the applied position is ignored', () => {
  const m = model();
  m.apply(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })));
  m.apply(entry(4, movement('wms', 2, 'A', 'DAL', { onHand: -3 }, { reason: 'adjustment' })));
  assert.equal(figure(m, 'A'), 7);
  assert.equal(m.applied, 4);
  assert.equal(m.position, 4);
  assert.equal(m.reservesAfter, 4);
  assert.ok(m.isKnownSku('A'));
  assert.ok(!m.isKnownSku('B'));
  assert.equal(m.items.get('A'), null);
  // Again at the same position (a redelivery): nothing changes.
  m.apply(entry(4, movement('wms', 9, 'A', 'DAL', { onHand: 100 })));
  m.apply(entry(2, movement('wms', 10, 'A', 'DAL', { onHand: 100 })));
  assert.equal(figure(m, 'A'), 7);
  assert.equal(m.applied, 4);
});

test('a repeated event (same id, or same seq) is applied once', () => {
  const m = model();
  m.apply(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })));
  m.apply(entry(4, movement('wms', 2, 'A', 'DAL', { onHand: 5 }, { id: 'wms-1' })));
  m.apply(entry(5, movement('wms', 1, 'A', 'DAL', { onHand: 5 }, { id: 'other' })));
  assert.equal(figure(m, 'A'), 10);
  assert.equal(m.applied, 5);
  assert.ok(m.hasEvent('wms', 'wms-1', 99), 'known by id');
  assert.ok(m.hasEvent('wms', 'nope', 1), 'known by seq');
  assert.ok(!m.hasEvent('wms', 'nope', 99));
  assert.ok(!m.hasEvent('erp', 'wms-1', 1), 'ids and seqs are per source');
});

test('an entry that cannot be read is skipped, counted, and still advances the position', () => {
  const m = model();
  m.apply({ position: 3, kind: 'inventory', body: '{not json' });
  m.apply({ position: 4, kind: 'inventory', body: JSON.stringify({ type: 'inventory.movement', sku: 'A' }) });
  m.apply({ position: 5, kind: 'holds', body: 'nope' });
  assert.equal(m.skipped, 3);
  assert.equal(m.applied, 5);
  assert.equal(m.position, 5);
  assert.ok(!m.isKnownSku('A'));
});

test('an event this process appended is applied as expected, without reading the body again', () => {
  const m = model();
  m.expect(3, movement('wms', 1, 'A', 'DAL', { onHand: 4 }));
  m.apply({ position: 3, kind: 'inventory', body: 'not read' });
  assert.equal(figure(m, 'A'), 4);
  assert.equal(m.skipped, 0);
  // Expecting a position already applied keeps nothing: the log's body is read at that position next time.
  m.expect(3, movement('wms', 2, 'B', 'DAL', { onHand: 4 }));
  m.apply(entry(4, movement('wms', 3, 'C', 'DAL', { onHand: 1 })));
  assert.ok(!m.isKnownSku('B'));
  // An expectation is used once.
  m.expect(5, movement('wms', 4, 'D', 'DAL', { onHand: 2 }));
  m.apply(entry(5, movement('wms', 4, 'D', 'DAL', { onHand: 2 })));
  assert.equal(figure(m, 'D'), 2);
});

test('holds reserve stock once per outbox id and do not count as entries a reservation waits for', () => {
  const m = model();
  m.apply(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })));
  m.apply(holdsEntry(4, { outboxId: 7, holds: [{ orderId: 'O1', sku: 'A', location: 'DAL', units: 3 }] }));
  assert.equal(figure(m, 'A'), 7);
  assert.equal(m.reservesAfter, 3);
  assert.equal(m.applied, 4);
  // The relay appended it twice; the process that committed it showed it already.
  m.apply(holdsEntry(5, { outboxId: 7, holds: [{ orderId: 'O1', sku: 'A', location: 'DAL', units: 3 }] }));
  m.hold(7, [{ orderId: 'O1', sku: 'A', location: 'DAL', units: 3 }]);
  assert.equal(figure(m, 'A'), 7);
  m.hold(8, [{ orderId: 'O2', sku: 'NEW', location: 'DAL', units: 2 }]);
  assert.ok(m.isKnownSku('NEW'), 'an item held for is known');
  assert.equal(m.ledger.reservedAt('NEW', 'DAL'), 2);
  m.apply(holdsEntry(6, { outboxId: 9, holds: [{ orderId: 'O1', sku: 'A', location: 'DAL', units: -3 }] }));
  assert.equal(figure(m, 'A'), 10);
});

test('an entry naming an order holds the position back until its holds settle it', () => {
  const m = model();
  m.apply(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })));
  m.apply(entry(4, movement('wms', 2, 'A', 'DAL', { onHand: -2 }, { reason: 'pick', orderId: 'O1' })));
  m.apply(entry(5, orderEvent('shop', 3, 'O2', { type: 'order.delivered' })));
  m.apply(entry(6, snapshot('wms', 4, 'A', 'DAL', { onHand: 8 })));
  assert.equal(m.applied, 6);
  assert.equal(m.position, 3, 'held at the entry before the first unsettled one');
  assert.equal(m.unsettledCount, 2);
  m.apply(holdsEntry(7, { outboxId: 1, holds: [], settles: [4] }));
  assert.equal(m.position, 4);
  m.apply(holdsEntry(8, { outboxId: 2, holds: [], settles: [5] }));
  assert.equal(m.position, 8);
  assert.equal(m.unsettledCount, 0);
  // A holds entry without settles settles nothing.
  m.apply(entry(9, orderEvent('shop', 5, 'O3', { type: 'order.delivered' })));
  m.apply(holdsEntry(10, { outboxId: 3, holds: [] }));
  assert.equal(m.position, 8);
});

test('an unsettled entry stops holding the position back after 30 s, and is counted', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const m = model();
    m.apply(entry(3, orderEvent('shop', 1, 'O1', { type: 'order.delivered' })));
    m.apply(entry(4, orderEvent('shop', 2, 'O2', { type: 'order.delivered' })));
    mock.timers.tick(29_999);
    assert.equal(m.position, 2);
    assert.equal(m.expiredUnsettled, 0);
    mock.timers.tick(1);
    assert.equal(m.position, 4, 'both expired');
    assert.equal(m.expiredUnsettled, 2);
    assert.equal(m.unsettledCount, 0);
    m.apply(entry(5, orderEvent('shop', 3, 'O3', { type: 'order.delivered' })));
    mock.timers.tick(10_000);
    assert.equal(m.position, 4, 'a newer one still holds it back');
  } finally {
    mock.timers.reset();
  }
});

test('an event for a location not defined waits, and the location definition applies it and says how many', () => {
  const m = model();
  m.apply(entry(3, movement('wms', 1, 'A', 'HOU', { onHand: 5 }, { correlationId: 'c-1' })));
  m.apply(entry(4, movement('wms', 2, 'B', 'DAL', { onHand: 1 })));
  m.apply(entry(5, movement('wms', 3, 'C', 'AUS', { onHand: 2 })));
  m.apply(entry(6, snapshot('wms', 4, 'A', 'HOU', { onHand: 6 })));
  assert.ok(m.isKnownSku('A'), 'a parked event names its item');
  assert.deepEqual(
    m.parkedAt().map((p) => [p.position, p.location, p.sku]),
    [
      [3, 'HOU', 'A'],
      [5, 'AUS', 'C'],
      [6, 'HOU', 'A'],
    ],
  );
  assert.deepEqual(
    m.parkedAt('HOU').map((p) => p.position),
    [3, 6],
  );
  assert.deepEqual(m.parkedAt('ELP'), []);
  const parked = m.parkedAt('HOU')[0]!;
  assert.equal((parked.event as { correlationId?: string }).correlationId, 'c-1');
  assert.ok(!Number.isNaN(Date.parse(parked.parkedAt)));

  m.apply(entry(7, loc('HOU')));
  m.apply(entry(8, chan(channel('south', ['HOU']))));
  assert.equal(figure(m, 'A', 'south'), 6, 'both released, the count last');
  assert.deepEqual(
    m.parkedAt().map((p) => p.location),
    ['AUS'],
  );
  assert.equal(m.takeReleased(7), 2);
  assert.equal(m.takeReleased(7), 0, 'asked once');
  assert.equal(m.takeReleased(99), 0);
  assert.equal(m.reservesAfter, 8);
  // Defining a location with nothing parked releases nothing.
  m.apply(entry(9, loc('ELP')));
  assert.equal(m.takeReleased(9), 0);
});

test('a channel definition and an item definition take effect; a later event does not forget the item', () => {
  const m = model();
  m.apply(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 10 })));
  m.apply(entry(4, chan(channel('web', ['DAL'], { safetyStock: 2, allocation: { percent: 50 } }))));
  assert.equal(figure(m, 'A'), 4);
  m.apply(entry(5, { kind: 'item', item: { sku: 'A', description: 'Anvil', uom: 'EA' } } as never));
  m.apply(entry(6, movement('wms', 2, 'A', 'DAL', { onHand: 2 })));
  assert.deepEqual(m.items.get('A'), { sku: 'A', description: 'Anvil', uom: 'EA' });
  m.apply(entry(7, { kind: 'item', item: { sku: 'Z', description: 'Zither', uom: 'BX' } } as never));
  assert.ok(m.isKnownSku('Z'));
  assert.equal(figure(m, 'Z'), 0);
  assert.equal(m.skipped, 0);
});

test('a channel counting inbound works its figure out at the time asked', () => {
  const m = model();
  m.apply(entry(3, chan(channel('ahead', ['DAL'], { includeInbound: { withinDays: 2 } }))));
  const eta = new Date(Date.now() + 3 * 86_400_000).toISOString();
  m.apply(entry(4, movement('wms', 1, 'A', 'DAL', { inbound: 5 }, { eta })));
  const rule = m.book.channels.get('ahead')!;
  assert.equal(m.figure(rule, 'A', Date.now()), 0);
  assert.equal(m.figure(rule, 'A', Date.now() + 2 * 86_400_000), 5);
});

test('waitFor answers at once when applied, when the position arrives, or false after its time', async () => {
  const m = model();
  assert.equal(await m.waitFor(2, 0), true);
  assert.equal(await m.waitFor(1, 0), true);
  const later = m.waitFor(4, 60_000);
  const sooner = m.waitFor(3, 60_000);
  m.apply(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 1 })));
  assert.equal(await sooner, true);
  let settled = false;
  void later.then(() => {
    settled = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'position 4 is not applied yet');
  m.apply({ position: 4, kind: 'inventory', body: 'broken' });
  assert.equal(await later, true, 'a skipped entry is applied too');

  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const never = m.waitFor(10, 500);
    mock.timers.tick(499);
    let done: boolean | undefined;
    void never.then((v) => {
      done = v;
    });
    await Promise.resolve();
    assert.equal(done, undefined);
    mock.timers.tick(1);
    assert.equal(await never, false);
    // The timed-out waiter is gone: applying later wakes no one and fails nothing.
    m.apply(entry(10, movement('wms', 2, 'A', 'DAL', { onHand: 1 })));
  } finally {
    mock.timers.reset();
  }
});

test('a return from the authority adds stock; one from another source is a shadow figure', () => {
  const m = model();
  m.apply(entry(3, orderEvent('wms', 1, 'O1', { type: 'return.received', location: 'DAL', lines: [{ sku: 'A', qty: 2 }] } as never)));
  m.apply(entry(4, orderEvent('shop', 1, 'O1', { type: 'return.received', location: 'DAL', lines: [{ sku: 'A', qty: 5 }] } as never)));
  assert.equal(figure(m, 'A'), 2);
  assert.equal(m.position, 2);
  // A return to a location not defined parks the whole event under its first line's item.
  m.apply(entry(5, orderEvent('wms', 2, 'O1', { type: 'return.received', location: 'HOU', lines: [{ sku: 'B', qty: 1 }] } as never)));
  assert.deepEqual(
    m.parkedAt('HOU').map((p) => [p.position, p.sku]),
    [[5, 'B']],
  );
});

test('a waiter that times out leaves the others waiting for their positions', async () => {
  const m = model();
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const short = m.waitFor(5, 100);
    const long = m.waitFor(4, 10_000);
    mock.timers.tick(100);
    assert.equal(await short, false);
    m.apply(entry(3, movement('wms', 1, 'A', 'DAL', { onHand: 1 })));
    m.apply(entry(4, movement('wms', 2, 'A', 'DAL', { onHand: 1 })));
    assert.equal(await long, true);
  } finally {
    mock.timers.reset();
  }
});

test('an event the schema refuses is skipped even when it parses (a misspelt bucket changes no stock)', () => {
  const m = model();
  m.apply({ position: 3, kind: 'inventory', body: JSON.stringify(movement('wms', 1, 'A', 'DAL', { onHand: 5, bogus: 1 } as never)) });
  assert.equal(m.skipped, 1);
  assert.equal(figure(m, 'A'), 0);
  assert.ok(!m.isKnownSku('A'));
});

test('holds for a defined item keep its definition', () => {
  const m = model();
  m.apply(entry(3, { kind: 'item', item: { sku: 'A', description: 'Anvil', uom: 'EA' } }));
  m.hold(1, [{ orderId: 'O1', sku: 'A', location: 'DAL', units: 1 }]);
  assert.deepEqual(m.items.get('A'), { sku: 'A', description: 'Anvil', uom: 'EA' });
});
