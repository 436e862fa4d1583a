import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestHub, type TestHub } from './support/test-hub.js';
import { fixture, fixturesSkip } from './support/fixtures.js';

const skip = fixturesSkip();
let hub: TestHub;
let inbox: string;

before(async () => {
  if (skip) return;
  hub = await startTestHub({
    file: {
      locations: { FBA: { name: 'Amazon FBA', authority: 'amazon-fba' } },
      channels: { amazon: { locations: ['FBA'] } },
      systems: {
        'amazon-fba': {
          type: 'csv-snapshot', location: 'FBA', delimiter: '\t', pollSeconds: 0.1,
          columns: { sku: 'sku', onHand: 'afn-fulfillable-quantity', damaged: 'afn-unsellable-quantity' },
        },
      },
    } as never,
  });
  inbox = join(hub.dataDir, 'inbox', 'amazon-fba');
});
after(async () => { await hub?.stop(); });

const waitFor = async (path: string) => {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(existsSync(path), `${path} never appeared`);
};
const available = async (sku: string) => (await hub.api('GET', `/v1/availability/${encodeURIComponent(sku)}?channel=amazon`)).body.available;

test('an FBA inventory report dropped in the folder becomes snapshots of its location, once', { skip }, async () => {
  const text = fixture('csv/amazon-fba-inventory.tsv');
  writeFileSync(join(inbox, 'fba-2026-11-22.tsv'), text);
  await waitFor(join(inbox, 'processed', 'fba-2026-11-22.tsv.result.json'));
  const report = JSON.parse(readFileSync(join(inbox, 'processed', 'fba-2026-11-22.tsv.result.json'), 'utf8'));
  assert.equal(report.rows, 12);
  assert.equal(report.accepted, 12);
  assert.deepEqual(report.rejected, []);
  assert.equal(await available('697408927505'), 5);
  assert.equal(await available('630162817842'), 2);
  // The same file again (a 3PL re-sends it): nothing changes.
  writeFileSync(join(inbox, 'fba-2026-11-22.tsv'), text);
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 200 && existsSync(join(inbox, 'fba-2026-11-22.tsv')); i++) await new Promise((r) => setTimeout(r, 25));
  const again = JSON.parse(readFileSync(join(inbox, 'processed', 'fba-2026-11-22.tsv.result.json'), 'utf8'));
  assert.deepEqual([again.accepted, again.duplicates], [0, 12]);
  assert.equal(await available('697408927505'), 5);
});

test('a bad row is rejected with its line and field; a file without the columns goes to failed/ with the reason', { skip }, async () => {
  writeFileSync(join(inbox, 'a-bad-row.csv'), 'sku\tafn-fulfillable-quantity\tafn-unsellable-quantity\r\nGOOD-1\t7\t1\r\nBAD-1\tseven\t0\r\nGOOD-1\t3\t0\r\n');
  await waitFor(join(inbox, 'processed', 'a-bad-row.csv.result.json'));
  const report = JSON.parse(readFileSync(join(inbox, 'processed', 'a-bad-row.csv.result.json'), 'utf8'));
  assert.equal(report.accepted, 1);
  assert.deepEqual(report.rejected.map((r: { line: number }) => r.line), [3, 4]);
  assert.match(report.rejected[0].message, /afn-fulfillable-quantity: 'seven' is not a non-negative number/);
  assert.equal(await available('GOOD-1'), 6, '7 on hand, 1 unsellable');
  writeFileSync(join(inbox, 'b-wrong.csv'), 'item,qty\nX,1\n');
  await waitFor(join(inbox, 'failed', 'b-wrong.csv.error.txt'));
  assert.match(readFileSync(join(inbox, 'failed', 'b-wrong.csv.error.txt'), 'utf8'), /no column 'sku'/);
  assert.equal((await hub.api('GET', '/healthz')).status, 200, 'the hub carries on');
});
