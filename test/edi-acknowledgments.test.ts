/**
 * The 997 tells the truth, and the TA1 answers the envelope: AK5 A only for a set the hub took;
 * a set it does not take answered AK5 R 1 and kept; missing or malformed mandatory elements
 * answered AK5 R 5 with AK3/AK4 naming the segment, element and X12 code; a purchase order held
 * for a cross-reference answered AK5 E (accepted, errors noted) naming the id; a TA1 when ISA14
 * asks (A 000, R 025 for a duplicate, R 001 for a broken trailer); a set or group whose own
 * trailer does not add up rejected alone (AK5 R 4/3, AK9 R 5/4); a 997 never answered; the
 * partner's 997 matched to what the hub sent and its rejections kept. Everything the hub writes
 * but the TA1 is checked with node-x12's strict parser (which refuses a TA1 outside a group,
 * where X12 puts it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X12Parser } from 'node-x12';
import { writeInterchange, type OutgoingGroup } from '../src/connectors/edi-x12/x12-interchange.js';
import { ediRig } from './support/edi-partner-rig.js';

const ACME = { qualifier: 'ZZ', id: 'ACMEPLUMB' };
const HUB = { qualifier: 'ZZ', id: 'CROSSDOCK' };

function doc(groups: OutgoingGroup[], o: { control?: number; ackRequested?: boolean } = {}): string {
  const text = writeInterchange({ sender: ACME, receiver: HUB, control: o.control ?? 100, at: new Date('2026-12-06T09:00:00Z'), usage: 'P', groups });
  if (!o.ackRequested) return text;
  const isa = text.slice(0, 106).split('*');
  isa[14] = '1';
  return isa.join('*') + text.slice(106);
}

const group = (functionalId: string, control: number, ...sets: [string, string[][]][]): OutgoingGroup => ({
  functionalId,
  control,
  transactions: sets.map(([set, segments], i) => ({ set, control: i + 1, segments })),
});

const PO = (po: string, ...line: string[]) => [
  ['BEG', '00', 'SA', po, '', '20261206'],
  ['PO1', '1', '3', 'EA', '2.00', '', ...(line.length > 0 ? line : ['VN', 'SKU-1'])],
];

/** The 997 transactions the partner got, as their segments. */
const acksIn = (rig: ReturnType<typeof ediRig>) =>
  rig
    .out()
    .filter((f) => f.name.startsWith('997'))
    .flatMap((f) => f.x.groups.flatMap((g) => g.transactions.map((t) => t.segments)));

