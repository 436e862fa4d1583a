/**
 * Every X12 document in the shared fixtures (real partners' files from public projects), dropped
 * into a partner's folder set up for its envelope, with what the hub does with it stated: taken
 * (and into what), refused (with which reason), acknowledged how. Whatever the hub writes back is
 * checked with node-x12's strict parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X12Parser } from 'node-x12';
import { fixture, fixturesSkip } from './support/fixtures.js';
import { ediRig, partiesOf, type Rig } from './support/edi-partner-rig.js';
import type { EdiPartnerOptions } from '../src/connectors/edi-x12/edi-partner.js';

const skip = fixturesSkip();

/** Drops fixture `name` into a partner set up for its envelope; answers the rig, where the file went, and the AK5s and AK9s sent. */
async function take(name: string, o: Partial<EdiPartnerOptions> & { define?: (rig: Rig) => Promise<void> } = {}) {
  const text = fixture(`x12/${name}`);
  const rig = ediRig({ ...partiesOf(text), ...o });
  await o.define?.(rig);
  const went = await rig.drop(name.replace(/\//g, '_'), text);
  const out = rig.out();
  for (const f of out) if (!f.name.startsWith('TA1')) new X12Parser(true).parse(f.text);
  const acks = out.filter((f) => f.name.startsWith('997')).flatMap((f) => f.x.groups.flatMap((g) => g.transactions.map((t) => t.segments)));
  return {
    rig,
    went,
    out,
    ak5: acks.flatMap((a) => a.filter((s) => s[0] === 'AK5').map((s) => s.slice(1).join(' '))),
    ak9: acks.map((a) =>
      a
        .find((s) => s[0] === 'AK9')!
        .slice(1)
        .join(' '),
    ),
    usage: out.map((f) => f.x.isa[15]),
  };
}

test('node-x12/850.edi, 850_2.edi (newline terminators) and EdiEngine/850.OK.edi: taken, one order, 997 AK5 A, 855 with BAK04 the PO date', {
  skip,
}, async () => {
  for (const name of ['node-x12/850.edi', 'node-x12/850_2.edi', 'EdiEngine/850.OK.edi']) {
    const r = await take(name);
    assert.deepEqual(r.went, { went: 'processed' }, name);
    assert.deepEqual(
      r.rig.captured.map((c) => [c.externalId, c.lines.length]),
      [['08292233294', 6]],
      name,
    );
    assert.deepEqual([r.ak5, r.ak9], [['A'], ['A 1 1 1']], name);
    const bak = r.out.find((f) => f.name.startsWith('855'))!.x.groups[0]!.transactions[0]!.segments[0]!;
    assert.deepEqual(bak.slice(0, 5), ['BAK', '00', 'AD', '08292233294', '20101127'], name);
  }
});

test('node-x12/850_3.edi (a pet retailer, its own ids): held whole for its cross-references, 997 AK5 E naming the N1 store and the PO1 ids; no 855 yet', {
  skip,
}, async () => {
  const r = await take('node-x12/850_3.edi', { mapping: { channel: 'b2b', itemQualifiers: ['VN', 'SK'], backorder: 'allow' } });
  assert.deepEqual([r.ak5, r.ak9], [['E 5'], ['E 1 1 1']]);
  const ack = r.out.find((f) => f.name.startsWith('997'))!.x.groups[0]!.transactions[0]!.segments;
  assert.deepEqual(
    ack.filter((s) => s[0] === 'AK3' || s[0] === 'AK4').map((s) => s.slice(1).join(' ')),
    ['N1 9  8', '4 67 7 100', 'PO1 12  8', '7 234 7 UNKNOWN', '11 234 7 000000000001010700'],
  );
  assert.match(r.rig.parked[0]!.reason, /waits for cross-references/);
  assert.equal(r.rig.captured.length, 0);
  assert.equal(r.out.filter((f) => f.name.startsWith('855')).length, 0);
});

test('node-x12/855.edi, EdiEngine/940.OK.edi and 940.2.OK.edi: sets the hub sends but does not take, answered AK5 R 1 and kept', { skip }, async () => {
  for (const [name, set] of [
    ['node-x12/855.edi', '855'],
    ['EdiEngine/940.OK.edi', '940'],
    ['EdiEngine/940.2.OK.edi', '940'],
  ] as const) {
    const r = await take(name);
    assert.deepEqual([r.went.went, r.ak5, r.ak9], ['processed', ['R 1'], ['R 1 1 0']], name);
    assert.equal(r.rig.parked.length, 1, name);
    assert.match(r.rig.parked[0]!.reason, new RegExp(`transaction set ${set} .* is not one the hub takes from acme`), name);
  }
});

test('node-x12/856.edi (4060) and EdiEngine/856.Crossdock.OK.edi from a supplier: taken as inbound supply at its receiving location, through its ids', {
  skip,
}, async () => {
  const a = await take('node-x12/856.edi', {
    receivesAt: 'DAL',
    mapping: { itemQualifiers: ['VP'], backorder: 'allow' },
    define: async (rig) => {
      await rig.xrefs.define([
        { kind: 'item', system: 'acme', scheme: 'VP', external: '87787D', id: 'WIDGET-BLUE' },
        { kind: 'item', system: 'acme', scheme: 'VP', external: '99887D', id: 'WIDGET-RED' },
      ]);
    },
  });
  assert.deepEqual([a.went.went, a.ak5, a.rig.parked.map((p) => p.reason)], ['processed', ['A'], []]);
  assert.deepEqual(
    a.rig.events.map((e) => e.type === 'inventory.movement' && [e.sku, e.delta, e.eta ?? null, e.occurredAt]),
    [
      ['WIDGET-BLUE', { inbound: 24 }, null, '2011-12-06T14:24:00Z'],
      ['WIDGET-RED', { inbound: 6 }, null, '2011-12-06T14:24:00Z'],
    ],
  );
  // The cross-dock ASN's UPCs and EAN are redacted to ids with wrong check digits: never mappable, so the notice is rejected naming them.
  const b = await take('EdiEngine/856.Crossdock.OK.edi', { receivesAt: 'DAL', mapping: { itemQualifiers: ['UP', 'EN'], backorder: 'allow' } });
  assert.deepEqual([b.went.went, b.ak5], ['processed', ['R 5']]);
  const ack = b.out.find((f) => f.name.startsWith('997'))!.x.groups[0]!.transactions[0]!.segments;
  assert.deepEqual(
    ack.filter((s) => s[0] === 'AK4').map((s) => s.slice(1, 5).join(' ')),
    ['3 234 7 0000000000831', '3 234 7 0000000000283', '3 234 7 0000000000203'],
  );
  assert.match(b.rig.parked[0]!.reason, /ship notice in transaction 0001 names items by ids that are not valid/);
  assert.equal(b.rig.events.length, 0);
  // From a partner that is no supplier: not taken, AK5 R 1, kept.
  const c = await take('node-x12/856.edi');
  assert.deepEqual(c.ak5, ['R 1']);
  assert.equal(c.rig.events.length, 0);
});

test('staedi/invoice810_po850_dual.edi: its second group comes from another application sender (GS02), so the interchange is refused whole and kept; nothing answered', {
  skip,
}, async () => {
  const r = await take('staedi/invoice810_po850_dual.edi');
  assert.equal(r.went.went, 'failed');
  assert.match(r.went.error!, /group 165 sent by 9994935230, but acme's application code is SENDERDEPT/);
  assert.deepEqual([r.out, r.rig.captured], [[], []]);
  assert.equal(r.rig.parked.length, 1);
});

test('staedi/simple810.edi, multi-tx-transaction-type.edi and stupidedi/IN810-pass-1.edi are test interchanges (ISA15 = T): refused by default, nothing answered; in test mode answered with ISA15 = T', {
  skip,
}, async () => {
  for (const name of ['staedi/simple810.edi', 'staedi/multi-tx-transaction-type.edi', 'stupidedi/IN810-pass-1.edi']) {
    const r = await take(name);
    assert.equal(r.went.went, 'failed', name);
    assert.match(r.went.error!, /test interchange \d+ \(ISA15 = T\) refused/, name);
    assert.deepEqual(r.out, [], name);
    assert.equal(r.rig.parked.length, 1, `${name} kept as an exception`);
  }
  const simple = await take('staedi/simple810.edi', { testInterchanges: 'test-mode' });
  assert.deepEqual([simple.ak5, simple.usage], [['R 1', 'R 1'], ['T']]);
  assert.deepEqual(simple.rig.parked, [], 'a test document is never kept for replay');
  const pipes = await take('stupidedi/IN810-pass-1.edi', { testInterchanges: 'test-mode' });
  assert.deepEqual([pipes.ak5, pipes.usage], [['R 1'], ['T']]);
});

test('staedi/simple997.edi: a 997 rejecting a set the hub never sent is kept as a rejection saying so, and not answered; stupidedi/FA997-pass-1.edi accepts, and changes nothing', {
  skip,
}, async () => {
  const r = await take('staedi/simple997.edi');
  assert.deepEqual([r.went.went, r.out], ['processed', []]);
  assert.equal(r.rig.rejections.length, 1);
  assert.match(
    r.rig.rejections[0]!.reason,
    /rejected 837 transaction 0021 of group 000001, which the hub has no record of sending: AK5 R \(5 one or more segments in error\); NM1 \(segment 8\)/,
  );
  const ok = await take('stupidedi/FA997-pass-1.edi');
  assert.deepEqual([ok.went.went, ok.out, ok.rig.rejections, ok.rig.parked], ['processed', [], [], []]);
});

test('staedi/invalid997.edi: a 997 with an invalid AK101 is kept as malformed and, being a 997, not answered', { skip }, async () => {
  const r = await take('staedi/invalid997.edi');
  assert.deepEqual([r.went.went, r.out], ['processed', []]);
  assert.equal(r.rig.parked.length, 1);
  assert.deepEqual(r.rig.parked[0]!.errors, [{ path: 'AK1 (segment 2)/AK101', message: "AK101 'HC NOT IN CODESET' is not a code value" }]);
  assert.equal(r.rig.rejections.length, 0);
});

test('EdiEngine/940_Failed_SE01.edi: a set whose SE01 count is wrong is rejected alone (AK5 R 4) and kept; ControlNumbersMismatch.edi, WrongGroupsAndTranCount.edi: an interchange trailer that does not add up (IEA02, IEA01) goes to failed/ with the reason; no TA1 (ISA14 = 0), nothing taken', {
  skip,
}, async () => {
  const se = await take('EdiEngine/940_Failed_SE01.edi');
  assert.equal(se.went.went, 'processed');
  assert.deepEqual([se.ak5, se.ak9], [['R 4'], ['R 1 1 0']]);
  assert.match(se.rig.parked[0]!.reason, /SE01 says 12 segments but transaction \S+ has 9/);
  assert.equal(se.rig.parked.length, 1);
  for (const [name, reason] of [
    ['EdiEngine/ControlNumbersMismatch.edi', /IEA02 \S+ does not match ISA13/],
    ['EdiEngine/WrongGroupsAndTranCount.edi', /IEA01 says 2 groups but the interchange has 1/],
  ] as const) {
    const r = await take(name);
    assert.equal(r.went.went, 'failed', name);
    assert.match(r.went.error!, reason, name);
    assert.deepEqual([r.out, r.rig.parked, r.rig.captured], [[], [], []], name);
  }
});
