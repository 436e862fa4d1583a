import { test } from 'node:test';
import assert from 'node:assert/strict';
import { movement, snapshot, startTestHub, NETWORK } from './support/test-hub.js';
import { refreshInboundHorizons } from '../src/app/refresh-inbound-horizons.js';

test('concurrent batches with overlapping duplicates: each event accepted exactly once, positions unique and dense', async () => {
  const hub = await startTestHub({ file: NETWORK });
  try {
    // 20 clients; each sends 500 events of which half are also sent by its neighbour.
    const eventOf = (n: number) => movement({ source: 'wms-dal', seq: n, id: `e-${n}`, sku: `C-${n % 25}`, location: 'DAL', delta: { onHand: 1 } });
    const batches = Array.from({ length: 20 }, (_, c) => Array.from({ length: 500 }, (_, i) => eventOf(c * 250 + i)));
    const answers = await Promise.all(batches.map((b) => hub.api('POST', '/v1/events', b)));
    const distinct = 19 * 250 + 500;
    assert.equal(answers.reduce((s, a) => s + a.body.accepted, 0), distinct);
    assert.equal(answers.reduce((s, a) => s + a.body.duplicates, 0), 20 * 500 - distinct);
    const log = await hub.api('GET', '/v1/events?after=0&limit=10000');
    const positions = log.body.events.map((e: { position: number }) => e.position);
    assert.deepEqual(positions, Array.from({ length: distinct }, (_, i) => i + 1));
    assert.equal(new Set(log.body.events.map((e: { event: { id: string } }) => e.event.id)).size, distinct);
    // Every unit landed once: 25 items share the distinct events evenly.
    const ex = await hub.api('GET', '/v1/availability/C-0/explain?channel=amazon');
    assert.equal(ex.body.locations[0].onHand, distinct / 25);
  } finally {
    await hub.stop();
  }
});

test('the inbound horizon sweep records the figure changes that time alone causes', async () => {
  let now = Date.parse('2026-11-22T12:00:00Z');
  const hub = await startTestHub({ file: NETWORK, clock: { now: () => now } });
  try {
    await hub.api('POST', '/v1/events', [
      snapshot({ source: 'wms-dal', sku: 'H-1', location: 'DAL', onHand: 3 }),
      movement({ source: 'wms-dal', sku: 'H-1', location: 'DAL', delta: { inbound: 40 }, eta: '2026-11-27T00:00:00Z' }),
    ]);
    const before = (await hub.api('GET', '/v1/channels/b2b/changes?after=0&limit=10000')).body;
    assert.deepEqual(before.changes.filter((c: { sku: string }) => c.sku === 'H-1').map((c: { available: number }) => c.available), [3]);
    now = Date.parse('2026-11-25T00:00:00Z');
    assert.equal(refreshInboundHorizons({ state: hub.state, store: hub.store, clock: { now: () => now } }), 1);
    const after = (await hub.api('GET', `/v1/channels/b2b/changes?after=${before.next}`)).body;
    assert.deepEqual(after.changes.map((c: { sku: string; previous: number; available: number }) => [c.sku, c.previous, c.available]), [['H-1', 3, 43]]);
    assert.equal(refreshInboundHorizons({ state: hub.state, store: hub.store, clock: { now: () => now } }), 0, 'nothing more moved');
  } finally {
    await hub.stop();
  }
});
