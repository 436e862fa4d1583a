import { test } from 'node:test';
import assert from 'node:assert/strict';
import { movement, snapshot, startTestHub, NETWORK } from './support/test-hub.js';
import { startOrderHub } from './support/order-hub.js';

test('a commit that fails leaves nothing applied: the client gets 503, memory is rebuilt from disk, and a retry applies once', async () => {
  const hub = await startTestHub({ file: NETWORK });
  try {
    await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'SF-1', location: 'DAL', onHand: 10 })]);
    const before = await hub.api('GET', '/v1/availability/SF-1?channel=amazon');
    assert.equal(before.body.available, 8);

    // The disk fails after the hub has decided what the batch does, before the commit lands.
    const real = hub.store.commitIngest.bind(hub.store);
    hub.store.commitIngest = (keys, decide) =>
      real(keys, (fresh) => {
        decide(fresh);
        throw new Error('SQLITE_IOERR: disk I/O error');
      });
    const batch = [movement({ source: 'wms-dal', seq: 2, sku: 'SF-1', location: 'DAL', delta: { onHand: 90 } })];
    const failed = await hub.api('POST', '/v1/events', batch);
    assert.equal(failed.status, 503);
    assert.equal(failed.body.type, 'urn:crossdock:problem:storage_failed');
    const during = await hub.api('GET', '/v1/availability/SF-1?channel=amazon');
    assert.deepEqual([during.body.available, during.body.position], [8, before.body.position]);
    assert.equal(
      (await hub.api('GET', '/v1/channels/amazon/changes?after=0&limit=10000')).body.changes.filter((c: { sku: string }) => c.sku === 'SF-1').length,
      1,
    );

    hub.store.commitIngest = real;
    const retried = await hub.api('POST', '/v1/events', batch);
    assert.deepEqual([retried.body.accepted, retried.body.duplicates], [1, 0]);
    assert.equal((await hub.api('GET', '/v1/availability/SF-1?channel=amazon')).body.available, 80);
  } finally {
    await hub.stop();
  }
});

test('a periodic checkpoint that fails undoes only itself: orders captured meanwhile land, what it half wrote is rolled back', {
  timeout: 30_000,
}, async () => {
  const hub = await startOrderHub({ config: { checkpointIntervalMs: 5 } });
  try {
    await hub.stock('ABC-100', 'DAL', 100);
    const real = hub.store.saveCheckpoint.bind(hub.store);
    let failures = 0;
    // The disk fails in the middle of every checkpoint: one row written, then an error.
    hub.store.saveCheckpoint = () =>
      hub.store.db.transaction(() => {
        hub.store.db.prepare('INSERT OR REPLACE INTO stock_positions (key, state) VALUES (?, ?)').run('half-written', '{}');
        failures++;
        throw new Error('SQLITE_IOERR: disk I/O error');
      })();
    // Checkpoints keep failing while these orders are captured.
    const answers = [];
    for (let round = 0; round < 10; round++) {
      answers.push(
        ...(await Promise.all(
          [0, 1, 2].map((k) => hub.order({ channel: 'queued', externalId: `CK-${round}-${k}`, customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }] })),
        )),
      );
      await new Promise((r) => setTimeout(r, 6));
    }
    assert.ok(failures >= 2, `${failures} checkpoints ran`);
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 201),
    );
    assert.equal(hub.store.db.prepare("SELECT count(*) FROM orders WHERE external_id LIKE 'CK-%'").pluck().get(), 30);
    assert.equal(hub.store.db.prepare("SELECT count(*) FROM stock_positions WHERE key = 'half-written'").pluck().get(), 0);
    assert.equal(await hub.available('ABC-100'), 70);
    hub.store.saveCheckpoint = real;
  } finally {
    await hub.stop();
  }
});
