/**
 * Availability answers and an item's recent changes, read from a live view (the scale-out read
 * model, fed log entries) with the events looked up in the log by position: figures and the
 * position they reflect, unknown channels and items, every term of an explanation with its events
 * and shadows, and paging through changes newest first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainAvailability, lookUpAvailability, queryAvailability } from './look-up-availability.js';
import { itemChanges } from './item-changes.js';
import { InventoryReadModel } from '../log/inventory-read-model.js';
import { T0, entry, fixedClock, movement, orderEvent, snapshot } from '../log/log.test-support.js';
import { AVAILABILITY_FORMULA } from '../../domain/inventory/channel-availability.js';
import { UnknownChannelError, UnknownItemError } from '../../domain/errors.js';
import type { HubEvent } from '../../model/hub-event.js';

const channel = (id: string, locations: string[], extra: object = {}) => ({
  kind: 'channel',
  channel: { id, locations, safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold', ...extra },
});

/** A view over DAL and HOU (authority wms) and channels web (both) and east (HOU), plus the log it was fed. */
function view() {
  const model = new InventoryReadModel();
  const log = new Map<number, HubEvent>();
  let position = 0;
  const feed = (value: object) => {
    position++;
    if ('type' in value) log.set(position, value as HubEvent);
    model.apply(entry(position, value));
    return position;
  };
  feed({ kind: 'location', def: { id: 'DAL', name: 'Dallas', authority: 'wms' } });
  feed({ kind: 'location', def: { id: 'HOU', name: 'Houston', authority: 'wms' } });
  feed(channel('web', ['DAL', 'HOU'], { safetyStock: 1 }));
  feed(channel('east', ['HOU']));
  const clock = fixedClock();
  const reads = { eventAt: async (p: number) => log.get(p), readEvents: () => [], parkedEvents: () => [], overtakenCounts: () => [], readChanges: () => [] };
  return { model, feed, log, clock, deps: { state: model, clock, reads } };
}

test('one item: the figure and the position it reflects; unknown channels and items are refused by name', () => {
  const v = view();
  v.feed(movement('wms', 1, 'A', 'DAL', { onHand: 10 }));
  v.feed(movement('wms', 2, 'A', 'HOU', { onHand: 4, damaged: 1 }));
  assert.deepEqual(lookUpAvailability(v.deps, 'A', 'web'), { sku: 'A', channel: 'web', available: 11, position: 6 });
  assert.deepEqual(lookUpAvailability(v.deps, 'A', 'east'), { sku: 'A', channel: 'east', available: 3, position: 6 });
  assert.throws(
    () => lookUpAvailability(v.deps, 'A', 'nope'),
    (e: unknown) => e instanceof UnknownChannelError && e.message.includes("'nope'"),
  );
  assert.throws(
    () => lookUpAvailability(v.deps, 'Z', 'web'),
    (e: unknown) => e instanceof UnknownItemError && e.sku === 'Z',
  );
  // The channel is checked before the item.
  assert.throws(() => lookUpAvailability(v.deps, 'Z', 'nope'), UnknownChannelError);
});

test('many items: unknown ones answer 0 and known: false', () => {
  const v = view();
  v.feed(movement('wms', 1, 'A', 'DAL', { onHand: 10 }));
  assert.deepEqual(queryAvailability(v.deps, 'web', ['A', 'Z']), {
    items: [
      { sku: 'A', available: 9, known: true },
      { sku: 'Z', available: 0, known: false },
    ],
    position: 5,
  });
  assert.throws(() => queryAvailability(v.deps, 'nope', ['A']), UnknownChannelError);
});

test('a channel counting inbound answers with the inbound due by the time asked', () => {
  const v = view();
  v.feed(channel('ahead', ['DAL'], { includeInbound: { withinDays: 1 } }));
  v.feed(movement('wms', 1, 'A', 'DAL', { inbound: 5 }, { eta: new Date(T0 + 1.5 * 86_400_000).toISOString() }));
  assert.equal(lookUpAvailability(v.deps, 'A', 'ahead').available, 0);
  v.clock.set(T0 + 86_400_000);
  assert.equal(lookUpAvailability(v.deps, 'A', 'ahead').available, 5);
  assert.equal(queryAvailability(v.deps, 'ahead', ['A']).items[0]!.available, 5);
});