test('a set the hub does not take is answered AK5 R 1 and kept; a set missing mandatory elements AK5 R 5 with AK3/AK4; a good one AK5 A', async () => {
  const rig = ediRig({ partner: ACME, us: HUB });
  const broken = [
    ['BEG', '00', 'SA', '', '', '20261345'],
    ['PO1', '1', 'three', 'EA', '2.00', '', 'VN', 'SKU-1'],
  ];
  const text = doc([
    group('PO', 1, ['850', PO('PO-1')], ['850', broken]),
    group('IN', 2, ['810', [['BIG', '20261206', 'INV-1', '', 'PO-1']]]),
    group('PR', 3, ['855', [['BAK', '00', 'AD', 'PO-1', '20261206']]]),
    group('OW', 4, ['940', [['W05', 'N', 'O-1', 'PO-1']]]),
    group('TX', 5, ['864', [['BMG', '00', 'hello']]]),
    group('ZZ', 6, ['999', [['XYZ', '1']]]),
  ]);
  assert.deepEqual(await rig.drop('mixed.edi', text), { went: 'processed' });
  for (const f of rig.out()) if (f.name.startsWith('997') || f.name.startsWith('855')) new X12Parser(true).parse(f.text);
  const [po, ...others] = acksIn(rig);
  assert.deepEqual(po, [
    ['AK1', 'PO', '1'],
    ['AK2', '850', '0001'],
    ['AK5', 'A'],
    ['AK2', '850', '0002'],
    ['AK3', 'BEG', '2', '', '8'],
    ['AK4', '3', '324', '1'],
    ['AK4', '5', '373', '8', '20261345'],
    ['AK3', 'PO1', '3', '', '8'],
    ['AK4', '2', '330', '6', 'three'],
    ['AK5', 'R', '5'],
    ['AK9', 'P', '2', '2', '1'],
  ]);
  assert.deepEqual(
    others.map((a) => [a[0]![1], a[1]![1], a.find((s) => s[0] === 'AK5'), a.at(-1)]),
    [
      ['IN', '810', ['AK5', 'R', '1'], ['AK9', 'R', '1', '1', '0']],
      ['PR', '855', ['AK5', 'R', '1'], ['AK9', 'R', '1', '1', '0']],
      ['OW', '940', ['AK5', 'R', '1'], ['AK9', 'R', '1', '1', '0']],
      ['TX', '864', ['AK5', 'R', '1'], ['AK9', 'R', '1', '1', '0']],
      ['ZZ', '999', ['AK5', 'R', '1'], ['AK9', 'R', '1', '1', '0']],
    ],
  );
  assert.deepEqual(
    rig.captured.map((r) => r.externalId),
    ['PO-1'],
  );
  assert.equal(rig.parked.length, 6, 'every set not taken is kept, never dropped');
  assert.match(rig.parked[0]!.reason, /purchase order in transaction 0002 rejected: mandatory segments or elements missing or malformed/);
  assert.deepEqual(
    rig.parked[0]!.errors.map((e) => e.path),
    ['BEG (segment 2)/BEG03', 'BEG (segment 2)/BEG05', 'PO1 (segment 3)/PO102'],
  );
  assert.ok(rig.parked.slice(1).every((p) => /is not one the hub takes from acme/.test(p.reason)));
  assert.equal(rig.out().filter((f) => f.name.startsWith('855')).length, 1, 'an 855 only for the order taken');
});

test('a purchase order held for a cross-reference is answered AK5 E naming the id it waits for (accepted, errors noted), never AK5 A', async () => {
  const rig = ediRig({ partner: ACME, us: HUB, mapping: { channel: 'b2b', customer: 'C-42', itemQualifiers: ['BP'], backorder: 'allow' } });
  await rig.drop('po.edi', doc([group('PO', 1, ['850', PO('PO-9', 'BP', 'ELBOW-15')])]));
  assert.deepEqual(acksIn(rig)[0], [
    ['AK1', 'PO', '1'],
    ['AK2', '850', '0001'],
    ['AK3', 'PO1', '3', '', '8'],
    ['AK4', '7', '234', '7', 'ELBOW-15'],
    ['AK5', 'E', '5'],
    ['AK9', 'E', '1', '1', '1'],
  ]);
  assert.equal(rig.captured.length, 0);
  assert.match(rig.parked[0]!.reason, /PO-9 waits for cross-references: item acme\/BP\/ELBOW-15|PO-9 waits for cross-references/);
  assert.equal(rig.out().filter((f) => f.name.startsWith('855')).length, 0, 'no 855 before the order is captured');
});

