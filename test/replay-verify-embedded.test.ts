/**
 * `crossdock replay --verify` on the embedded backend shown a damaged ledger: the checkpoint the
 * hub restarts from is changed behind its back (a stock position and a published figure), and the
 * command names each difference and exits 3; on the undamaged store it exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCliSync } from './support/hub-process.js';
import { movement, NETWORK, snapshot, startTestHub } from './support/test-hub.js';

test('replay --verify names a damaged checkpoint position and figure and exits 3', async () => {
  const hub = await startTestHub({ file: NETWORK });
  const dataDir = hub.dataDir;
  try {
    const res = await hub.api('POST', '/v1/events', [
      snapshot({ source: 'wms-dal', seq: 1, sku: 'V-1', location: 'DAL', onHand: 10 }),
      movement({ source: 'wms-dal', seq: 2, sku: 'V-1', location: 'DAL', delta: { onHand: -3 } }),
      snapshot({ source: 'wms-atl', seq: 1, sku: 'V-2', location: 'ATL', onHand: 4 }),
    ]);
    assert.equal(res.body.accepted, 3);
    // A clean stop writes the checkpoint the next start (and the verify) reads.
    await hub.stop({ keepData: true });

    const clean = runCliSync(['replay', '--verify', '--data-dir', dataDir]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /replayed 3 events into 2 stock positions/);
    assert.match(clean.stdout, /the ledger matches the log/);

    const db = new Database(join(dataDir, 'crossdock.db'));
    try {
      const position = db
        .prepare(
          `UPDATE stock_positions SET state = json_set(state, '$.buckets.onHand.base', json('{"":12}'), '$.buckets.onHand.total', 9)
           WHERE json_extract(state, '$.sku') = 'V-1'`,
        )
        .run();
      assert.equal(position.changes, 1);
      const figure = db.prepare("UPDATE channel_figures SET available = 50 WHERE channel = 'amazon' AND sku = 'V-1'").run();
      assert.equal(figure.changes, 1);
    } finally {
      db.close();
    }

    const damaged = runCliSync(['replay', '--verify', '--data-dir', dataDir]);
    assert.equal(damaged.code, 3, damaged.stdout + damaged.stderr);
    assert.match(damaged.stdout, /2 mismatches:/);
    assert.match(damaged.stdout, /V-1 at DAL from wms-dal: onHand is 9, replay gives 7/);
    assert.match(damaged.stdout, /V-1 on amazon: the feed last published 50, replay gives 5/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
