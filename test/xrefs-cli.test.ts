/**
 * `crossdock xrefs import`: a CSV of cross-references reaches a running hub, each bad row is named
 * by its line and field, and a purchase order parked for want of one of them is captured by the
 * import alone, once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeInterchange } from '../src/connectors/edi-x12/x12-interchange.js';
import { startOrderHub } from './support/order-hub.js';
import { ADMIN_KEY, tempDataDir } from './support/test-hub.js';
import { until } from './support/until.js';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../bin/crossdock.js', import.meta.url)), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function purchaseOrder(): string {
  return writeInterchange({
    sender: { qualifier: 'ZZ', id: 'ACME' },
    receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
    control: 7,
    at: new Date('2026-12-06T10:00:00Z'),
    usage: 'P',
    groups: [
      {
        functionalId: 'PO',
        control: 7,
        transactions: [
          {
            set: '850',
            control: 1,
            segments: [
              ['BEG', '00', 'SA', 'PO-CLI', '', '20261206'],
              ['PO1', '1', '3', 'EA', '', '', 'BP', 'ELBOW-15'],
              ['CTT', '1'],
            ],
          },
        ],
      },
    ],
  });
}

test('xrefs import sends a CSV, names bad rows by line and field, and its mappings replay the purchase order parked for them', {
  timeout: 60_000,
}, async () => {
  const hub = await startOrderHub({
    file: {
      systems: {
        acme: {
          type: 'edi-x12',
          channel: 'queued',
          customer: 'C-42',
          itemQualifiers: ['BP'],
          pollSeconds: 0.1,
          us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
          partner: { qualifier: 'ZZ', id: 'ACME' },
        },
      },
    } as never,
  });
  try {
    await hub.stock('ABC-100', 'DAL', 20);
    const inbox = join(hub.dataDir, 'edi', 'acme', 'in');
    await until('the partner folder', async () => existsSync(inbox), Boolean);
    writeFileSync(join(inbox, 'po.edi'), purchaseOrder());
    await until(
      'the purchase order parked',
      async () => (await hub.api('GET', '/v1/inbound/parked?system=acme')).body.parked.length as number,
      (n) => n === 1,
    );
    const csv = join(tempDataDir(), 'xrefs.csv');
    writeFileSync(csv, 'scheme,external,id\nBP,ELBOW-15,ABC-100\nUP,036000291453,ABC-100\n');
    const env = { CROSSDOCK_URL: hub.url, CROSSDOCK_API_KEY: ADMIN_KEY };
    const r = await cli(['xrefs', 'import', csv, '--kind', 'item', '--system', 'acme'], env);
    assert.equal(r.code, 1, `exit 1 when a row was rejected: ${r.stderr}`);
    assert.match(r.stdout, /upserted 1, rejected 1, parked documents replayed 1/);
    assert.match(r.stdout, /line 3: external '036000291453' has a wrong check digit/);
    const orders = (await hub.api('GET', '/v1/orders?channel=queued&externalId=PO-CLI')).body.orders;
    assert.equal(orders.length, 1);
    assert.deepEqual(
      orders[0].lines.map((l: { sku: string; qty: number }) => [l.sku, l.qty]),
      [['ABC-100', 3]],
    );
    assert.equal(hub.erp.calls.place, 1);
    assert.equal((await cli(['xrefs', 'export'], env)).code, 2);
  } finally {
    await hub.stop();
  }
});