test('an explanation gives every term per location, the events behind the authority figure, and the shadows', async () => {
  const v = view();
  const count = snapshot('wms', 1, 'A', 'DAL', { onHand: 10, qualityHold: 2 });
  const receipt = movement('wms', 2, 'A', 'DAL', { onHand: 3 });
  const shadow = movement('erp', 1, 'A', 'DAL', { onHand: 50, damaged: 1 });
  const back = orderEvent('wms', 3, 'O1', { type: 'return.received', location: 'HOU', lines: [{ sku: 'A', qty: 2 }] } as never);
  const pCount = v.feed(count);
  const pReceipt = v.feed(receipt);
  v.feed(shadow);
  const pBack = v.feed(back);
  v.model.hold(1, [{ orderId: 'O9', sku: 'A', location: 'DAL', units: 4 }]);
  const answer = await explainAvailability(v.deps, 'A', 'web');
  assert.equal(answer.available, 6 + 1);
  assert.equal(answer.pool, 7);
  // The return names an order: the read model reports the position before it until its holds arrive.
  assert.equal(answer.position, pBack - 1);
  assert.equal(answer.allocation, null);
  assert.equal(answer.formula, AVAILABILITY_FORMULA);
  assert.deepEqual({ sku: answer.sku, channel: answer.channel }, { sku: 'A', channel: 'web' });
  const [dal, hou] = answer.locations;
  assert.deepEqual(dal, {
    location: 'DAL',
    authority: 'wms',
    defined: true,
    onHand: 13,
    qualityHold: 2,
    damaged: 0,
    reserved: 4,
    safetyStock: 1,
    net: 6,
    inboundCounted: 0,
    events: [
      { position: pCount, id: 'wms-1', type: 'inventory.snapshot', seq: 1, occurredAt: count.occurredAt, balance: { onHand: 10, qualityHold: 2 } },
      { position: pReceipt, id: 'wms-2', type: 'inventory.movement', seq: 2, occurredAt: receipt.occurredAt, reason: 'receipt', delta: { onHand: 3 } },
    ],
    eventsOmitted: 0,
    shadows: [{ source: 'erp', onHand: 50, qualityHold: 0, damaged: 1 }],
  });
  assert.deepEqual(hou!.events, [
    { position: pBack, id: 'wms-3', type: 'return.received', seq: 3, occurredAt: back.occurredAt, reason: 'return', delta: { onHand: 2 } },
  ]);
  assert.deepEqual(hou!.shadows, []);
  const allocated = view();
  allocated.feed(channel('web', ['DAL'], { allocation: { percent: 50 } }));
  allocated.feed(movement('wms', 1, 'A', 'DAL', { onHand: 9 }));
  const half = await explainAvailability(allocated.deps, 'A', 'web');
  assert.deepEqual([half.available, half.pool, half.allocation], [4, 9, { percent: 50 }]);
  await assert.rejects(explainAvailability(v.deps, 'Z', 'web'), UnknownItemError);
  await assert.rejects(explainAvailability(v.deps, 'A', 'nope'), UnknownChannelError);
});

test('an explanation lists the last 50 events and says how many it left out; events the log no longer has are skipped', async () => {
  const v = view();
  const positions: number[] = [];
  for (let seq = 1; seq <= 55; seq++) positions.push(v.feed(movement('wms', seq, 'A', 'DAL', { onHand: 1 })));
  const answer = await explainAvailability(v.deps, 'A', 'web');
  const dal = answer.locations.find((l) => l.location === 'DAL')!;
  assert.deepEqual(
    dal.events.map((e) => e.position),
    positions.slice(5),
  );
  assert.equal(dal.eventsOmitted, 5);
  v.log.delete(positions[54]!);
  const fewer = await explainAvailability(v.deps, 'A', 'web');
  assert.equal(fewer.locations.find((l) => l.location === 'DAL')!.events.length, 49);
  // A location with stock only from a non-authority source lists no events.
  v.feed(movement('erp', 1, 'A', 'HOU', { onHand: 3 }));
  const hou = (await explainAvailability(v.deps, 'A', 'web')).locations.find((l) => l.location === 'HOU')!;
  assert.deepEqual([hou.events, hou.eventsOmitted, hou.onHand], [[], 0, 0]);
  assert.deepEqual(hou.shadows, [{ source: 'erp', onHand: 3, qualityHold: 0, damaged: 0 }]);
});

