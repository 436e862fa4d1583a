import { test } from 'node:test';
import assert from 'node:assert/strict';
import { movement, startTestHub, NETWORK } from './support/test-hub.js';

test('concurrent batches with overlapping duplicates: each event accepted exactly once, positions unique and dense', async () => {
  const hub = await startTestHub({ file: NETWORK });
  try {
    // 20 clients; each sends 500 events of which half are also sent by its neighbour.
    const eventOf = (n: number) => movement({ source: 'wms-dal', seq: n, id: `e-${n}`, sku: `C-${n % 25}`, location: 'DAL', delta: { onHand: 1 } });
    const batches = Array.from({ length: 20 }, (_, c) => Array.from({ length: 500 }, (_, i) => eventOf(c * 250 + i)));
    const answers = await Promise.all(batches.map((b) => hub.api('POST', '/v1/events', b)));
    const distinct = 19 * 250 + 500;
    assert.equal(
      answers.reduce((s, a) => s + a.body.accepted, 0),
      distinct,
    );
    assert.equal(
      answers.reduce((s, a) => s + a.body.duplicates, 0),
      20 * 500 - distinct,
    );
    const log = await hub.api('GET', '/v1/events?after=0&limit=10000');
    const positions = log.body.events.map((e: { position: number }) => e.position);
    assert.deepEqual(
      positions,
      Array.from({ length: distinct }, (_, i) => i + 1),
    );
    assert.equal(new Set(log.body.events.map((e: { event: { id: string } }) => e.event.id)).size, distinct);
    // Every unit landed once: 25 items share the distinct events evenly.
    const ex = await hub.api('GET', '/v1/availability/C-0/explain?channel=amazon');
    assert.equal(ex.body.locations[0].onHand, distinct / 25);
  } finally {
    await hub.stop();
  }
});
