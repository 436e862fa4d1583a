/**
 * The scale-out write side against an in-memory log followed by this process's read model: what
 * is appended (kind, partition key, dedupe id, body), what is answered (accepted, duplicates,
 * rejected, parked, position), and catalogue changes waiting for the read model to show them.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { LogCatalog, LogIngest } from './publish-to-log.js';
import { InventoryReadModel } from './inventory-read-model.js';
import { MemoryEventLog, movement, orderEvent, snapshot } from './log.test-support.js';
import { SystemAccess } from '../../domain/access/system-access.js';
import { InvalidInputError, StorageFailedError } from '../../domain/errors.js';

async function hub() {
  const log = new MemoryEventLog();
  const view = new InventoryReadModel();
  await log.follow(0, (e) => view.apply(e));
  const deps = { log, view, settleMs: 1000 };
  const catalog = new LogCatalog(deps);
  await catalog.defineLocation('DAL', { name: 'Dallas', authority: 'wms' });
  log.appends.length = 0;
  return { log, view, ingest: new LogIngest(deps), catalog };
}

test('valid events are appended in their lanes, keyed by item or order, deduplicated by source and id', async () => {
  const { log, ingest, view } = await hub();
  const a = movement('wms', 1, 'A', 'DAL', { onHand: 5 });
  const b = snapshot('wms', 2, 'B', 'DAL', { onHand: 3 });
  const o = orderEvent('shop', 7, 'O1', { type: 'order.delivered' });
  const result = await ingest.submit([a, b, o]);
  assert.deepEqual(result, { accepted: 3, duplicates: 0, rejected: [], parked: [], position: 4 });
  assert.deepEqual(log.appends, [
    [
      { kind: 'inventory', key: 'A', dedupeId: '["wms","wms-1"]', body: JSON.stringify(a) },
      { kind: 'inventory', key: 'B', dedupeId: '["wms","wms-2"]', body: JSON.stringify(b) },
      { kind: 'order', key: 'O1', dedupeId: '["shop","shop-7"]', body: JSON.stringify(o) },
    ],
  ]);
  assert.equal(view.figure({ id: 'x', locations: ['DAL'], safetyStock: 0 }, 'A', Date.now()), 5);
});

test('invalid events and events the key may not send are rejected one by one; the rest go on', async () => {
  const { log, ingest } = await hub();
  const sender = SystemAccess.of(new Set(['wms']));
  const result = await ingest.submit(
    [{ type: 'inventory.movement' }, movement('erp', 1, 'A', 'DAL', { onHand: 1 }), movement('wms', 1, 'A', 'DAL', { onHand: 2 })],
    undefined,
    undefined,
    sender,
  );
  assert.equal(result.accepted, 1);
  assert.deepEqual(
    result.rejected.map((r) => r.index),
    [0, 1],
  );
  assert.ok(result.rejected[0]!.errors.length > 0);
  assert.deepEqual(result.rejected[1]!.errors, [sender.refusal('erp')]);
  assert.equal(log.appends.length, 1);
  assert.deepEqual(
    log.appends[0]!.map((r) => r.key),
    ['A'],
  );
});

test('nothing valid: nothing is appended and the answer carries the current position', async () => {
  const { log, ingest } = await hub();
  const result = await ingest.submit([{}, 'x']);
  assert.deepEqual(result, {
    accepted: 0,
    duplicates: 0,
    rejected: result.rejected,
    parked: [],
    position: 1,
  });
  assert.equal(result.rejected.length, 2);
  assert.deepEqual(log.appends, []);
});

test('a repeat of an applied event, or of an id or seq earlier in the same batch, is a duplicate and never appended', async () => {
  const { log, ingest } = await hub();
  await ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 })]);
  log.appends.length = 0;
  const result = await ingest.submit([
    movement('wms', 1, 'A', 'DAL', { onHand: 5 }),
    movement('wms', 9, 'A', 'DAL', { onHand: 1 }, { id: 'wms-1' }),
    movement('wms', 2, 'A', 'DAL', { onHand: 1 }),
    movement('wms', 2, 'A', 'DAL', { onHand: 1 }, { id: 'other' }),
    movement('wms', 3, 'A', 'DAL', { onHand: 1 }, { id: 'wms-2' }),
    movement('erp', 2, 'A', 'DAL', { onHand: 1 }, { id: 'wms-2' }),
  ]);
  assert.equal(result.duplicates, 4);
  assert.equal(result.accepted, 2);
  assert.deepEqual(
    log.appends[0]!.map((r) => r.dedupeId),
    ['["wms","wms-2"]', '["erp","wms-2"]'],
  );
});

test('a copy the log already holds (in flight elsewhere) is answered as a duplicate at the original position', async () => {
  const { log, ingest } = await hub();
  log.holdFollowers = true;
  await ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 })]);
  const result = await ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 })]);
  assert.equal(result.duplicates, 1);
  assert.equal(result.accepted, 0);
  assert.equal(result.position, 2);
  log.release();
});

test("the request's correlation id is stamped on events without their own", async () => {
  const { log, ingest, view } = await hub();
  const own = movement('wms', 1, 'A', 'HOU', { onHand: 5 }, { correlationId: 'mine' });
  const bare = movement('wms', 2, 'A', 'HOU', { onHand: 5 });
  await ingest.submit([own, bare], undefined, 'req-1');
  assert.deepEqual(
    log.appends[0]!.map((r) => JSON.parse(r.body).correlationId),
    ['mine', 'req-1'],
  );
  assert.deepEqual(
    view.parkedAt('HOU').map((p) => p.event.correlationId),
    ['mine', 'req-1'],
  );
  await ingest.submit([movement('wms', 3, 'A', 'DAL', { onHand: 5 })]);
  assert.equal('correlationId' in JSON.parse(log.appends[1]![0]!.body), false);
});

test('an event for a location not defined is accepted and reported parked with the reason; a shipment never is', async () => {
  const { ingest } = await hub();
  const result = await ingest.submit([
    movement('wms', 1, 'A', 'DAL', { onHand: 5 }),
    movement('wms', 2, 'A', 'HOU', { onHand: 5 }),
    orderEvent('shop', 3, 'O1', { type: 'order.shipped', location: 'ELP', lines: [{ sku: 'A', qty: 1 }] } as never),
    orderEvent('shop', 4, 'O1', { type: 'return.received', location: 'AUS', lines: [{ sku: 'A', qty: 1 }] } as never),
  ]);
  assert.equal(result.accepted, 4);
  assert.deepEqual(result.parked, [
    { index: 1, position: 3, reason: "location 'HOU' is not defined; the event applies when it is (PUT /v1/locations/HOU)" },
    { index: 3, position: 5, reason: "location 'AUS' is not defined; the event applies when it is (PUT /v1/locations/AUS)" },
  ]);
  assert.equal(result.position, 5);
});

test('a log that fails to append fails the batch as not durable', async () => {
  const { log, ingest } = await hub();
  log.failAppend = new Error('quorum lost');
  await assert.rejects(ingest.submit([movement('wms', 1, 'A', 'DAL', { onHand: 5 })]), (err: unknown) => {
    assert.ok(err instanceof StorageFailedError);
    assert.equal(err.operation, 'the event batch');
    assert.equal((err.cause as Error).message, 'quorum lost');
    return true;
  });
});

test('catalogue changes are appended with their own ids and answered once the read model shows them', async () => {
  const { log, view, catalog } = await hub();
  assert.deepEqual(await catalog.defineLocation('HOU', { name: 'Houston', authority: 'wms' }), {
    id: 'HOU',
    name: 'Houston',
    authority: 'wms',
    created: true,
    released: 0,
  });
  const again = await catalog.defineLocation('HOU', { name: 'Houston 2', authority: 'erp' });
  assert.equal(again.created, false);
  assert.deepEqual(view.book.locations.get('HOU'), { id: 'HOU', name: 'Houston 2', authority: 'erp' });
  assert.equal(log.appends.length, 2);
  const [first, second] = log.appends.map((a) => a[0]!);
  assert.equal(first!.kind, 'catalog');
  assert.equal(first!.key, 'location:HOU');
  assert.notEqual(first!.dedupeId, second!.dedupeId);
  assert.deepEqual(JSON.parse(first!.body), { kind: 'location', def: { id: 'HOU', name: 'Houston', authority: 'wms' } });
});

test('defining a location tells how many parked events it released', async () => {
  const { ingest, catalog } = await hub();
  await ingest.submit([movement('wms', 1, 'A', 'HOU', { onHand: 5 }), snapshot('wms', 2, 'B', 'HOU', { onHand: 1 })]);
  const defined = await catalog.defineLocation('HOU', { name: 'Houston', authority: 'wms' });
  assert.equal(defined.released, 2);
});

test('a channel is defined with its defaults, refused when it names a location not defined', async () => {
  const { log, view, catalog } = await hub();
  const made = await catalog.defineChannel('web', { locations: ['DAL'] });
  assert.deepEqual(made, {
    channel: { id: 'web', locations: ['DAL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' },
    created: true,
  });
  assert.equal(log.appends[0]![0]!.key, 'channel:web');
  assert.ok(view.book.channels.has('web'));
  assert.equal((await catalog.defineChannel('web', { locations: ['DAL'], safetyStock: 1 })).created, false);
  await assert.rejects(catalog.defineChannel('east', { locations: ['DAL', 'NYC'] }), (err: unknown) => {
    assert.ok(err instanceof InvalidInputError);
    assert.deepEqual(
      err.issues.map((i) => i.path),
      ['/locations/1'],
    );
    return true;
  });
  assert.equal(log.appends.length, 2, 'a refused channel is not appended');
});

test('an item is created once defined; one only named by events counts as created when defined', async () => {
  const { log, ingest, view, catalog } = await hub();
  await ingest.submit([movement('wms', 1, 'N', 'DAL', { onHand: 5 })]);
  assert.deepEqual(await catalog.defineItem('N', { description: 'Nail' } as never), { created: true });
  assert.deepEqual(view.items.get('N'), { sku: 'N', description: 'Nail', uom: 'EA' });
  assert.deepEqual(await catalog.defineItem('N', { description: 'Nail', uom: 'BX' }), { created: false });
  assert.deepEqual(view.items.get('N'), { sku: 'N', description: 'Nail', uom: 'BX' });
  assert.equal(log.appends.at(-1)![0]!.key, 'item:N');
});

test('a catalogue change the log refuses, or the read model does not show in time, fails naming the change', async () => {
  const { log, view, catalog } = await hub();
  log.failAppend = new Error('no leader');
  await assert.rejects(catalog.defineItem('A', { description: 'x', uom: 'EA' }), (err: unknown) => {
    assert.ok(err instanceof StorageFailedError);
    assert.equal(err.operation, 'the item');
    assert.equal((err.cause as Error).message, 'no leader');
    return true;
  });
  log.failAppend = undefined;
  log.holdFollowers = true;
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const pending = catalog.defineLocation('HOU', { name: 'Houston', authority: 'wms' });
    await new Promise((r) => setImmediate(r));
    mock.timers.tick(1000);
    await assert.rejects(pending, (err: unknown) => {
      assert.ok(err instanceof StorageFailedError);
      assert.equal(err.operation, 'the location');
      assert.match((err.cause as Error).message, /in the log at position 2 but this process has not caught up/);
      return true;
    });
    // Without a setting, the wait is 10 s.
    const patient = new LogCatalog({ log, view });
    let failed = false;
    const slow = patient.defineItem('B', { description: 'x', uom: 'EA' }).catch((err: unknown) => {
      failed = err instanceof StorageFailedError;
    });
    await new Promise((r) => setImmediate(r));
    mock.timers.tick(9999);
    await new Promise((r) => setImmediate(r));
    assert.equal(failed, false);
    mock.timers.tick(1);
    await slow;
    assert.equal(failed, true);
  } finally {
    mock.timers.reset();
  }
});