test("changes: every source's counts and movements at every location, newest first, paged", async () => {
  const v = view();
  const p1 = v.feed(movement('wms', 1, 'A', 'DAL', { onHand: 5 }));
  const p2 = v.feed(movement('erp', 1, 'A', 'DAL', { onHand: 7 }));
  const p3 = v.feed(snapshot('wms', 2, 'A', 'HOU', { onHand: 4 }));
  const p4 = v.feed(movement('wms', 3, 'B', 'DAL', { onHand: 1 }));
  const first = await itemChanges(v.deps, 'A', { limit: 2 });
  assert.deepEqual(first, {
    sku: 'A',
    channel: null,
    position: p4,
    changes: [
      {
        position: p3,
        id: 'wms-2',
        type: 'inventory.snapshot',
        seq: 2,
        occurredAt: v.log.get(p3)!.occurredAt,
        location: 'HOU',
        source: 'wms',
        authority: true,
        balance: { onHand: 4 },
      },
      {
        position: p2,
        id: 'erp-1',
        type: 'inventory.movement',
        seq: 1,
        occurredAt: v.log.get(p2)!.occurredAt,
        location: 'DAL',
        source: 'erp',
        authority: false,
        reason: 'receipt',
        delta: { onHand: 7 },
      },
    ],
    next: p2,
    omitted: 0,
  });
  const rest = await itemChanges(v.deps, 'A', { limit: 2, before: first.next! });
  assert.deepEqual(
    rest.changes.map((c) => c.position),
    [p1],
  );
  assert.equal(rest.next, null);
  const exact = await itemChanges(v.deps, 'A', { limit: 3 });
  assert.equal(exact.next, null, 'no next page when the page holds the rest exactly');
  // Only the locations a channel draws on.
  const east = await itemChanges(v.deps, 'A', { limit: 10, channel: 'east' });
  assert.equal(east.channel, 'east');
  assert.deepEqual(
    east.changes.map((c) => c.position),
    [p3],
  );
  await assert.rejects(itemChanges(v.deps, 'A', { limit: 1, channel: 'nope' }), UnknownChannelError);
  await assert.rejects(itemChanges(v.deps, 'Z', { limit: 1 }), UnknownItemError);
  // An item only named (parked) has no changes.
  v.feed(movement('wms', 9, 'P', 'ELP', { onHand: 1 }));
  assert.deepEqual((await itemChanges(v.deps, 'P', { limit: 5 })).changes, []);
});

test('changes say how many movements the ledger folded away, and skip events the log no longer has', async () => {
  const v = view();
  for (let seq = 1; seq <= 70; seq++) v.feed(movement('wms', seq, 'A', 'DAL', { onHand: 1 }));
  const answer = await itemChanges(v.deps, 'A', { limit: 100 });
  assert.equal(answer.omitted, 6);
  assert.equal(answer.changes.length, 64);
  v.log.delete(answer.changes[0]!.position);
  assert.equal((await itemChanges(v.deps, 'A', { limit: 100 })).changes.length, 63);
});

test('a return of several items stands, for each item, for its own line', async () => {
  const v = view();
  v.feed(movement('wms', 0, 'A', 'DAL', { onHand: 1 }));
  const back = orderEvent('wms', 1, 'O1', {
    type: 'return.received',
    location: 'DAL',
    lines: [
      { sku: 'B', qty: 7 },
      { sku: 'A', qty: 2 },
    ],
  } as never);
  const p = v.feed(back);
  const dal = (await explainAvailability(v.deps, 'A', 'web')).locations.find((l) => l.location === 'DAL')!;
  assert.deepEqual(
    dal.events.filter((e) => e.position === p).map((e) => [e.type, 'delta' in e ? e.delta : undefined]),
    [['return.received', { onHand: 2 }]],
  );
  const changes = await itemChanges(v.deps, 'A', { limit: 5 });
  assert.deepEqual(
    changes.changes.filter((c) => c.position === p).map((c) => ('delta' in c ? c.delta : undefined)),
    [{ onHand: 2 }],
  );
});
