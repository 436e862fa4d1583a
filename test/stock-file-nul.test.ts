/**
 * A 3PL stock file whose SKU cell carries U+0000 has that row rejected with its line, on both
 * backends, and nothing stalls: PostgreSQL cannot store U+0000, and the snapshot made from such a
 * row stopped the scale-out worker until it was dead-lettered, so captures meanwhile failed 503
 * workers_behind (found by the fuzz suite). An empty order body is refused naming the body.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embedded, scaleOut, skipReason, type Backend } from './support/backends.js';
import { startOrderHarness, type OrderHarness } from './support/order-hub.js';
import { ADMIN_KEY, NETWORK } from './support/test-hub.js';
import { until } from './support/until.js';

for (const backend of [embedded, scaleOut] as Backend[]) {
  describe(`U+0000 in a stock file on the ${backend.name} backend`, { skip: await skipReason(backend) }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend, {
        file: {
          locations: { ...NETWORK.locations, FBA: { name: 'Amazon FBA', authority: 'amazon-fba' } },
          systems: {
            'amazon-fba': { type: 'csv-snapshot', location: 'FBA', delimiter: '\t', pollSeconds: 0.1, columns: { sku: 'sku', onHand: 'qty' } },
          },
        } as never,
      });
    });
    after(() => hub?.stop());

    test('the row is rejected with its line; the other rows and later captures go through', async () => {
      const inbox = join(hub.dataDir, 'inbox', 'amazon-fba');
      await until(
        'the inbox',
        async () => existsSync(inbox),
        (x) => x,
      );
      writeFileSync(join(inbox, 'nul.tsv'), 'sku\tqty\r\nNUL-1\t4\r\nNUL-\u0000-2\t5\r\n');
      const reportFile = join(inbox, 'processed', 'nul.tsv.result.json');
      const report = await until(
        'the report',
        async () => (existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined),
        (r) => r !== undefined,
      );
      assert.equal(report.accepted, 1);
      assert.deepEqual(
        report.rejected.map((r: { line: number }) => r.line),
        [3],
      );
      await hub.stock('ABC-100', 'DAL', 5);
      await hub.settled();
      const placed = await hub.order({ channel: 'queued', externalId: 'NUL-O-1', customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }] });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
    });

    test('an empty order body is refused naming the body', async () => {
      const res = await fetch(`${hub.url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': 'empty-1' },
        body: '',
      });
      assert.equal(res.status, 400);
      assert.deepEqual(((await res.json()) as { errors: unknown }).errors, [{ path: '/', message: 'the body is empty; send a JSON body' }]);
    });
  });
}
