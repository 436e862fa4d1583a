import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { movement, snapshot, startTestHub, NETWORK, type TestHub } from './support/test-hub.js';

let hub: TestHub;
before(async () => { hub = await startTestHub({ file: NETWORK }); });
after(async () => { await hub.stop(); });

test('accepts valid events, answers the log position, and applies them once however often they repeat', async () => {
  const events = [snapshot({ source: 'wms-dal', seq: 100, sku: 'E-1', location: 'DAL', onHand: 40 }), movement({ source: 'wms-dal', seq: 101, sku: 'E-1', location: 'DAL', delta: { onHand: -5 } })];
  const first = await hub.api('POST', '/v1/events', events);
  assert.equal(first.status, 200);
  assert.equal(first.body.accepted, 2);
  assert.equal(first.body.duplicates, 0);
  assert.deepEqual(first.body.rejected, []);
  const again = await hub.api('POST', '/v1/events', [...events, ...events]);
  assert.deepEqual({ accepted: again.body.accepted, duplicates: again.body.duplicates }, { accepted: 0, duplicates: 4 });
  assert.ok(again.body.position >= first.body.position);
  const figure = await hub.api('GET', '/v1/availability/E-1?channel=amazon');
  assert.equal(figure.body.available, 28); // floor(35 × 80%)
  assert.ok(figure.body.position >= first.body.position);
});

test('treats the same id with another seq, and the same seq with another id, as duplicates', async () => {
  const e = movement({ source: 'wms-dal', seq: 200, sku: 'E-2', location: 'DAL', delta: { onHand: 10 }, id: 'dup-200' });
  await hub.api('POST', '/v1/events', [e]);
  const sameIdOtherSeq = { ...e, seq: 201 };
  const sameSeqOtherId = { ...e, id: 'dup-200-b' };
  const res = await hub.api('POST', '/v1/events', [sameIdOtherSeq, sameSeqOtherId]);
  assert.deepEqual({ accepted: res.body.accepted, duplicates: res.body.duplicates }, { accepted: 0, duplicates: 2 });
  assert.equal((await hub.api('GET', '/v1/availability/E-2?channel=amazon')).body.available, 8);
});

test('rejects only the bad event in a batch of thousands, naming its index and field', async () => {
  const events: object[] = Array.from({ length: 5000 }, (_, i) => movement({ source: 'wms-atl', seq: 10_000 + i, sku: `BULK-${i % 50}`, location: 'ATL', delta: { onHand: 1 } }));
  events[2500] = { ...events[2500], delta: { onHand: 'ten' } };
  events[4000] = { ...events[4000], occurredAt: 'yesterday' };
  const res = await hub.api('POST', '/v1/events', events);
  assert.equal(res.status, 200);
  assert.equal(res.body.accepted, 4998);
  assert.deepEqual(res.body.rejected.map((r: { index: number }) => r.index), [2500, 4000]);
  assert.equal(res.body.rejected[0].errors[0].path, '/delta/onHand');
  assert.equal(res.body.rejected[1].errors[0].path, '/occurredAt');
});

test('names every kind of bad field in an event', async () => {
  const good = movement({ source: 'wms-dal', seq: 300, sku: 'E-3', location: 'DAL', delta: { onHand: 1 } });
  const cases: [unknown, string][] = [
    [{ ...good, type: 'inventory.teleport' }, '/type'],
    [{ ...good, seq: -1 }, '/seq'],
    [{ ...good, seq: '7' }, '/seq'],
    [{ ...good, reason: 'theft' }, '/reason'],
    [{ ...good, delta: {} }, '/delta'],
    [{ ...good, delta: { onHand: 1.5 } }, '/delta/onHand'],
    [{ ...good, delta: { onHand: 1, magic: 2 } }, '/delta/magic'],
    [{ ...good, sku: '' }, '/sku'],
    [{ ...good, id: undefined }, '/id'],
    [{ ...snapshot({ sku: 'E-3', location: 'DAL', onHand: 1 }), balance: { onHand: -4 } }, '/balance/onHand'],
    ['not an object', '/'],
  ];
  const res = await hub.api('POST', '/v1/events', cases.map(([e]) => e));
  assert.equal(res.body.accepted, 0);
  assert.equal(res.body.rejected.length, cases.length);
  cases.forEach(([, path], i) => {
    const r = res.body.rejected.find((x: { index: number }) => x.index === i);
    assert.ok(r, `case ${i} rejected`);
    assert.ok(r.errors.some((e: { path: string }) => e.path === path), `case ${i}: expected an error at ${path}, got ${JSON.stringify(r.errors)}`);
  });
});

