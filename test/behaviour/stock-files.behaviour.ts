/**
 * A 3PL's stock files dropped in a folder, as both backends must take them: a real FBA inventory
 * report (../shared/fixtures) becomes snapshots of its location once, however often it is
 * dropped; a bad row is rejected with its line and field; an unreadable file goes to failed/ with
 * the reason; a file under a temporary name waits for its rename; a file of a name taken before is
 * archived beside the earlier one; a blank quantity is skipped and reported, each row counted in
 * the file's report and the metrics; a name quoted whole may hold the delimiter, and a row with
 * more fields than the header that quoting does not explain is refused with its line. Run by stock-files-embedded.test.ts and stock-files-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
            settleSeconds: 0.2,
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
      // The second file of that name is archived beside the first, which stays as it was.
      const secondReport = async () => {
        const name = readdirSync(join(inbox, 'processed')).find((f) => /^fba-2026-11-22\.\d{8}T\d{9}Z\.tsv\.result\.json$/.test(f));
        return name === undefined ? undefined : JSON.parse(readFileSync(join(inbox, 'processed', name), 'utf8'));
      };
      const again = await until('the second report', secondReport, (r) => r !== undefined);
      assert.deepEqual([again.accepted, again.duplicates, again.taken], [0, 12, 12]);
      assert.match(again.archivedAs, /^fba-2026-11-22\.\d{8}T\d{9}Z\.tsv$/);
      assert.equal(readFileSync(join(inbox, 'processed', again.archivedAs), 'utf8'), text);
      assert.equal(JSON.parse(readFileSync(join(inbox, 'processed', 'fba-2026-11-22.tsv.result.json'), 'utf8')).accepted, 12, 'the first report is kept');
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

    test('a name quoted whole may hold the delimiter; a row that still has too many fields is refused with its line, blank lines counted', async () => {
      writeFileSync(
        join(inbox, 'd-names.tsv'),
        'sku\tproduct-name\tafn-fulfillable-quantity\tafn-unsellable-quantity\r\n' +
          'QUOTED-1\t"Hose\t25 ft ""3/4"""\t9\t0\r\n' +
          'SPLIT-1\tHose\t25\t8\t0\r\n' +
          '\r\n' +
          'SPLIT-2\tClamp\t2\t4\t0\r\n',
      );
      const names = await report(join(inbox, 'processed', 'd-names.tsv.result.json'));
      assert.deepEqual([names.rows, names.taken, names.refused], [3, 1, 2]);
      assert.deepEqual(
        names.rejected.map((r: { line: number; outcome: string; message: string }) => [r.line, r.outcome, r.message]),
        [
          [3, 'refused', 'the row has 5 fields where the header has 4; a field holding the delimiter (a tab) must be quoted whole'],
          [5, 'refused', 'the row has 5 fields where the header has 4; a field holding the delimiter (a tab) must be quoted whole'],
        ],
      );
      assert.equal(await available('QUOTED-1', 9), 9);
      // Read by position, SPLIT-1 would have shown 25 (its name's second half) with 8 unsellable.
      const split = (await hub.api('GET', '/v1/availability/SPLIT-1?channel=amazon')).body.available;
      assert.ok(split !== 25 && split !== 17, `SPLIT-1 was not taken, yet shows ${split}`);
    });

    test('a file under a temporary name waits for its rename; a blank quantity is skipped and reported; every row counted', async () => {
      const rows = 'SKU\t"AFN-Fulfillable-Quantity"\t afn-unsellable-quantity \r\nBLANK-1\t\t0\r\nKEPT-1\t4\t0\r\nBAD-2\t-1\t0\r\n';
      writeFileSync(join(inbox, 'c-late.tsv.part'), rows);
      // A file dropped after it is taken, so scans have passed the temporary one by.
      writeFileSync(join(inbox, 'c-marker.tsv'), 'sku\tafn-fulfillable-quantity\tafn-unsellable-quantity\r\nMARKER-1\t1\t0\r\n');
      await report(join(inbox, 'processed', 'c-marker.tsv.result.json'));
      assert.ok(existsSync(join(inbox, 'c-late.tsv.part')), 'the temporary file is left where it is');
      assert.equal(existsSync(join(inbox, 'processed', 'c-late.tsv.part.result.json')), false);
      renameSync(join(inbox, 'c-late.tsv.part'), join(inbox, 'c-late.tsv'));
      const late = await report(join(inbox, 'processed', 'c-late.tsv.result.json'));
      assert.deepEqual([late.rows, late.taken, late.skipped, late.refused], [3, 1, 1, 1]);
      assert.deepEqual(
        late.rejected.map((r: { line: number; outcome: string; message: string }) => [r.line, r.outcome]),
        [
          [2, 'skipped'],
          [4, 'refused'],
        ],
      );
      assert.match(late.rejected[0].message, /afn-fulfillable-quantity: blank; a blank quantity is not zero/);
      assert.equal(await available('KEPT-1', 4), 4);
      // The blank row changed nothing: the item is not known at the location at all.
      assert.notEqual((await hub.api('GET', '/v1/availability/BLANK-1?channel=amazon')).body.available, 0);
      const metrics = String((await hub.api('GET', '/metrics')).body);
      assert.match(metrics, /crossdock_inbound_file_rows_total\{system="amazon-fba",outcome="skipped"\} [1-9]/);
      assert.match(metrics, /crossdock_inbound_file_rows_total\{system="amazon-fba",outcome="refused"\} [1-9]/);
    });
  });
}
