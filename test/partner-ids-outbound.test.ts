/**
 * Outbound documents in the partner's ids: every destination is wrapped once (PartnerIdsDestination),
 * and the EDI writer names each item under the partner's first qualifier it has an id for (856,
 * 810, 940, 846), a 940 the 3PL's warehouse code, and a marketplace payload its seller SKU; the
 * 856 and 810 of an order the partner sent by 850 echo its own lines. The files are checked with
 * node-x12's strict parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X12Parser } from 'node-x12';
import { openDatabase } from '../src/adapters/sqlite/open-database.js';
import { SqliteControlNumbers } from '../src/adapters/sqlite/sqlite-control-numbers.js';
import { SqliteCrossReferenceStore } from '../src/adapters/sqlite/sqlite-cross-reference-store.js';
import { SqlitePartnerOrderLines } from '../src/adapters/sqlite/sqlite-partner-order-lines.js';
import { CrossReferences } from '../src/app/master-data/cross-references.js';
import { PartnerIdsDestination } from '../src/app/delivery/speak-partner-ids.js';
import { EdiOutbound } from '../src/connectors/edi-x12/edi-outbound.js';
import { readInterchange } from '../src/connectors/edi-x12/x12-interchange.js';
import type { Destination, OutgoingMessage } from '../src/ports/destination.js';
import { tempDataDir } from './support/test-hub.js';

async function setUp() {
  const dir = tempDataDir();
  const db = openDatabase(dir);
  const xrefs = new CrossReferences({ store: new SqliteCrossReferenceStore(db), baseUnit: () => 'EA' });
  await xrefs.define([
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'ELBOW-15', id: 'ABC-100' },
    { kind: 'item', system: 'acme', scheme: 'UP', external: '036000291452', id: 'ABC-100' },
    { kind: 'item', system: 'other', scheme: 'BP', external: 'NOT-ACME', id: 'XYZ-200' },
    { kind: 'location', system: 'acme', scheme: 'warehouse', external: 'RNO-01', id: 'RNO' },
  ]);
  return { dir, db, xrefs };
}

const message = (topic: string, payload: unknown, n = 1): OutgoingMessage => ({ idempotencyKey: `k-${topic}-${n}`, topic, key: 'o-1', payload });

test("856, 810 and 940 name items under the partner's qualifiers, in its order of preference, and the 940 its warehouse", async () => {
  const { dir, db, xrefs } = await setUp();
  const folder = join(dir, 'edi');
  const edi = new EdiOutbound({
    id: 'acme',
    folder,
    us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
    partner: { qualifier: 'ZZ', id: 'ACME' },
    usage: 'P',
    controls: new SqliteControlNumbers(db),
    itemQualifiers: ['UP', 'BP'],
    now: () => Date.parse('2026-12-06T12:00:00Z'),
  });
  const lines = [
    { sku: 'ABC-100', qty: 24 },
    { sku: 'XYZ-200', qty: 2 },
  ];
  await new PartnerIdsDestination(edi, xrefs).send([
    message('shipment.confirmed', { orderId: 'o-1', externalId: 'PO-1', location: 'DAL', lines, shippedAt: '2026-12-06T11:00:00Z' }),
    message('order.invoiced', {
      orderId: 'o-1',
      externalId: 'PO-1',
      invoiceNumber: 'INV-1',
      invoicedAt: '2026-12-06T11:30:00Z',
      lines: lines.map((l) => ({ ...l, unitPrice: 2.5 })),
    }),
    message('fulfilment.request', { orderId: 'o-1', externalId: 'PO-1', customer: 'C-42', location: 'RNO', lines }),
  ]);
  const [file] = readdirSync(join(folder, 'out'));
  const text = readFileSync(join(folder, 'out', file!), 'utf8');
  new X12Parser(true).parse(text);
  const segments = readInterchange(text)
    .groups.flatMap((g) => g.transactions.flatMap((t) => t.segments))
    .map((s) => s.join('*'));
  assert.ok(segments.includes('LIN**UP*036000291452'), 'the UPC, first of the qualifiers it has');
  assert.ok(segments.includes('LIN**VN*XYZ-200'), "no id of acme's: the hub's SKU under VN (another partner's id is not acme's)");
  assert.ok(segments.includes('IT1*1*24*EA*2.5**UP*036000291452'));
  assert.ok(segments.includes('W01*24*EA**UP*036000291452'));
  assert.ok(segments.includes('N1*WH**92*RNO-01'), "the 3PL's own code of the location");
});

test("a marketplace is given its seller SKU and a channel selling cases whole cases only; what the wrapped destination sees is the hub's message plus the partner's ids", async () => {
  const { xrefs } = await setUp();
  await xrefs.define([{ kind: 'item', system: 'amazon', scheme: 'seller_sku', external: 'ELBOW-12PK', id: 'ABC-100' }]);
  await xrefs.defineUnits('ABC-100', { CA: 12 });
  const seen: OutgoingMessage[] = [];
  const inner: Destination = { id: 'amazon', maxBatch: 1, send: async (m) => void seen.push(...m) };
  await new PartnerIdsDestination(inner, xrefs, 'CA').send([
    message('availability.changed', { sku: 'ABC-100', available: 35 }),
    message('availability.changed', { sku: 'XYZ-200', available: 50 }, 2),
  ]);
  assert.deepEqual(
    seen.map((m) => m.payload),
    [
      { sku: 'ABC-100', available: 2, ids: { seller_sku: 'ELBOW-12PK' }, unit: 'CA' },
      { sku: 'XYZ-200', available: 0, unit: 'CA' },
    ],
  );
});

test("an order the partner sent with its own lines: its 856 and 810 echo them (a line it did not send is not numbered), its 940 and another system's documents do not", async () => {
  const { dir, db, xrefs } = await setUp();
  const orderLines = new SqlitePartnerOrderLines(db);
  await orderLines.keep('o-1', 'acme', [
    {
      sku: 'ABC-100',
      lineId: '3',
      unit: 'CA',
      factor: 12,
      base: 'EA',
      products: [
        ['BP', 'ELBOW-15'],
        ['UP', '036000291452'],
      ],
    },
  ]);
  const folder = join(dir, 'edi');
  const edi = new EdiOutbound({
    id: 'acme',
    folder,
    us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
    partner: { qualifier: 'ZZ', id: 'ACME' },
    usage: 'P',
    controls: new SqliteControlNumbers(db),
    itemQualifiers: ['UP', 'BP'],
    now: () => Date.parse('2026-12-06T12:00:00Z'),
  });
  const lines = (elbows: number) => [
    { sku: 'ABC-100', qty: elbows },
    { sku: 'XYZ-200', qty: 2 },
  ];
  await new PartnerIdsDestination(edi, xrefs, undefined, orderLines).send([
    message('shipment.confirmed', { orderId: 'o-1', externalId: 'PO-1', location: 'DAL', lines: lines(24), shippedAt: '2026-12-06T11:00:00Z' }),
    message('order.invoiced', {
      orderId: 'o-1',
      externalId: 'PO-1',
      invoiceNumber: 'INV-1',
      invoicedAt: '2026-12-06T11:30:00Z',
      lines: lines(18).map((l) => ({ ...l, unitPrice: 0.75 })),
    }),
    message('fulfilment.request', { orderId: 'o-1', externalId: 'PO-1', customer: 'C-42', location: 'RNO', lines: lines(24) }),
  ]);
  const [file] = readdirSync(join(folder, 'out'));
  const text = readFileSync(join(folder, 'out', file!), 'utf8');
  new X12Parser(true).parse(text);
  const segments = readInterchange(text)
    .groups.flatMap((g) => g.transactions.flatMap((t) => t.segments))
    .map((s) => s.join('*'));
  const after = (first: string, n: number) => segments.slice(segments.indexOf(first), segments.indexOf(first) + n);
  assert.deepEqual(after('LIN*3*BP*ELBOW-15*UP*036000291452', 2), ['LIN*3*BP*ELBOW-15*UP*036000291452', 'SN1**2*CA'], '24 each are 2 of its cases');
  assert.ok(segments.includes('LIN**VN*XYZ-200'), 'a line the partner did not send: ours');
  assert.ok(segments.includes('IT1*3*18*EA*0.75**BP*ELBOW-15*UP*036000291452'), '18 each are 1.5 cases: said in eaches at the price of one');
  assert.ok(segments.includes('IT1**2*EA*0.75**VN*XYZ-200'), "not numbered: the numbers are the partner's");
  assert.ok(segments.includes('W01*24*EA**UP*036000291452'), 'the 940 goes to a 3PL in the hub terms');

  // Another system's documents of the same order are not given acme's lines.
  const seen: OutgoingMessage[] = [];
  const other: Destination = { id: 'globex', maxBatch: 10, send: async (m) => void seen.push(...m) };
  await new PartnerIdsDestination(other, xrefs, undefined, orderLines).send([
    message('shipment.confirmed', { orderId: 'o-1', externalId: 'PO-1', location: 'DAL', lines: lines(24), shippedAt: '2026-12-06T11:00:00Z' }),
  ]);
  assert.ok(
    (seen[0]!.payload as { lines: object[] }).lines.every((l) => !('asOrdered' in l)),
    JSON.stringify(seen[0]!.payload),
  );
});