test('a TA1 answers the envelope when ISA14 asks: A 000 when taken, R 025 for a duplicate (and nothing else), R 001 for a trailer that does not match', async () => {
  const rig = ediRig({ partner: ACME, us: HUB });
  const text = doc([group('PO', 1, ['850', PO('PO-1')])], { control: 501, ackRequested: true });
  await rig.drop('first.edi', text);
  const ta1 = () => rig.out().filter((f) => f.name.startsWith('TA1'));
  assert.deepEqual(ta1()[0]!.x.ta1, [['TA1', '000000501', '261206', '0900', 'A', '000']]);
  assert.deepEqual(ta1()[0]!.x.groups, []);
  const before = rig.out().length;
  assert.deepEqual(await rig.drop('again.edi', text), { went: 'processed' });
  assert.deepEqual(ta1()[1]!.x.ta1, [['TA1', '000000501', '261206', '0900', 'R', '025']]);
  assert.equal(rig.out().length, before + 1, 'only the TA1: no 997, no 855');
  assert.equal(rig.captured.length, 1);
  const broken = doc([group('PO', 2, ['850', PO('PO-2')])], { control: 502, ackRequested: true }).replace('IEA*1*000000502', 'IEA*1*000000999');
  const went = await rig.drop('broken.edi', broken);
  assert.equal(went.went, 'failed');
  assert.match(went.error!, /IEA02 000000999 does not match ISA13 000000502/);
  assert.deepEqual(ta1()[2]!.x.ta1, [['TA1', '000000502', '261206', '0900', 'R', '001']]);
  // Without ISA14 = 1, no TA1.
  await rig.drop('quiet.edi', doc([group('PO', 3, ['850', PO('PO-3')])], { control: 503 }));
  assert.equal(ta1().length, 3);
});

