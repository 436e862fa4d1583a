/**
 * The echo of a partner's own 850 lines on the 856 and 810 answering its order: what the wrapped
 * destination (the EDI writer) is handed, per line, as the partner wrote it (`asOrdered`), and
 * which orders' lines are read for a batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../adapters/sqlite/open-database.js';
import { SqliteCrossReferenceStore } from '../../adapters/sqlite/sqlite-cross-reference-store.js';
import { SqlitePartnerOrderLines } from '../../adapters/sqlite/sqlite-partner-order-lines.js';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import type { PartnerOrderLine } from '../../domain/orders/partner-order-lines.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import type { PartnerOrderLines } from '../../ports/partner-order-lines.js';
import { CrossReferences } from '../master-data/cross-references.js';
import { PartnerIdsDestination } from './speak-partner-ids.js';

function memoryDb() {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return db;
}

/** The partner's line 3: elbows in cases of 12, named by its part number and the UPC. */
const ELBOW: PartnerOrderLine = {
  sku: 'ELB',
  lineId: '3',
  unit: 'CA',
  factor: 12,
  base: 'EA',
  products: [
    ['BP', 'ELBOW-15'],
    ['UP', '036000291452'],
  ],
};
/** The partner's line 1: tees in eaches, by its part number only. */
const TEE: PartnerOrderLine = { sku: 'TEE', lineId: '1', unit: 'EA', factor: 1, base: 'EA', products: [['BP', 'TEE-7']] };
/** A line an 860 added: caps by the dozen, under a vendor part number. */
const CAP: PartnerOrderLine = { sku: 'CAP', lineId: '4', unit: 'DZ', factor: 12, base: 'EA', products: [['VP', 'CAP-DZ']] };

/** The port, recording each read (system and order ids, as asked). */
class RecordingLines implements PartnerOrderLines {
  readonly asked: [string, string[]][] = [];
  constructor(private readonly inner: PartnerOrderLines) {}
  keep(orderId: string, system: string, lines: readonly PartnerOrderLine[]) {
    return this.inner.keep(orderId, system, lines);
  }
  addMissing(orderId: string, system: string, lines: readonly PartnerOrderLine[]) {
    return this.inner.addMissing(orderId, system, lines);
  }
  of(system: string, orderIds: readonly string[]) {
    this.asked.push([system, [...orderIds]]);
    return this.inner.of(system, orderIds);
  }
}

async function setUp(system = 'acme') {
  const db = memoryDb();
  const xrefs = new CrossReferences({ store: new SqliteCrossReferenceStore(db), baseUnit: () => 'EA' });
  await xrefs.define([
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'ELBOW-15', id: 'ELB' },
    { kind: 'item', system: 'acme', scheme: 'BP', external: 'NUT-9', id: 'NUT' },
    { kind: 'location', system: 'acme', scheme: 'warehouse', external: 'RNO-01', id: 'RNO' },
  ]);
  const orderLines = new RecordingLines(new SqlitePartnerOrderLines(db));
  const seen: OutgoingMessage[][] = [];
  const inner: Destination = { id: system, maxBatch: 50, send: async (m) => void seen.push(m) };
  return { xrefs, orderLines, seen, dest: new PartnerIdsDestination(inner, xrefs, undefined, orderLines) };
}

const message = (n: number, topic: string, payload: unknown): OutgoingMessage => ({ idempotencyKey: `k${n}`, topic, key: `m${n}`, payload });

