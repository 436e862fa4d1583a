import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X12Parser } from 'node-x12';
import { readInterchange, writeInterchange, X12Error } from '../src/connectors/edi-x12/x12-interchange.js';
import { acknowledgment855, readPurchaseOrder850, translatePurchaseOrder, type PartnerMapping } from '../src/connectors/edi-x12/purchase-order-850.js';
import { openDatabase } from '../src/adapters/sqlite/open-database.js';
import { SqliteCrossReferenceStore } from '../src/adapters/sqlite/sqlite-cross-reference-store.js';
import { CrossReferences } from '../src/app/master-data/cross-references.js';
import { tempDataDir } from './support/test-hub.js';
import { startOrderHub, type OrderHub } from './support/order-hub.js';
import { fixture, fixturesSkip } from './support/fixtures.js';

const skip = fixturesSkip();

const VALID = [
  'node-x12/850.edi',
  'node-x12/850_2.edi',
  'node-x12/850_3.edi',
  'node-x12/855.edi',
  'node-x12/856.edi',
  'staedi/simple810.edi',
  'staedi/invoice810_po850_dual.edi',
  'staedi/simple997.edi',
  'staedi/multi-tx-transaction-type.edi',
  'staedi/invalid997.edi',
  'EdiEngine/850.OK.edi',
  'EdiEngine/856.Crossdock.OK.edi',
  'EdiEngine/940.OK.edi',
  'EdiEngine/940.2.OK.edi',
  'stupidedi/IN810-pass-1.edi',
  'stupidedi/FA997-pass-1.edi',
];

test('reads every well-formed fixture, separators taken from its ISA', { skip }, () => {
  for (const name of VALID) {
    const x = readInterchange(fixture(`x12/${name}`));
    assert.ok(x.groups.length > 0 && x.groups.every((g) => g.transactions.length > 0), name);
  }
  assert.equal(readInterchange(fixture('x12/stupidedi/IN810-pass-1.edi')).separators.element, '|');
  assert.equal(readInterchange(fixture('x12/node-x12/850_2.edi')).separators.segment, '\n');
  const dual = readInterchange(fixture('x12/staedi/invoice810_po850_dual.edi'));
  assert.deepEqual(
    dual.groups.map((g) => g.transactions.map((t) => t.set)),
    [['810', '810'], ['850']],
  );
});

test('rejects broken envelopes with the segment and the reason; a set whose own trailer does not add up is read as faulty, not thrown', { skip }, () => {
  const faulty = readInterchange(fixture('x12/EdiEngine/940_Failed_SE01.edi')).groups[0]!.transactions[0]!;
  assert.equal(faulty.envelopeError?.code, '4');
  assert.match(faulty.envelopeError!.message, /SE01 says 12 segments but transaction \S+ has 9/);
  const cases: [string, RegExp][] = [
    ['EdiEngine/ControlNumbersMismatch.edi', /IEA02 \S+ does not match ISA13/],
    ['EdiEngine/WrongGroupsAndTranCount.edi', /IEA01 says 2 groups but the interchange has 1/],
  ];
  for (const [name, message] of cases)
    assert.throws(
      () => readInterchange(fixture(`x12/${name}`)),
      (e: unknown) => e instanceof X12Error && message.test(e.message),
      name,
    );
  assert.throws(() => readInterchange('hello'), /not an X12 interchange/);
});

function references(): CrossReferences {
  return new CrossReferences({ store: new SqliteCrossReferenceStore(openDatabase(tempDataDir())), baseUnit: () => 'EA' });
}

const po = (file: string) => {
  const read = readPurchaseOrder850(readInterchange(fixture(file)).groups[0]!.transactions[0]!);
  assert.ok(read.ok);
  return read.po;
};

