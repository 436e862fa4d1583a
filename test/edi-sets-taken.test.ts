/**
 * The sets a distributor receives, each taken for what it says: an 860 cancels the order of its
 * PO or amends its lines (BCH01 04 applies each POC change, 05 replaces the lines), a supplier's 856 is inbound supply
 * at its receiving location with the ETA it gives, a 3PL's 846 is a count of the location it runs;
 * their ids and units go through the cross-references; a set from a partner not set up for it is
 * answered AK5 R 1 and kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeInterchange, type OutgoingGroup } from '../src/connectors/edi-x12/x12-interchange.js';
import { ediRig } from './support/edi-partner-rig.js';

const ACME = { qualifier: 'ZZ', id: 'ACMEPLUMB' };
const HUB = { qualifier: 'ZZ', id: 'CROSSDOCK' };
let control = 700;
const doc = (functionalId: string, set: string, segments: string[][]) =>
  writeInterchange({
    sender: ACME,
    receiver: HUB,
    control: ++control,
    at: new Date('2026-12-06T09:00:00Z'),
    usage: 'P',
    groups: [{ functionalId, control, transactions: [{ set, control: 1, segments }] } as OutgoingGroup],
  });
const ak5 = (rig: ReturnType<typeof ediRig>) =>
  rig
    .out()
    .filter((f) => f.name.startsWith('997'))
    .map((f) => f.x.groups[0]!.transactions[0]!.segments.find((s) => s[0] === 'AK5')!);

test('an 860 cancellation cancels the order of its PO, a change amends its lines; one for a PO not captured is held and acknowledged E', async () => {
  const rig = ediRig({ partner: ACME, us: HUB });
  await rig.drop(
    'po.edi',
    doc('PO', '850', [
      ['BEG', '00', 'SA', 'PO-5', '', '20261201'],
      ['PO1', '1', '2', 'EA', '', '', 'VN', 'SKU-1'],
    ]),
  );
  await rig.drop('cancel.edi', doc('PC', '860', [['BCH', '01', 'SA', 'PO-5', '', '', '20261201']]));
  assert.deepEqual(rig.cancelled, ['PO-5']);
  await rig.drop('cancel-unknown.edi', doc('PC', '860', [['BCH', '01', 'SA', 'PO-404', '', '', '20261201']]));
  await rig.drop(
    'change.edi',
    doc('PC', '860', [
      ['BCH', '04', 'SA', 'PO-5', '', '', '20261201'],
      ['POC', '1', 'QD', '1', '1', 'EA', '', '', 'VN', 'SKU-1'],
    ]),
  );
  await rig.drop('no-po.edi', doc('PC', '860', [['BCH', '01', 'SA', '', '', '', '20261201']]));
  assert.deepEqual(ak5(rig).slice(1), [
    ['AK5', 'A'],
    ['AK5', 'E', '5'],
    ['AK5', 'A'],
    ['AK5', 'R', '5'],
  ]);
  assert.deepEqual(
    rig.amended.map((a) => [a.orderId, a.lines]),
    [['O-1', [{ sku: 'SKU-1', qty: 1 }]]],
  );
  assert.deepEqual(
    rig.parked.map((p) => p.reason),
    [
      'purchase order change PO-404 (cancellation): no order was captured for it from acme; replay it once the order is there',
      'purchase order change in transaction 0001 rejected: mandatory segments or elements missing or malformed',
    ],
  );
});

test("an 860 change applies each POC code to the order's lines through the partner's ids and units; a replace makes the POC lines the order's; what cannot apply is held, naming the line", async () => {
  const rig = ediRig({ partner: ACME, us: HUB, mapping: { channel: 'b2b', customer: 'C-42', itemQualifiers: ['UP', 'VP'], backorder: 'allow' } });
  await rig.xrefs.define([
    { kind: 'item', system: 'acme', scheme: 'VP', external: 'P-A', id: 'SKU-A' },
    { kind: 'item', system: 'acme', scheme: 'VP', external: 'P-B', id: 'SKU-B' },
    { kind: 'item', system: 'acme', scheme: 'VP', external: 'P-C', id: 'SKU-C' },
    { kind: 'item', system: 'acme', scheme: 'VP', external: 'P-D', id: 'SKU-D' },
  ]);
  await rig.xrefs.defineUnits('SKU-A', { CA: 12 });
  await rig.drop(
    'po.edi',
    doc('PO', '850', [
      ['BEG', '00', 'SA', 'PO-7', '', '20261201'],
      ['PO1', '1', '1', 'CA', '24', '', 'VP', 'P-A'],
      ['PO1', '2', '5', 'EA', '', '', 'VP', 'P-B'],
      ['PO1', '3', '2', 'EA', '', '', 'VP', 'P-C'],
    ]),
  );
  assert.deepEqual(rig.captured[0]!.lines, [
    { sku: 'SKU-A', qty: 12, unitPrice: 2 },
    { sku: 'SKU-B', qty: 5 },
    { sku: 'SKU-C', qty: 2 },
  ]);
  // QI in cases (2 CA = 24), QD, DI, AI, PC (per case: 36 / 12 = 3 per unit).
  await rig.drop(
    'change.edi',
    doc('PC', '860', [
      ['BCH', '04', 'SA', 'PO-7', '', '', '20261201'],
      ['POC', '1', 'QI', '2', '', 'CA', '', '', 'VP', 'P-A'],
      ['POC', '2', 'QD', '3', '', 'EA', '', '', 'VP', 'P-B'],
      ['POC', '3', 'DI', '', '', 'EA', '', '', 'VP', 'P-C'],
      ['POC', '4', 'AI', '4', '', 'EA', '1.5', '', 'VP', 'P-D'],
      ['POC', '1', 'PC', '', '', 'CA', '36', '', 'VP', 'P-A'],
    ]),
  );
  assert.deepEqual(rig.amended.at(-1)!.lines, [
    { sku: 'SKU-A', qty: 24, unitPrice: 3 },
    { sku: 'SKU-B', qty: 3 },
    { sku: 'SKU-D', qty: 4, unitPrice: 1.5 },
  ]);
  await rig.drop(
    'replace.edi',
    doc('PC', '860', [
      ['BCH', '05', 'SA', 'PO-7', '', '', '20261201'],
      ['POC', '1', 'RZ', '1', '', 'CA', '', '', 'VP', 'P-A'],
      ['POC', '2', 'AI', '7', '', 'EA', '', '', 'VP', 'P-C'],
    ]),
  );
  // A line without a price keeps the one the order has (the amendment leaves it).
  assert.deepEqual(rig.amended.at(-1)!.lines, [
    { sku: 'SKU-A', qty: 12 },
    { sku: 'SKU-C', qty: 7 },
  ]);
  const parkedBefore = rig.parked.length;
  await rig.drop(
    'bad.edi',
    doc('PC', '860', [
      ['BCH', '04', 'SA', 'PO-7', '', '', '20261201'],
      ['POC', '1', 'QI', '0.5', '', 'EA', '', '', 'VP', 'P-A'],
      ['POC', '2', 'QD', '9', '', 'EA', '', '', 'VP', 'P-C'],
      ['POC', '3', 'AI', '1', '', 'EA', '', '', 'VP', 'P-NEW'],
    ]),
  );
  assert.equal(rig.amended.length, 2, 'nothing amended');
  assert.deepEqual(
    rig.parked.slice(parkedBefore).map((p) => p.reason),
    ['purchase order change PO-7 (change) waits for cross-references: item P-NEW (system acme, scheme VP)'],
  );
  await rig.xrefs.define([{ kind: 'item', system: 'acme', scheme: 'VP', external: 'P-NEW', id: 'SKU-NEW' }]);
  await rig.drop(
    'bad-again.edi',
    doc('PC', '860', [
      ['BCH', '04', 'SA', 'PO-7', '', '', '20261201'],
      ['POC', '1', 'QI', '0.5', '', 'EA', '', '', 'VP', 'P-A'],
      ['POC', '2', 'QD', '9', '', 'EA', '', '', 'VP', 'P-C'],
      ['POC', '3', 'AI', '1', '', 'EA', '', '', 'VP', 'P-NEW'],
    ]),
  );
  assert.equal(rig.amended.length, 2, 'nothing amended');
  assert.deepEqual(
    rig.parked.at(-1)!.errors.map((e) => e.path),
    ['POC (segment 3)/POC03', 'POC (segment 4)/POC03'],
  );
  assert.match(rig.parked.at(-1)!.errors[0]!.message, /not a whole number/);
  assert.match(rig.parked.at(-1)!.errors[1]!.message, /QD to 9 of SKU-C does not decrease the line \(now 7\)/);
  assert.deepEqual(ak5(rig).slice(-5), [
    ['AK5', 'A'],
    ['AK5', 'A'],
    ['AK5', 'A'],
    ['AK5', 'E', '5'],
    ['AK5', 'E', '5'],
  ]);
});

test("a supplier's 856 is inbound supply at its receiving location with the ETA it gives, in base units through the partner's ids", async () => {
  const rig = ediRig({ partner: ACME, us: HUB, receivesAt: 'DAL', mapping: { itemQualifiers: ['UP', 'VP'], backorder: 'allow' } });
  await rig.xrefs.define([
    { kind: 'item', system: 'acme', scheme: 'VP', external: '87787D', id: 'WIDGET-BLUE' },
    { kind: 'item', system: 'acme', scheme: 'UP', external: '036000291452', id: 'WIDGET-RED' },
  ]);
  await rig.xrefs.defineUnits('WIDGET-RED', { CA: 12 });
  const asn = [
    ['BSN', '00', 'ASN-1', '20261206', '1015', '0001'],
    ['HL', '1', '', 'S'],
    ['DTM', '011', '20261206'],
    ['DTM', '017', '20261210', '0800'],
    ['HL', '2', '1', 'O'],
    ['PRF', 'PO-SUP-1'],
    ['HL', '3', '2', 'I'],
    ['LIN', '1', 'VP', '87787D'],
    ['SN1', '1', '24', 'EA'],
    ['HL', '4', '2', 'I'],
    ['LIN', '2', 'UP', '036000291452'],
    ['SN1', '2', '3', 'CA'],
    ['CTT', '4'],
  ];
  await rig.drop('asn.edi', doc('SH', '856', asn));
  assert.deepEqual(ak5(rig), [['AK5', 'A']]);
  assert.deepEqual(
    rig.events.map((e) => e.type === 'inventory.movement' && [e.id, e.sku, e.location, e.reason, e.delta, e.eta, e.occurredAt]),
    [
      ['acme:856:ASN-1:0', 'WIDGET-BLUE', 'DAL', 'receipt', { inbound: 24 }, '2026-12-10T08:00:00Z', '2026-12-06T10:15:00Z'],
      ['acme:856:ASN-1:1', 'WIDGET-RED', 'DAL', 'receipt', { inbound: 36 }, '2026-12-10T08:00:00Z', '2026-12-06T10:15:00Z'],
    ],
  );
  // An item it does not know waits for its cross-reference, acknowledged E; a partner that is no supplier is answered R 1.
  await rig.drop('asn-unknown.edi', doc('SH', '856', [...asn.slice(0, 7), ['LIN', '1', 'VP', 'NEW-9'], ['SN1', '1', '1', 'EA'], ['CTT', '3']]));
  assert.deepEqual(ak5(rig)[1], ['AK5', 'E', '5']);
  assert.match(rig.parked[0]!.reason, /ship notice in transaction 0001 waits for cross-references: .*NEW-9/);
  const customer = ediRig({ partner: ACME, us: HUB });
  await customer.drop('asn.edi', doc('SH', '856', asn));
  assert.deepEqual(ak5(customer), [['AK5', 'R', '1']]);
  assert.match(customer.parked[0]!.reason, /a 856 ship notice came from acme, which is not receivesAt/);
});

test("a 3PL's 846 is a count of the location it runs: QTY 17 on hand (QTY 33 when that is all it sends)", async () => {
  const rig = ediRig({ partner: ACME, us: HUB, location: 'RNO' });
  await rig.drop(
    'count.edi',
    doc('IB', '846', [
      ['BIA', '00', 'MM', 'CNT-7', '20261206', '0600'],
      ['LIN', '', 'VN', 'TP-1'],
      ['QTY', '33', '40', 'EA'],
      ['QTY', '17', '44', 'EA'],
      ['LIN', '', 'VN', 'TP-2'],
      ['QTY', '33', '5', 'EA'],
      ['CTT', '2'],
    ]),
  );
  assert.deepEqual(ak5(rig), [['AK5', 'A']]);
  assert.deepEqual(
    rig.events.map((e) => e.type === 'inventory.snapshot' && [e.id, e.sku, e.location, e.balance, e.occurredAt]),
    [
      ['acme:846:CNT-7:TP-1', 'TP-1', 'RNO', { onHand: 44 }, '2026-12-06T06:00:00Z'],
      ['acme:846:CNT-7:TP-2', 'TP-2', 'RNO', { onHand: 5 }, '2026-12-06T06:00:00Z'],
    ],
  );
  await rig.drop(
    'count-bad.edi',
    doc('IB', '846', [
      ['BIA', '00', 'MM', 'CNT-8', '20261206'],
      ['LIN', '', 'VN', 'TP-1'],
      ['QTY', '17', 'lots', 'EA'],
    ]),
  );
  const bad = rig.out().filter((f) => f.name.startsWith('997'))[1]!.x.groups[0]!.transactions[0]!.segments;
  assert.deepEqual(bad.slice(1, 5), [
    ['AK2', '846', '0001'],
    ['AK3', 'QTY', '4', '', '8'],
    ['AK4', '2', '380', '6', 'lots'],
    ['AK5', 'R', '5'],
  ]);
  assert.equal(rig.events.length, 2, 'nothing taken from the malformed count');
});

test('an 846 item counted on several lines is the sum of its lots; counted again otherwise, or twice on one line, the advice is kept unread (997 AK5 E) naming the segment', async () => {
  const rig = ediRig({ partner: ACME, us: HUB, location: 'RNO' });
  await rig.drop(
    'lots.edi',
    doc('IB', '846', [
      ['BIA', '00', 'MM', 'CNT-L', '20261206', '0600'],
      ['LIN', '1', 'VN', 'TP-1', 'LT', 'L-A'],
      ['QTY', '17', '40', 'EA'],
      ['LIN', '2', 'VN', 'TP-1', 'LT', 'L-B'],
      ['QTY', '17', '4', 'EA'],
      ['LIN', '3', 'VN', 'TP-2'],
      ['QTY', '33', '5', 'EA'],
      ['CTT', '3'],
    ]),
  );
  assert.deepEqual(
    rig.events.map((e) => e.type === 'inventory.snapshot' && [e.sku, e.balance]),
    [
      ['TP-1', { onHand: 44 }],
      ['TP-2', { onHand: 5 }],
    ],
  );
  const refusedAt = async (name: string, segments: string[][]) => {
    await rig.drop(name, doc('IB', '846', segments));
    const ack = rig
      .out()
      .filter((f) => f.name.startsWith('997'))
      .at(-1)!.x.groups[0]!.transactions[0]!.segments;
    return ack.filter((x) => x[0] === 'AK3' || x[0] === 'AK5').map((x) => x.slice(0, 3));
  };
  // The item again without lots: a line sent twice, or two counts, cannot be told apart.
  assert.deepEqual(
    await refusedAt('again.edi', [
      ['BIA', '00', 'MM', 'CNT-R', '20261206'],
      ['LIN', '1', 'VN', 'TP-1'],
      ['QTY', '17', '40', 'EA'],
      ['LIN', '2', 'VN', 'TP-1'],
      ['QTY', '17', '40', 'EA'],
    ]),
    [
      ['AK3', 'LIN', '5'],
      ['AK5', 'E', '5'],
    ],
  );
  // The same lot twice, and a lot beside a line naming none.
  assert.deepEqual(
    await refusedAt('same-lot.edi', [
      ['BIA', '00', 'MM', 'CNT-S', '20261206'],
      ['LIN', '1', 'VN', 'TP-1', 'LT', 'L-A'],
      ['QTY', '17', '40', 'EA'],
      ['LIN', '2', 'VN', 'TP-1', 'LT', 'L-A'],
      ['QTY', '17', '40', 'EA'],
      ['LIN', '3', 'VN', 'TP-2'],
      ['QTY', '17', '1', 'EA'],
      ['LIN', '4', 'VN', 'TP-2', 'LT', 'L-C'],
      ['QTY', '17', '1', 'EA'],
    ]),
    [
      ['AK3', 'LIN', '5'],
      ['AK3', 'LIN', '9'],
      ['AK5', 'E', '5'],
    ],
  );
  assert.deepEqual(
    await refusedAt('two-counts.edi', [
      ['BIA', '00', 'MM', 'CNT-T', '20261206'],
      ['LIN', '1', 'VN', 'TP-1'],
      ['QTY', '17', '40', 'EA'],
      ['QTY', '17', '4', 'EA'],
    ]),
    [
      ['AK3', 'QTY', '5'],
      ['AK5', 'E', '5'],
    ],
  );
  assert.equal(rig.events.length, 2, 'nothing taken from the advices kept unread');
});

test('an 860 change in a test interchange amends nothing', async () => {
  const rig = ediRig({ partner: ACME, us: HUB, testInterchanges: 'test-mode' });
  await rig.drop(
    'po.edi',
    doc('PO', '850', [
      ['BEG', '00', 'SA', 'PO-T', '', '20261201'],
      ['PO1', '1', '2', 'EA', '', '', 'VN', 'SKU-1'],
    ]),
  );
  const test = writeInterchange({
    sender: ACME,
    receiver: HUB,
    control: ++control,
    at: new Date('2026-12-06T09:00:00Z'),
    usage: 'T',
    groups: [
      {
        functionalId: 'PC',
        control,
        transactions: [
          {
            set: '860',
            control: 1,
            segments: [
              ['BCH', '04', 'SA', 'PO-T', '', '', '20261201'],
              ['POC', '1', 'QI', '5', '', 'EA', '', '', 'VN', 'SKU-1'],
            ],
          },
        ],
      } as OutgoingGroup,
    ],
  });
  await rig.drop('test-change.edi', test);
  assert.deepEqual(rig.amended, [], 'nothing amended');
  assert.deepEqual(rig.parked, [], 'nothing kept');
  assert.deepEqual(ak5(rig).at(-1), ['AK5', 'A']);
});