test("a shipment and an invoice of an order the partner sent carry each of its lines as it wrote them, 860 additions included; other items keep the hub's terms", async () => {
  const { orderLines, seen, dest } = await setUp();
  await orderLines.keep('O1', 'acme', [ELBOW, TEE]);
  // The 860 adds caps; its line of elbows changes nothing (the 850's stays).
  await orderLines.addMissing('O1', 'acme', [{ ...ELBOW, lineId: '9', unit: 'EA', factor: 1 }, CAP]);
  const shipped = [
    { sku: 'ELB', qty: 24 },
    { sku: 'TEE', qty: 5 },
    { sku: 'CAP', qty: 30 },
    { sku: 'NUT', qty: 2 },
    { sku: 'BOLT', qty: 1 },
  ];
  await dest.send([
    message(1, 'shipment.confirmed', { orderId: 'O1', externalId: 'PO-1', lines: shipped }),
    message(2, 'order.invoiced', { orderId: 'O1', externalId: 'PO-1', lines: shipped.map((l) => ({ ...l, unitPrice: 0.75 })) }),
  ]);
  assert.deepEqual(orderLines.asked, [['acme', ['O1']]], 'the order asked for once');
  const elbow = { sku: 'ELB', ids: { BP: 'ELBOW-15' }, asOrdered: ELBOW };
  const tee = { sku: 'TEE', asOrdered: { sku: 'TEE', lineId: '1', unit: 'EA', factor: 1, base: 'EA', products: [['BP', 'TEE-7']] } };
  const cap = { sku: 'CAP', asOrdered: { sku: 'CAP', lineId: '4', unit: 'DZ', factor: 12, base: 'EA', products: [['VP', 'CAP-DZ']] } };
  assert.deepEqual(
    seen[0]!.map((m) => m.payload),
    [
      {
        orderId: 'O1',
        externalId: 'PO-1',
        lines: [
          { ...elbow, qty: 24 },
          { ...tee, qty: 5 },
          { ...cap, qty: 30 },
          { sku: 'NUT', qty: 2, ids: { BP: 'NUT-9' } },
          { sku: 'BOLT', qty: 1 },
        ],
      },
      {
        orderId: 'O1',
        externalId: 'PO-1',
        lines: [
          { ...elbow, qty: 24, unitPrice: 0.75 },
          { ...tee, qty: 5, unitPrice: 0.75 },
          { ...cap, qty: 30, unitPrice: 0.75 },
          { sku: 'NUT', qty: 2, unitPrice: 0.75, ids: { BP: 'NUT-9' } },
          { sku: 'BOLT', qty: 1, unitPrice: 0.75 },
        ],
      },
    ],
  );
  assert.deepEqual(
    seen[0]!.map((m) => [m.idempotencyKey, m.topic, m.key]),
    [
      ['k1', 'shipment.confirmed', 'm1'],
      ['k2', 'order.invoiced', 'm2'],
    ],
  );
});

test("only shipments and invoices of this system's orders echo its lines: not a fulfilment request, another message, another system's order or one without lines", async () => {
  const { orderLines, seen, dest } = await setUp();
  await orderLines.keep('O1', 'acme', [ELBOW]);
  await orderLines.keep('O2', 'globex', [{ ...ELBOW, lineId: '7' }]);
  const lines = [{ sku: 'ELB', qty: 12 }];
  await dest.send([
    message(1, 'fulfilment.request', { orderId: 'O1', location: 'RNO', lines }),
    message(2, 'order.cancelled', { orderId: 'O1', lines }),
    message(3, 'shipment.confirmed', { orderId: 'O2', lines }),
    message(4, 'order.invoiced', { orderId: 'O3', lines }),
    message(5, 'shipment.confirmed', { orderId: 1, lines }),
    message(6, 'shipment.confirmed', { lines }),
    message(7, 'order.invoiced', { orderId: 'O1', lines }),
    message(8, 'shipment.confirmed', { orderId: 'O1', lines }),
  ]);
  // The orders of the shipments and invoices only, each once, in the order first named.
  assert.deepEqual(orderLines.asked, [['acme', ['O2', 'O3', 'O1']]]);
  const plain = [{ sku: 'ELB', qty: 12, ids: { BP: 'ELBOW-15' } }];
  const echoed = [{ ...plain[0], asOrdered: ELBOW }];
  assert.deepEqual(
    seen[0]!.map((m) => m.payload),
    [
      { orderId: 'O1', location: 'RNO', lines: plain, warehouse: 'RNO-01' },
      { orderId: 'O1', lines: plain },
      { orderId: 'O2', lines: plain },
      { orderId: 'O3', lines: plain },
      { orderId: 1, lines: plain },
      { lines: plain },
      { orderId: 'O1', lines: echoed },
      { orderId: 'O1', lines: echoed },
    ],
  );
});