test('maps an 850 to a hub order by the configured item qualifier, naming bad lines', { skip }, async () => {
  const xrefs = references();
  const vn: PartnerMapping = { channel: 'b2b', customer: 'C-42', itemQualifier: 'VN', itemQualifiers: [], backorder: 'allow' };
  const mapped = await translatePurchaseOrder(po('x12/node-x12/850.edi'), vn, 'acme', xrefs);
  assert.ok(mapped.ok);
  assert.equal(mapped.po.poNumber, '08292233294');
  assert.deepEqual(mapped.po.request.lines.slice(0, 2), [
    { sku: 'AB3542', qty: 120, unitPrice: 9.25 },
    { sku: 'RD5322', qty: 220, unitPrice: 13.79 },
  ]);
  const wrong = await translatePurchaseOrder(po('x12/node-x12/850.edi'), { ...vn, itemQualifier: 'UP' }, 'acme', xrefs);
  assert.ok(!wrong.ok && wrong.errors[0]!.message.includes('no product id qualified UP'));
});

test("an 850's buyer catalog numbers (CB) translate through the cross-references; what is not mapped is named by system, scheme and id", { skip }, async () => {
  const xrefs = references();
  const cb: PartnerMapping = { channel: 'b2b', customer: 'C-42', itemQualifiers: ['UP', 'CB'], backorder: 'allow' };
  await xrefs.define([
    { kind: 'item', system: 'acme', scheme: 'CB', external: '065322-117', id: 'ABC-100' },
    { kind: 'item', system: 'acme', scheme: 'CB', external: '066850-116', id: 'XYZ-200' },
  ]);
  const partly = await translatePurchaseOrder(po('x12/node-x12/850.edi'), cb, 'acme', xrefs);
  assert.ok(!partly.ok);
  assert.deepEqual(partly.errors, []);
  assert.deepEqual(
    partly.unknownReferences.map((r) => `${r.kind}/${r.system}/${r.scheme}/${r.external}`),
    ['item/acme/CB/060733-110', 'item/acme/CB/065308-116', 'item/acme/CB/065374-118', 'item/acme/CB/067504-118'],
    'the document is not half-taken: nothing but the ids it waits for',
  );
  await xrefs.define(
    ['060733-110', '065308-116', '065374-118', '067504-118'].map((external, i) => ({ kind: 'item', system: 'acme', scheme: 'CB', external, id: `SKU-${i}` })),
  );
  const whole = await translatePurchaseOrder(po('x12/node-x12/850.edi'), cb, 'acme', xrefs);
  assert.ok(whole.ok);
  assert.deepEqual(
    whole.po.request.lines.map((l) => `${l.sku}×${l.qty}`),
    ['ABC-100×120', 'XYZ-200×220', 'SKU-0×126', 'SKU-1×76', 'SKU-2×72', 'SKU-3×696'],
  );
  assert.deepEqual(
    whole.po.partnerLines.map((p) => [p.line.lineId, p.qualifier, p.productId]),
    [
      ['1', 'CB', '065322-117'],
      ['2', 'CB', '066850-116'],
      ['3', 'CB', '060733-110'],
      ['4', 'CB', '065308-116'],
      ['5', 'CB', '065374-118'],
      ['6', 'CB', '067504-118'],
    ],
  );
});

