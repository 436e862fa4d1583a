import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnHub, killHard, stopGracefully, runCliSync } from './support/hub-process.js';
import { tempDataDir } from './support/test-hub.js';
import { until } from './support/until.js';
import Database from 'better-sqlite3';

const KEY = 'restart-admin-key-0123456789';
const CONFIG = `
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
channels:
  web: { locations: [DAL], safetyStock: 1 }
`;

async function post(url: string, path: string, body: unknown) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
async function get(url: string, path: string) {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${KEY}` } });
  return { status: res.status, body: (await res.json()) as any };
}

/** The log position the last checkpoint in the data directory covers (read beside the running hub: WAL readers do not block it). */
function checkpointPosition(dataDir: string): number {
  const db = new Database(join(dataDir, 'crossdock.db'), { readonly: true });
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'checkpoint'").get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as { position: number }).position : 0;
  } finally {
    db.close();
  }
}

function events(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `wms-dal-${from + i}`,
    type: 'inventory.movement',
    source: 'wms-dal',
    seq: from + i,
    occurredAt: '2026-11-22T10:00:00Z',
    sku: `SKU-${(from + i) % 200}`,
    location: (from + i) % 10 === 0 ? 'PARKED' : 'DAL',
    reason: 'receipt',
    delta: { onHand: 1 + ((from + i) % 3) },
  }));
}

test('after kill -9 following acknowledged ingest, a restarted hub has every event, the same figures and a verifiable ledger', async () => {
  const dataDir = tempDataDir();
  const configFile = join(dataDir, 'hub.yaml');
  writeFileSync(configFile, CONFIG);
  const env = { CROSSDOCK_DATA_DIR: dataDir, CROSSDOCK_CONFIG: configFile, CROSSDOCK_ADMIN_KEY: KEY, CROSSDOCK_CHECKPOINT_MS: '2000' };
  try {
    let hub = await spawnHub(env);
    // Some events land before a checkpoint, the rest after it: recovery needs both the checkpoint and the log tail.
    const first = await post(hub.url, '/v1/events', events(1, 3000));
    assert.equal(first.body.accepted, 3000);
    // The checkpoint has landed before the kill (every 2 s, so the next one comes well after it).
    const checkpointed = await until(
      'a checkpoint covering the first batch',
      async () => checkpointPosition(dataDir),
      (p) => p >= first.body.position,
    );
    const acknowledged = await Promise.all([post(hub.url, '/v1/events', events(3001, 2000)), post(hub.url, '/v1/events', events(5001, 2000))]);
    assert.ok(acknowledged.every((a) => a.body.accepted === 2000));
    const position = Math.max(...acknowledged.map((a) => a.body.position));
    const before = await post(hub.url, '/v1/availability/query', { channel: 'web', skus: Array.from({ length: 200 }, (_, i) => `SKU-${i}`) });
    const feedBefore = await get(hub.url, '/v1/channels/web/changes?limit=10000');
    await killHard(hub);
    const atKill = checkpointPosition(dataDir);
    assert.ok(atKill >= checkpointed, 'the checkpoint survived the kill');
    assert.ok(atKill < position, `the acknowledged tail after checkpoint ${atKill} (up to ${position}) is only in the log`);

    hub = await spawnHub(env);
    const after = await post(hub.url, '/v1/availability/query', { channel: 'web', skus: Array.from({ length: 200 }, (_, i) => `SKU-${i}`) });
    assert.ok(after.body.position >= position, `position ${after.body.position} ≥ acknowledged ${position}`);
    assert.deepEqual(after.body.items, before.body.items);
    const parked = await get(hub.url, '/v1/events/parked?limit=10000');
    assert.equal(parked.body.parked.length, 700);
    // Resending everything after the crash changes nothing: all duplicates.
    const resent = await post(hub.url, '/v1/events', events(1, 7000));
    assert.deepEqual([resent.body.accepted, resent.body.duplicates], [0, 7000]);
    // The change feed survived and goes on from where it was.
    await post(hub.url, '/v1/events', [{ ...events(9001, 1)[0], location: 'DAL', sku: 'SKU-1' }]);
    const feedAfter = await get(hub.url, `/v1/channels/web/changes?after=${feedBefore.body.next}`);
    assert.deepEqual(
      feedAfter.body.changes.map((c: { cursor: number; sku: string }) => [c.cursor, c.sku]),
      [[feedBefore.body.next + 1, 'SKU-1']],
    );
    assert.equal(await stopGracefully(hub), 0);

    const verify = runCliSync(['replay', '--verify', '--data-dir', dataDir]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /replayed 7001 events/);
    assert.match(verify.stdout, /the ledger matches the log/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