test("a partner's 997 is never answered; its rejection is matched to the 855 the hub sent and kept with the document, the segment and the element", async () => {
  const rig = ediRig({ partner: ACME, us: HUB });
  await rig.drop('po.edi', doc([group('PO', 1, ['850', PO('PO-77')])], { control: 600 }));
  const sent = rig.out().find((f) => f.name.startsWith('855'))!;
  const gs06 = sent.x.groups[0]!.gs[6]!;
  const st02 = sent.x.groups[0]!.transactions[0]!.control;
  const isa13 = Number(sent.x.isa[13]);
  const outBefore = rig.out().length;
  const fa = (control: number, segments: string[][]) => doc([group('FA', control, ['997', segments])], { control });
  await rig.drop(
    'fa.edi',
    fa(601, [
      ['AK1', 'PR', gs06],
      ['AK2', '855', st02],
      ['AK3', 'N1', '2', '', '8'],
      ['AK4', '4', '67', '7', 'X'],
      ['AK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]),
  );
  assert.equal(rig.out().length, outBefore, 'a 997 is never answered with a 997');
  assert.equal(rig.rejections.length, 1);
  assert.equal(
    rig.rejections[0]!.reason,
    `acme rejected 855 PO PO-77 (interchange ${isa13}, group ${gs06}, transaction ${st02}): AK5 R (5 one or more segments in error); N1 (segment 2): segment error 8; N1 (segment 2)/element 4: element error 7 (value 'X')`,
  );
  assert.deepEqual(rig.rejections[0]!.errors[0], { path: `855/${st02}`, message: 'PO PO-77' });
  // A whole group rejected without naming its sets: every set the hub sent in it.
  await rig.drop(
    'fa-group.edi',
    fa(602, [
      ['AK1', 'PR', gs06],
      ['AK9', 'R', '1', '1', '0', '5'],
    ]),
  );
  assert.match(rig.rejections[1]!.reason, /rejected 855 PO PO-77 .*: the whole group rejected \(AK9 R 5\)/);
  // A rejection of a group the hub never sent is kept too, saying so.
  await rig.drop(
    'fa-unknown.edi',
    fa(603, [
      ['AK1', 'SH', '99999'],
      ['AK2', '856', '0042'],
      ['AK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]),
  );
  assert.match(rig.rejections[2]!.reason, /856 transaction 0042 of group 99999, which the hub has no record of sending/);
  // An acceptance changes nothing.
  await rig.drop(
    'fa-ok.edi',
    fa(604, [
      ['AK1', 'PR', gs06],
      ['AK2', '855', st02],
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]),
  );
  assert.equal(rig.rejections.length, 3);
  assert.equal(rig.out().length, outBefore);
});

test("a partner's TA1 rejecting an interchange of the hub's is kept as a rejection and not answered; a TA1 A changes nothing", async () => {
  const rig = ediRig({ partner: ACME, us: HUB });
  const ta1 = (control: number, status: string, note: string) =>
    writeInterchange({
      sender: ACME,
      receiver: HUB,
      control,
      at: new Date('2026-12-06T09:00:00Z'),
      usage: 'P',
      ta1: [['TA1', '000000042', '261206', '0800', status, note]],
      groups: [],
    });
  assert.deepEqual(await rig.drop('ta1-ok.edi', ta1(801, 'A', '000')), { went: 'processed' });
  assert.deepEqual(await rig.drop('ta1-r.edi', ta1(802, 'R', '008')), { went: 'processed' });
  assert.deepEqual(
    rig.rejections.map((r) => r.reason),
    ["acme rejected the hub's interchange 000000042 (TA1 note 008: invalid receiver id)"],
  );
  assert.deepEqual(rig.out(), [], 'a TA1 is not answered');
});

test("a set whose SE trailer does not add up is rejected alone (AK5 R 4 for SE01, R 3 for SE02) and a group whose GE does not, alone (AK9 R 5 for GE01, 4 for GE02); the interchange's other sets are taken, each fault kept", async () => {
  const rig = ediRig({ partner: ACME, us: HUB });
  let text = doc(
    [
      group('PO', 1, ['850', PO('PO-GOOD')], ['850', PO('PO-COUNT')], ['850', PO('PO-CONTROL')]),
      group('PO', 2, ['850', PO('PO-IN-BAD-GROUP')]),
      group('PO', 3, ['850', PO('PO-COUNTED-WRONG')]),
      group('PO', 4, ['850', PO('PO-ALSO-GOOD')]),
    ],
    { ackRequested: true },
  );
  // Break the trailers by hand: set 2's count, set 3's control number, group 2's control number, group 3's set count.
  text = text.replace('SE*4*0002~', 'SE*9*0002~').replace('SE*4*0003~', 'SE*4*0033~').replace('GE*1*2~', 'GE*1*22~').replace('GE*1*3~', 'GE*2*3~');
  assert.deepEqual(await rig.drop('faults.edi', text), { went: 'processed' });
  assert.deepEqual(
    rig.captured.map((o) => o.externalId),
    ['PO-GOOD', 'PO-ALSO-GOOD'],
    'the sets whose envelopes add up are taken; none in a group whose GE does not',
  );
  const ta1 = rig.out().find((f) => f.name.startsWith('TA1'))!;
  assert.deepEqual(ta1.x.ta1[0]!.slice(4), ['A', '000'], 'the interchange itself is sound: no TA1 024');
  for (const f of rig.out()) if (!f.name.startsWith('TA1')) new X12Parser(true).parse(f.text);
  const acks = acksIn(rig);
  const byGroup = (n: string) => acks.find((a) => a[0]![2] === n)!;
  assert.deepEqual(
    byGroup('1').filter((s) => s[0] === 'AK2' || s[0] === 'AK5' || s[0] === 'AK9'),
    [
      ['AK2', '850', '0001'],
      ['AK5', 'A'],
      ['AK2', '850', '0002'],
      ['AK5', 'R', '4'],
      ['AK2', '850', '0003'],
      ['AK5', 'R', '3'],
      ['AK9', 'P', '3', '3', '1'],
    ],
  );
  assert.deepEqual(byGroup('2').slice(1), [['AK9', 'R', '1', '1', '0', '4']]);
  assert.deepEqual(byGroup('3').slice(1), [['AK9', 'R', '1', '1', '0', '5']]);
  assert.deepEqual(
    byGroup('4').filter((s) => s[0] === 'AK5'),
    [['AK5', 'A']],
  );
  assert.deepEqual(
    rig.parked.map((p) => p.reason.replace(/ of interchange \d+/, '')),
    [
      'transaction 0002 (850) rejected: segment 10: SE01 says 9 segments but transaction 0002 has 4',
      'transaction 0003 (850) rejected: segment 14: SE02 0033 does not match ST02 0003',
      'group 2 rejected: segment 21: GE02 22 does not match GS06 2',
      'group 3 rejected: segment 27: GE01 says 2 transactions but group 3 has 1',
    ],
    'each rejected set or group is kept as an exception, never dropped',
  );
});