test("a pet retailer's 850: the SK item id and the ship-to store 100 translate, kits of 4 become 4 units, and the 855 echoes line, unit and id", {
  skip,
}, async () => {
  const xrefs = references();
  const petco: PartnerMapping = { channel: 'b2b', itemQualifiers: ['VN', 'SK'], backorder: 'allow' };
  const before = await translatePurchaseOrder(po('x12/node-x12/850_3.edi'), petco, 'petco', xrefs);
  assert.ok(!before.ok);
  assert.deepEqual(
    before.unknownReferences.map((r) => `${r.kind}/${r.scheme}/${r.external}`),
    ['customer/ST/100', 'item/VN/UNKNOWN', 'item/SK/000000000001010700'],
  );
  await xrefs.define([
    { kind: 'item', system: 'petco', scheme: 'SK', external: '000000000001010700', id: 'FREEZER-PUSHER' },
    { kind: 'customer', system: 'petco', scheme: 'ST', external: '100', id: 'C-PETCO', shipTo: 'PETCO-CORPORATE' },
  ]);
  const noUnit = await translatePurchaseOrder(po('x12/node-x12/850_3.edi'), petco, 'petco', xrefs);
  assert.ok(!noUnit.ok);
  assert.match(noUnit.errors[0]!.path, /^PO1 \(segment \d+\)\/PO103$/);
  assert.match(noUnit.errors[0]!.message, /no unit KI/);
  await xrefs.defineUnits('FREEZER-PUSHER', { CA: 12 }, { petco: { KI: 4 } });
  const got = await translatePurchaseOrder(po('x12/node-x12/850_3.edi'), petco, 'petco', xrefs);
  assert.ok(got.ok);
  assert.deepEqual(got.po.request.customer, 'C-PETCO');
  assert.equal(got.po.shipTo, 'PETCO-CORPORATE');
  assert.deepEqual(got.po.request.lines, [{ sku: 'FREEZER-PUSHER', qty: 4, unitPrice: 56.25 }]);
  const ack = acknowledgment855(got.po, new Date('2026-12-06T00:00:00Z'), [{ ...got.po.partnerLines[0]!, reserved: 4, backordered: 0 }], false);
  assert.deepEqual(
    ack[0],
    ['BAK', '00', 'AD', got.po.poNumber, '20160426', '', '', '', '20261206'],
    'BAK04 is the PO date (BEG05), BAK09 the day acknowledged',
  );
  assert.deepEqual(ack[1], ['N1', 'ST', 'PETCO - CORPORATE', '92', '100'], 'the store as the partner named it');
  assert.deepEqual(ack[2], ['PO1', '1', '1', 'KI', '225', '', 'SK', '000000000001010700']);
  assert.deepEqual(ack[3], ['ACK', 'IA', '1', 'KI']);
  const split = acknowledgment855({ poNumber: got.po.poNumber }, new Date(), [{ ...got.po.partnerLines[0]!, reserved: 2, backordered: 2 }], false);
  assert.deepEqual(
    split.slice(2, 4),
    [
      ['ACK', 'IA', '2', 'EA'],
      ['ACK', 'IB', '2', 'EA'],
    ],
    'half a kit is said in base units, never rounded',
  );
});

test('a quantity that is not a whole number of base units is refused naming its line, never rounded', async () => {
  const xrefs = references();
  await xrefs.defineUnits('ABC-100', { CA: 12, PK: 6 });
  const text = {
    poNumber: 'PO-9',
    lines: [
      { lineId: '1', quantity: '1.5', unit: 'CA', price: '120', products: [['VN', 'ABC-100']] as [string, string][], where: 'PO1 (segment 4)' },
      { lineId: '2', quantity: '0.1', unit: 'PK', price: undefined, products: [['VN', 'ABC-100']] as [string, string][], where: 'PO1 (segment 5)' },
    ],
  };
  const r = await translatePurchaseOrder(
    text,
    { channel: 'b2b', customer: 'C-42', itemQualifier: 'VN', itemQualifiers: [], backorder: 'allow' },
    'acme',
    xrefs,
  );
  assert.ok(!r.ok);
  assert.deepEqual(
    r.errors.map((e) => e.path),
    ['PO1 (segment 5)/PO102'],
  );
  assert.match(r.errors[0]!.message, /0\.1 PK .* not a whole number/);
  const ok = await translatePurchaseOrder(
    { ...text, lines: [text.lines[0]!] },
    { channel: 'b2b', customer: 'C-42', itemQualifier: 'VN', itemQualifiers: [], backorder: 'allow' },
    'acme',
    xrefs,
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.po.request.lines, [{ sku: 'ABC-100', qty: 18, unitPrice: 10 }]);
});

test('what it writes an independent parser (node-x12) accepts, and it reads back', () => {
  const text = writeInterchange({
    sender: { qualifier: 'ZZ', id: 'CROSSDOCK' },
    receiver: { qualifier: '01', id: '999999999' },
    control: 42,
    at: new Date('2026-11-22T10:05:00Z'),
    usage: 'T',
    groups: [
      {
        functionalId: 'PR',
        control: 7,
        transactions: [
          {
            set: '855',
            control: 1,
            segments: [
              ['BAK', '00', 'AD', 'PO-1', '20261122'],
              ['CTT', '0'],
            ],
          },
        ],
      },
    ],
  });
  // Strict mode checks the envelope: counts, control numbers, ISA layout.
  const parsed = new X12Parser(true).parse(text) as { functionalGroups: { transactions: unknown[] }[] };
  assert.equal(parsed.functionalGroups[0]!.transactions.length, 1);
  assert.equal(readInterchange(text).isa[13], '000000042');
  assert.equal(text.indexOf('~') + 1, 106, 'ISA is fixed-width: 106 characters with its terminator');
  assert.equal(readInterchange(text).groups[0]!.transactions[0]!.segments[0]![3], 'PO-1');
});