test('answers malformed JSON, a non-array body and an oversized batch with problem+json naming the problem', async () => {
  const malformed = await hub.api('POST', '/v1/events', undefined, { raw: '[{"id": "x",' });
  assert.equal(malformed.status, 400);
  assert.match(malformed.headers.get('content-type')!, /application\/problem\+json/);
  assert.equal(malformed.body.type, 'urn:crossdock:problem:malformed_json');
  assert.equal(malformed.body.status, 400);
  assert.ok(malformed.body.detail);

  const notArray = await hub.api('POST', '/v1/events', { id: 'x' });
  assert.equal(notArray.status, 400);
  assert.equal(notArray.body.errors[0].path, '/');

  const tooMany = await hub.api('POST', '/v1/events', Array.from({ length: 10_001 }, () => ({})));
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.body.errors[0].message, /10000/);
});

test('parks events for an undefined location, lists them with the reason, and applies them once it is defined', async () => {
  const res = await hub.api('POST', '/v1/events', [
    snapshot({ source: 'tpl-rno', seq: 1, sku: 'P-1', location: 'RNO', onHand: 30 }),
    movement({ source: 'tpl-rno', seq: 2, sku: 'P-1', location: 'RNO', delta: { onHand: -4 } }),
  ]);
  assert.equal(res.body.accepted, 2);
  assert.equal(res.body.parked.length, 2);
  assert.match(res.body.parked[0].reason, /location 'RNO' is not defined/);
  const listed = await hub.api('GET', '/v1/events/parked?location=RNO');
  assert.equal(listed.body.parked.length, 2);

  const defined = await hub.api('PUT', '/v1/locations/RNO', { name: 'Reno 3PL', authority: 'tpl-rno' });
  assert.equal(defined.status, 201);
  assert.equal(defined.body.released, 2);
  assert.equal((await hub.api('GET', '/v1/events/parked?location=RNO')).body.parked.length, 0);
  await hub.api('PUT', '/v1/channels/reno-only', { locations: ['RNO'] });
  assert.equal((await hub.api('GET', '/v1/availability/P-1?channel=reno-only')).body.available, 26);
  // Duplicates of parked events stay duplicates.
  const again = await hub.api('POST', '/v1/events', [snapshot({ source: 'tpl-rno', seq: 1, sku: 'P-1', location: 'RNO', onHand: 30 })]);
  assert.equal(again.body.duplicates, 1);
});

test('reads the log back in order from a position', async () => {
  const head = (await hub.api('GET', '/healthz')).body.position;
  await hub.api('POST', '/v1/events', [movement({ source: 'wms-dal', seq: 400, sku: 'L-1', location: 'DAL', delta: { onHand: 2 } }), movement({ source: 'wms-dal', seq: 401, sku: 'L-1', location: 'DAL', delta: { onHand: 3 } })]);
  const log = await hub.api('GET', `/v1/events?after=${head}`);
  assert.deepEqual(log.body.events.map((e: { position: number; event: { seq: number } }) => [e.position, e.event.seq]), [[head + 1, 400], [head + 2, 401]]);
  assert.equal(log.body.next, head + 2);
});
