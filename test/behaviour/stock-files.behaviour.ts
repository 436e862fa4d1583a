/**
 * A 3PL's stock files dropped in a folder, as both backends must take them: a real FBA inventory
 * report (../shared/fixtures) becomes snapshots of its location once, however often it is
 * dropped; a bad row is rejected with its line and field; an unreadable file goes to failed/ with
 * the reason. Run by stock-files-embedded.test.ts and stock-files-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipReason, type Backend, type HarnessHub } from '../support/backends.js';
import { fixture, fixturesSkip } from '../support/fixtures.js';
import { until } from '../support/until.js';

export async function stockFileBehaviour(backend: Backend): Promise<void> {
  const skip = fixturesSkip() || (await skipReason(backend));
  describe(`3PL stock files on the ${backend.name} backend`, { skip }, () => {
    let hub: HarnessHub;
    let inbox: string;
    before(async () => {
      hub = await backend.start({
        locations: { FBA: { name: 'Amazon FBA', authority: 'amazon-fba' } },
        channels: { amazon: { locations: ['FBA'] } },
        systems: {
          'amazon-fba': {
            type: 'csv-snapshot',
            location: 'FBA',
            delimiter: '\t',
            pollSeconds: 0.1,
            columns: { sku: 'sku', onHand: 'afn-fulfillable-quantity', damaged: 'afn-unsellable-quantity' },
          },
        },
      } as never);
      inbox = join(hub.dataDir, 'inbox', 'amazon-fba');
    });
    after(async () => {
      await hub?.stop();
    });

    const report = (path: string) =>
      until(
        `${path} to appear`,
        async () => {
          try {
            return JSON.parse(readFileSync(path, 'utf8'));
          } catch {
            return undefined;
          }
        },
        (r) => r !== undefined,
      );
    // The figure shows once the lookup's read model has the snapshots (at once on the embedded backend).
    const available = (sku: string, expected: number) =>
      until(
        `${sku} to show ${expected}`,
        async () => (await hub.api('GET', `/v1/availability/${encodeURIComponent(sku)}?channel=amazon`)).body.available,
        (n) => n === expected,
      );

    test('an FBA inventory report dropped in the folder becomes snapshots of its location, once', async () => {
      const text = fixture('csv/amazon-fba-inventory.tsv');
      await until(
        'the inbox folder',
        async () => existsSync(inbox),
        (x) => x,
      );
      writeFileSync(join(inbox, 'fba-2026-11-22.tsv'), text);
      const first = await report(join(inbox, 'processed', 'fba-2026-11-22.tsv.result.json'));
      assert.equal(first.rows, 12);
      assert.equal(first.accepted, 12);
      assert.deepEqual(first.rejected, []);
      assert.equal(await available('697408927505', 5), 5);
      assert.equal(await available('630162817842', 2), 2);
      // The same file again (a 3PL re-sends it): nothing changes.
      writeFileSync(join(inbox, 'fba-2026-11-22.tsv'), text);
      await until(
        'the file to be taken again',
        async () => existsSync(join(inbox, 'fba-2026-11-22.tsv')),
        (present) => !present,
      );
      const readReport = async () => {
        try {
          return JSON.parse(readFileSync(join(inbox, 'processed', 'fba-2026-11-22.tsv.result.json'), 'utf8'));
        } catch {
          return undefined;
        }
      };
      const again = await until('the second report', readReport, (r) => r?.duplicates === 12);
      assert.deepEqual([again.accepted, again.duplicates], [0, 12]);
      assert.equal(await available('697408927505', 5), 5);
    });

    test('a bad row is rejected with its line and field; a file without the columns goes to failed/ with the reason', async () => {
      writeFileSync(
        join(inbox, 'a-bad-row.csv'),
        'sku\tafn-fulfillable-quantity\tafn-unsellable-quantity\r\nGOOD-1\t7\t1\r\nBAD-1\tseven\t0\r\nGOOD-1\t3\t0\r\n',
      );
      const bad = await report(join(inbox, 'processed', 'a-bad-row.csv.result.json'));
      assert.equal(bad.accepted, 1);
      assert.deepEqual(
        bad.rejected.map((r: { line: number }) => r.line),
        [3, 4],
      );
      assert.match(bad.rejected[0].message, /afn-fulfillable-quantity: 'seven' is not a non-negative number/);
      assert.equal(await available('GOOD-1', 6), 6, '7 on hand, 1 unsellable');
      writeFileSync(join(inbox, 'b-wrong.csv'), 'item,qty\nX,1\n');
      await until(
        'the failed file',
        async () => existsSync(join(inbox, 'failed', 'b-wrong.csv.error.txt')),
        (x) => x,
      );
      assert.match(readFileSync(join(inbox, 'failed', 'b-wrong.csv.error.txt'), 'utf8'), /no column 'sku'/);
      assert.equal((await hub.api('GET', '/healthz')).status, 200, 'the hub carries on');
    });
  });
}