let hub: OrderHub;
let dir: string;
before(async () => {
  if (skip) return;
  hub = await startOrderHub({
    file: {
      systems: {
        acme: {
          type: 'edi-x12',
          channel: 'queued',
          customer: 'C-42',
          pollSeconds: 0.1,
          us: { qualifier: '01', id: '999999999' },
          partner: { qualifier: '12', id: '4405197800' },
        },
      },
    } as never,
  });
  dir = join(hub.dataDir, 'edi', 'acme');
});
after(async () => {
  await hub?.stop();
});

const waitFor = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), `timed out waiting for ${what}`);
};

test('an 850 dropped by the partner is captured and answered with a 997 and an 855 that node-x12 accepts', { skip }, async () => {
  for (const [sku, qty] of [
    ['AB3542', 500],
    ['RD5322', 500],
    ['XY5266', 500],
    ['VX2332', 500],
    ['RV0524', 500],
    ['DX1875', 600],
  ] as const)
    await hub.stock(sku, 'DAL', qty);
  writeFileSync(join(dir, 'in', 'po-1.edi'), fixture('x12/node-x12/850.edi'));
  await waitFor('the 855', () => readdirSync(join(dir, 'out')).some((f) => f.startsWith('855')));
  assert.ok(existsSync(join(dir, 'processed', 'po-1.edi')));
  const out = readdirSync(join(dir, 'out')).sort();
  const ack997 = readFileSync(join(dir, 'out', out.find((f) => f.startsWith('997'))!), 'utf8');
  const ack855 = readFileSync(join(dir, 'out', out.find((f) => f.startsWith('855'))!), 'utf8');
  for (const doc of [ack997, ack855]) new X12Parser(true).parse(doc);
  const fa = readInterchange(ack997).groups[0]!;
  assert.deepEqual(
    fa.transactions[0]!.segments.map((s) => s[0]),
    ['AK1', 'AK2', 'AK5', 'AK9'],
  );
  assert.deepEqual(fa.transactions[0]!.segments[0], ['AK1', 'PO', '1421']);
  const pr = readInterchange(ack855).groups[0]!.transactions[0]!.segments;
  assert.deepEqual(pr[0]!.slice(0, 4), ['BAK', '00', 'AC', '08292233294'], 'DX1875: 696 ordered, 600 there → accepted with changes');
  assert.ok(pr.some((s) => s[0] === 'ACK' && s[1] === 'IB' && s[2] === '96'));
  assert.equal(await hub.available('AB3542'), 380);
  // The partner re-sends the PO in a new envelope: the same order, answered again with new control numbers.
  writeFileSync(join(dir, 'in', 'po-1-again.edi'), fixture('x12/node-x12/850.edi').replace(/000003438/g, '000003439'));
  await waitFor('the second 855', () => readdirSync(join(dir, 'out')).filter((f) => f.startsWith('855')).length === 2);
  assert.equal(await hub.available('AB3542'), 380);
  const controls = readdirSync(join(dir, 'out')).map((f) => Number(/-(\d+)\.edi$/.exec(f)![1]));
  assert.equal(new Set(controls).size, controls.length, 'every interchange has its own control number');
  // Shipping and invoicing the order sends the partner an 856 and an 810; its channel's availability goes out as 846.
  const found = (await hub.api('GET', '/v1/orders?channel=queued&externalId=08292233294')).body.orders;
  assert.equal(found.length, 1);
  const orderId = found[0].id as string;
  const at = '2026-11-22T15:00:00Z';
  const sent = await hub.api('POST', '/v1/events', [
    { id: 'erp-rel-1', type: 'order.released', source: 'erp-main', seq: 8_000_001, occurredAt: at, orderId },
    {
      id: 'wms-shp-1',
      type: 'order.shipped',
      source: 'wms-dal',
      seq: 8_000_002,
      occurredAt: at,
      orderId,
      location: 'DAL',
      lines: [
        { sku: 'AB3542', qty: 120 },
        { sku: 'RD5322', qty: 220 },
      ],
      tracking: { carrier: 'UPSN', number: '1Z0001' },
    },
    { id: 'erp-inv-1', type: 'order.invoiced', source: 'erp-main', seq: 8_000_003, occurredAt: at, orderId, invoiceNumber: 'INV-77' },
  ]);
  assert.equal(sent.body.accepted, 3);
  await waitFor(
    'the 856 and the 810',
    () => readdirSync(join(dir, 'out')).some((f) => f.includes('856')) && readdirSync(join(dir, 'out')).some((f) => f.includes('810')),
  );
  const docs = readdirSync(join(dir, 'out')).map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
  for (const doc of docs) new X12Parser(true).parse(doc);
  const sets = docs.flatMap((d) => readInterchange(d).groups.flatMap((g) => g.transactions));
  const asn = sets.find((t) => t.set === '856')!.segments;
  assert.deepEqual(
    asn.find((x) => x[0] === 'PRF'),
    ['PRF', '08292233294'],
  );
  assert.deepEqual(
    asn.find((x) => x[0] === 'REF'),
    ['REF', 'CN', '1Z0001'],
  );
  assert.deepEqual(
    asn.filter((x) => x[0] === 'SN1').map((x) => x[2]),
    ['120', '220'],
  );
  const inv = sets.find((t) => t.set === '810')!.segments;
  assert.deepEqual(inv[0]!.slice(0, 5), ['BIG', '20261122', 'INV-77', '', '08292233294']);
  assert.deepEqual(
    inv.find((x) => x[0] === 'TDS'),
    ['TDS', String(120 * 925 + 220 * 1379)],
  );
  assert.ok(
    sets.some((t) => t.set === '846' && t.segments.some((x) => x[0] === 'LIN' && x[3] === 'AB3542')),
    'availability advice for the partner',
  );
  // A broken envelope is not taken, and says why.
  writeFileSync(join(dir, 'in', 'broken.edi'), fixture('x12/EdiEngine/ControlNumbersMismatch.edi'));
  await waitFor('the failed file', () => existsSync(join(dir, 'failed', 'broken.edi.error.txt')));
  assert.match(readFileSync(join(dir, 'failed', 'broken.edi.error.txt'), 'utf8'), /IEA02 \S+ does not match ISA13/);
});

