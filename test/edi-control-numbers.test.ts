/**
 * README, EDI partners: control numbers are never reused, across a restart of the embedded hub and
 * across scale-out api processes, and a partner's folder is taken by one api process at a time
 * (a lease; another takes it over when the holder stops). Purchase orders (850) are written here,
 * so the suite needs no fixtures; every answer's ISA13 is in its file name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { writeInterchange } from '../src/connectors/edi-x12/x12-interchange.js';
import type { HubFile } from '../src/config/hub-config.js';
import { startScaleOutHub, type ScaleOutHub } from '../src/wiring/scale-out-hub.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { orderNetwork } from './support/order-hub.js';
import { apiClient, snapshot, startTestHub, tempDataDir, testConfig } from './support/test-hub.js';
import { until } from './support/until.js';

const ACME = {
  type: 'edi-x12',
  channel: 'queued',
  customer: 'C-42',
  pollSeconds: 0.1,
  us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
  partner: { qualifier: 'ZZ', id: 'ACMEPLUMB' },
};

function purchaseOrder(po: string, control: number): string {
  return writeInterchange({
    sender: { qualifier: 'ZZ', id: 'ACMEPLUMB' },
    receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
    control,
    at: new Date('2026-11-22T09:00:00Z'),
    usage: 'P',
    groups: [
      {
        functionalId: 'PO',
        control,
        transactions: [
          {
            set: '850',
            control: 1,
            segments: [
              ['BEG', '00', 'SA', po, '', '20261122'],
              ['PO1', '1', '2', 'EA', '', '', 'VN', 'ABC-100'],
            ],
          },
        ],
      },
    ],
  });
}

const answers = (dir: string) => (existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []);
/** The ISA13 of every interchange the hub wrote. */
const controlNumbers = (dir: string) => answers(dir).map((f) => Number(/-(\d+)\.edi$/.exec(f)![1]));
const answered = (dir: string, set: '997' | '855') => answers(dir).filter((f) => f.startsWith(set)).length;

async function dropOrders(dir: string, from: number, count: number): Promise<void> {
  await until(
    'the partner folder',
    async () => existsSync(join(dir, 'in')),
    (ok) => ok,
  );
  for (let i = from; i < from + count; i++) writeFileSync(join(dir, 'in', `po-${i}.edi`), purchaseOrder(`PO-${i}`, 1000 + i));
  await until(
    `855s for the purchase orders through PO-${from + count - 1}`,
    async () => answered(dir, '855'),
    (n) => n >= from + count - 1,
    30_000,
  );
}

test('EDI control numbers go on after the last one used when the embedded hub restarts', { timeout: 60_000 }, async () => {
  const erp = new ErpSimulator();
  const file = { ...orderNetwork(await erp.start(), {}), systems: { acme: ACME } } as HubFile;
  const dataDir = tempDataDir();
  const dir = join(dataDir, 'edi', 'acme');
  let hub = await startTestHub({ file, dataDir });
  try {
    await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'ABC-100', location: 'DAL', onHand: 100 })]);
    await dropOrders(dir, 1, 2);
    const before = controlNumbers(dir);
    await hub.stop({ keepData: true });
    hub = await startTestHub({ file, dataDir });
    await dropOrders(dir, 3, 2);
    const after = controlNumbers(dir).filter((c) => !before.includes(c));
    // A 997 and an 855 for each of the two orders (and the 846 inventory advice the partner gets).
    assert.ok(after.length >= 4, answers(dir).join(', '));
    assert.ok(Math.min(...after) > Math.max(...before), `after the restart ${after.join(', ')} follow ${before.join(', ')}`);
    assert.equal(new Set(controlNumbers(dir)).size, answers(dir).length, 'no control number used twice');
  } finally {
    await hub.stop();
    await erp.close();
  }
});

const skip = await skipReason(scaleOut);

test('two scale-out api processes share one EDI folder by lease: each purchase order taken once, no control number used twice', {
  skip,
  timeout: 90_000,
}, async () => {
  const erp = new ErpSimulator();
  const file = { ...orderNetwork(await erp.start(), {}), systems: { acme: ACME } } as HubFile;
  const namespace = `t_${randomBytes(5).toString('hex')}`;
  // One data directory, so both processes watch the same partner folder, as on a shared volume.
  const dataDir = tempDataDir();
  const dir = join(dataDir, 'edi', 'acme');
  const start = () =>
    startScaleOutHub({
      config: testConfig(dataDir, file, { backend: 'scale-out', scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'all', namespace } }),
      logger: false,
    });
  let first: ScaleOutHub | undefined;
  let second: ScaleOutHub | undefined;
  try {
    first = await start();
    second = await start();
    const api = apiClient(second.url);
    const stocked = await api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'ABC-100', location: 'DAL', onHand: 100 })]);
    await until(
      'both read models to show the stock',
      async () => Math.min(first!.view!.position, second!.view!.position),
      (p) => p >= stocked.body.position,
    );
    await dropOrders(dir, 1, 4);
    // Whichever process held the folder stops; the other takes it over (its lease retry is 2 s).
    await first.close();
    first = undefined;
    await dropOrders(dir, 5, 4);
    const orders = (await api('GET', '/v1/orders?channel=queued&limit=100')).body.orders as { externalId: string }[];
    assert.deepEqual(orders.map((o) => o.externalId).sort(), ['PO-1', 'PO-2', 'PO-3', 'PO-4', 'PO-5', 'PO-6', 'PO-7', 'PO-8']);
    assert.deepEqual([answered(dir, '997'), answered(dir, '855')], [8, 8], 'each purchase order answered once');
    const controls = controlNumbers(dir);
    assert.equal(new Set(controls).size, controls.length, `no control number used twice: ${controls.sort((a, b) => a - b).join(', ')}`);
  } finally {
    await first?.close();
    await second?.close();
    await erp.close();
    await dropSchema(DATABASE_URL, namespace);
    const { JetStreamEventLog } = await import('../src/adapters/nats/jetstream-event-log.js');
    const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
    await log.destroy();
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