test("a batch with no shipment or invoice of an order does not read the partner's lines", async () => {
  const { orderLines, seen, dest } = await setUp();
  await dest.send([
    message(1, 'fulfilment.request', { orderId: 'O1', location: 'RNO', lines: [{ sku: 'ELB', qty: 1 }] }),
    message(2, 'shipment.confirmed', { lines: [{ sku: 'ELB', qty: 1 }] }),
    message(3, 'availability.changed', { sku: 'ELB', available: 3 }),
  ]);
  assert.deepEqual(orderLines.asked, []);
  assert.equal(seen[0]!.length, 3);
});

test('the first line the partner named an item on is the one echoed', async () => {
  const seen: OutgoingMessage[][] = [];
  const inner: Destination = { id: 'acme', maxBatch: 5, send: async (m) => void seen.push(m) };
  const twice: PartnerOrderLines = {
    keep: async () => {},
    addMissing: async () => {},
    of: async () => new Map([['O1', [TEE, { ...ELBOW, lineId: '2' }, ELBOW]]]),
  };
  const xrefs = { resolve: async () => [], externalIds: async () => new Map(), packing: async () => new Map() };
  await new PartnerIdsDestination(inner, xrefs, undefined, twice).send([
    message(1, 'order.invoiced', { orderId: 'O1', lines: [{ sku: 'ELB', qty: 1, unitPrice: 3 }] }),
  ]);
  assert.deepEqual(seen[0]![0]!.payload, { orderId: 'O1', lines: [{ sku: 'ELB', qty: 1, unitPrice: 3, asOrdered: { ...ELBOW, lineId: '2' } }] });
});

test("when the partner's lines cannot be read the batch waits (a retryable failure), not sent without them", async () => {
  const seen: OutgoingMessage[][] = [];
  const inner: Destination = { id: 'acme', maxBatch: 5, send: async (m) => void seen.push(m) };
  const failing: PartnerOrderLines = {
    keep: async () => {},
    addMissing: async () => {},
    of: async () => {
      throw new Error('disk gone');
    },
  };
  const xrefs = { resolve: async () => [], externalIds: async () => new Map(), packing: async () => new Map() };
  await assert.rejects(
    new PartnerIdsDestination(inner, xrefs, undefined, failing).send([message(1, 'shipment.confirmed', { orderId: 'O1', lines: [{ sku: 'ELB', qty: 1 }] })]),
    (e: unknown) =>
      e instanceof DeliveryFailedError &&
      e.retryable &&
      e.destination === 'acme' &&
      e.reason === "the cross-references or the partner's order lines could not be read: disk gone",
  );
  assert.deepEqual(seen, []);
});

test("a destination without the partner's lines (not an EDI partner) sends shipments and invoices of an order in its ids only", async () => {
  const { xrefs } = await setUp();
  const seen: OutgoingMessage[][] = [];
  const inner: Destination = { id: 'acme', maxBatch: 5, send: async (m) => void seen.push(m) };
  await new PartnerIdsDestination(inner, xrefs).send([
    message(1, 'shipment.confirmed', { orderId: 'O1', lines: [{ sku: 'ELB', qty: 12 }] }),
    message(2, 'order.invoiced', { orderId: 'O1', lines: [{ sku: 'ELB', qty: 12, unitPrice: 1 }] }),
    message(3, 'shipment.confirmed', null),
    message(4, 'fulfilment.request', null),
    message(5, 'fulfilment.request', { lines: [{ sku: 'ELB', qty: 1 }] }),
  ]);
  assert.deepEqual(
    seen[0]!.map((m) => m.payload),
    [
      { orderId: 'O1', lines: [{ sku: 'ELB', qty: 12, ids: { BP: 'ELBOW-15' } }] },
      { orderId: 'O1', lines: [{ sku: 'ELB', qty: 12, unitPrice: 1, ids: { BP: 'ELBOW-15' } }] },
      null,
      null,
      { lines: [{ sku: 'ELB', qty: 1, ids: { BP: 'ELBOW-15' } }] },
    ],
  );
});

test('an availability change without a SKU is passed on as it came, even to a channel selling cases', async () => {
  const { xrefs } = await setUp();
  const seen: OutgoingMessage[][] = [];
  const inner: Destination = { id: 'acme', maxBatch: 5, send: async (m) => void seen.push(m) };
  await new PartnerIdsDestination(inner, xrefs, 'CA').send([message(1, 'availability.changed', { available: 5 })]);
  assert.deepEqual(seen[0]![0]!.payload, { available: 5 });
});