test('an 850 naming an item the hub does not know is parked, and captured when replayed after the item is defined', { skip }, async () => {
  const po = writeInterchange({
    sender: { qualifier: '12', id: '4405197800' },
    receiver: { qualifier: '01', id: '999999999' },
    control: 900,
    at: new Date('2026-11-22T16:00:00Z'),
    usage: 'P',
    groups: [
      {
        functionalId: 'PO',
        control: 77,
        transactions: [
          {
            set: '850',
            control: 1,
            segments: [
              ['BEG', '00', 'SA', 'PO-NEW-1', '', '20261122'],
              ['PO1', '1', '4', 'EA', '2.50', '', 'VN', 'NEW-ITEM-1'],
            ],
          },
        ],
      },
    ],
  });
  writeFileSync(join(dir, 'in', 'po-new.edi'), po);
  let parked: any[] = [];
  for (let i = 0; i < 200 && parked.length === 0; i++) {
    parked = (await hub.api('GET', '/v1/inbound/parked?system=acme')).body.parked;
    if (parked.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(parked.length, 1);
  assert.match(parked[0].reason, /PO-NEW-1/);
  assert.ok(parked[0].errors.some((e: { path: string }) => e.path === '/lines/0/sku'));
  await hub.api('PUT', '/v1/items/NEW-ITEM-1', { description: 'New item', uom: 'EA' });
  await hub.stock('NEW-ITEM-1', 'DAL', 10);
  const replay = await hub.api('POST', `/v1/inbound/parked/${parked[0].id}/replay`);
  assert.equal(replay.status, 200, JSON.stringify(replay.body));
  assert.equal(replay.body.parked.status, 'replayed');
  const found = (await hub.api('GET', '/v1/orders?channel=queued&externalId=PO-NEW-1')).body.orders;
  assert.deepEqual(
    found[0].lines.map((l: { sku: string; reserved: number }) => [l.sku, l.reserved]),
    [['NEW-ITEM-1', 4]],
  );
});
