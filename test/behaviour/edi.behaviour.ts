/**
 * EDI X12 partners through their folders as both backends must show it: a 3PL gets a 940 when an
 * order is released to its location and its 945 ships the order; a customer's file of several
 * interchanges and groups is taken whole and each group acknowledged; an interchange sent again
 * under its control number changes nothing; a PO in a new envelope is captured once.
 * Run by edi-embedded.test.ts and edi-scale-out.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X12Parser } from 'node-x12';
import { readInterchange, writeInterchange } from '../../src/connectors/edi-x12/x12-interchange.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness } from '../support/order-hub.js';
import { fixture, fixturesSkip } from '../support/fixtures.js';
import { snapshot } from '../support/test-hub.js';

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 15_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

export async function ediBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`EDI partners on the ${backend.name} backend`, { skip }, () => {
    test('a 3PL gets a 940 when an order is released to its location, and its 945 ships the order and takes the stock', { timeout: 60_000 }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' }, RNO: { name: 'Reno 3PL', authority: '3pl-rno' } },
          channels: { direct: { locations: ['RNO'] }, queued: { locations: ['DAL'] } },
          systems: { '3pl-rno': { type: 'edi-x12', pollSeconds: 0.1, us: { qualifier: 'ZZ', id: 'CROSSDOCK' }, partner: { qualifier: 'ZZ', id: 'RENO3PL' } } },
        } as never,
      });
      const dir = join(hub.dataDir, 'edi', '3pl-rno');
      try {
        await hub.api('POST', '/v1/events', [snapshot({ source: '3pl-rno', seq: 10, sku: 'TP-1', location: 'RNO', onHand: 50 })]);
        const order = await hub.order({ channel: 'direct', externalId: 'D-1', customer: 'C-42', lines: [{ sku: 'TP-1', qty: 6 }] });
        const id = order.body.id as string;
        await hub.api('POST', '/v1/events', [
          { id: 'rel-tp', type: 'order.released', source: 'erp-main', seq: 1, occurredAt: '2026-11-22T12:00:00Z', orderId: id },
        ]);
        await waitFor('the 940', () => readdirSync(join(dir, 'out')).some((f) => f.startsWith('940')));
        const doc = readFileSync(join(dir, 'out', readdirSync(join(dir, 'out')).find((f) => f.startsWith('940'))!), 'utf8');
        new X12Parser(true).parse(doc);
        const w = readInterchange(doc).groups[0]!;
        assert.equal(w.gs[1], 'OW');
        assert.deepEqual(
          w.transactions[0]!.segments.find((s) => s[0] === 'W05'),
          ['W05', 'N', id, 'D-1'],
        );
        assert.deepEqual(
          w.transactions[0]!.segments.find((s) => s[0] === 'W01'),
          ['W01', '6', 'EA', '', 'VN', 'TP-1'],
        );
        assert.equal(await hub.available('TP-1', 'direct'), 44);

        const adviceIn = (control: number) =>
          writeInterchange({
            sender: { qualifier: 'ZZ', id: 'RENO3PL' },
            receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
            control,
            at: new Date('2026-11-22T13:00:00Z'),
            usage: 'P',
            groups: [
              {
                functionalId: 'SW',
                control: 9,
                transactions: [
                  {
                    set: '945',
                    control: 1,
                    segments: [
                      ['W06', 'N', id, '20261122', 'SHP-1'],
                      ['N9', 'BM', '1ZRNO945'],
                      ['W27', 'M', 'UPSN'],
                      ['LX', '1'],
                      ['W12', 'CC', '6', '6', '0', 'EA', '', 'VN', 'TP-1'],
                      ['W03', '6'],
                    ],
                  },
                ],
              },
            ],
          });
        writeFileSync(join(dir, 'in', 'advice.edi'), adviceIn(501));
        await waitFor('the shipment', async () => (await hub.api('GET', `/v1/orders/${id}`)).body.status === 'shipped');
        await hub.settled();
        const v = (await hub.api('GET', `/v1/orders/${id}`)).body;
        assert.deepEqual(v.shipments[0].tracking, { number: '1ZRNO945', carrier: 'UPSN' });
        const stock = (await hub.api('GET', '/v1/availability/TP-1/explain?channel=direct')).body.locations[0];
        assert.deepEqual([stock.onHand, stock.reserved], [44, 0], 'the 3PL is the authority: its advice is the stock leaving, counted once');
        assert.ok(
          readdirSync(join(dir, 'out')).some((f) => f.startsWith('997')),
          'the 945 is acknowledged',
        );

        // The 3PL re-sends the same shipment in a new envelope (as after its own restart): a duplicate, not a second shipment.
        writeFileSync(join(dir, 'in', 'advice-again.edi'), adviceIn(502));
        await waitFor('the re-sent advice to be taken', () => readdirSync(join(dir, 'processed')).includes('advice-again.edi'));
        await hub.settled();
        const again = (await hub.api('GET', `/v1/orders/${id}`)).body;
        assert.equal(again.shipments.length, 1, 'one shipment, though its advice came twice');
        assert.deepEqual((await hub.api('GET', '/v1/order-exceptions')).body.exceptions, []);
        const after = (await hub.api('GET', '/v1/availability/TP-1/explain?channel=direct')).body.locations[0];
        assert.deepEqual([after.onHand, after.reserved], [44, 0], 'the stock left once');
      } finally {
        await hub.stop();
      }
    });

    test('a file of several interchanges, one with several groups, is taken whole: each set captured and each group acknowledged; an interchange sent again under its control number changes nothing', {
      skip: fixturesSkip(),
      timeout: 60_000,
    }, async () => {
      const hub = await startOrderHarness(backend, {
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
      const dir = join(hub.dataDir, 'edi', 'acme');
      const outFiles = () => readdirSync(join(dir, 'out')).sort();
      try {
        for (const [sku, qty] of [
          ['AB3542', 500],
          ['RD5322', 500],
          ['XY5266', 500],
          ['VX2332', 500],
          ['RV0524', 500],
          ['DX1875', 600],
          ['PLAIN-1', 50],
        ] as const)
          await hub.stock(sku, 'DAL', qty);
        // More DX1875 is on its way to Dallas: the 855 gives its date for the part backordered.
        const supply = await hub.api('POST', '/v1/events', [
          {
            id: 'dx-inbound-1',
            type: 'inventory.movement',
            source: 'wms-dal',
            seq: 9_000_000,
            occurredAt: '2026-12-06T08:00:00Z',
            sku: 'DX1875',
            location: 'DAL',
            reason: 'receipt',
            delta: { inbound: 200 },
            eta: '2099-12-20T00:00:00Z',
          },
        ]);
        assert.equal(supply.body.accepted, 1, JSON.stringify(supply.body));
        await waitFor('the partner folder', () => existsSync(join(dir, 'in')));
        // The fixture's interchange (ISA13 000003438), then one of ours holding two groups of one 850 each.
        const po = (n: number, group: number) => ({
          functionalId: 'PO',
          control: group,
          transactions: [
            {
              set: '850',
              control: 1,
              segments: [
                ['BEG', '00', 'SA', `PO-MULTI-${n}`, '', '20261206'],
                ['PO1', '1', '2', 'EA', '1.00', '', 'VN', 'PLAIN-1'],
              ],
            },
          ],
        });
        const second = writeInterchange({
          sender: { qualifier: '12', id: '4405197800' },
          receiver: { qualifier: '01', id: '999999999' },
          control: 3439,
          at: new Date('2026-12-06T09:00:00Z'),
          usage: 'P',
          groups: [po(1, 71), po(2, 72)],
        });
        writeFileSync(join(dir, 'in', 'batch.edi'), fixture('x12/node-x12/850.edi') + second);
        await waitFor('the batch to be taken', () => readdirSync(join(dir, 'processed')).includes('batch.edi'));
        const out = outFiles();
        for (const f of out) new X12Parser(true).parse(readFileSync(join(dir, 'out', f), 'utf8'));
        const docs = out.map((f) => readInterchange(readFileSync(join(dir, 'out', f), 'utf8')));
        const acks = docs.flatMap((d) => d.groups.filter((g) => g.gs[1] === 'FA').flatMap((g) => g.transactions));
        assert.deepEqual(
          acks.map((t) => t.segments[0]!.slice(1)).sort(),
          [
            ['PO', '1421'],
            ['PO', '71'],
            ['PO', '72'],
          ],
          'each received group answered by its own 997',
        );
        assert.ok(acks.every((t) => t.segments.some((x) => x[0] === 'AK5' && x[1] === 'A')));
        const pr = docs.flatMap((d) => d.groups.filter((g) => g.gs[1] === 'PR').flatMap((g) => g.transactions));
        assert.deepEqual(pr.map((t) => t.segments[0]![3]).sort(), ['08292233294', 'PO-MULTI-1', 'PO-MULTI-2']);
        const bak = pr.find((t) => t.segments[0]![3] === '08292233294')!.segments[0]!;
        assert.deepEqual(
          bak.slice(0, 5),
          ['BAK', '00', 'AC', '08292233294', '20101127'],
          'DX1875: 696 ordered, 600 there: accepted with changes; BAK04 the PO date',
        );
        const ordered = pr.find((t) => t.segments[0]![3] === '08292233294')!.segments;
        assert.deepEqual(
          ordered.filter((x) => x[0] === 'ACK' && x[1] === 'IB'),
          [['ACK', 'IB', '96', 'EA', '068', '20991220']],
          'the backordered part, with the date supply is expected',
        );
        const captureIds: (string | undefined)[] = [];
        for (const ref of ['08292233294', 'PO-MULTI-1', 'PO-MULTI-2']) {
          const found = (await hub.api('GET', `/v1/orders?channel=queued&externalId=${ref}`)).body.orders as { id: string }[];
          assert.equal(found.length, 1, ref);
          const entries = (await hub.api('GET', `/v1/orders/${found[0]!.id}/timeline`)).body.entries as { step: string; correlationId?: string }[];
          captureIds.push(entries.find((e) => e.step === 'captured')?.correlationId);
        }
        // The file's id, minted when it was taken, follows every order it brought.
        assert.ok(typeof captureIds[0] === 'string' && captureIds.every((id) => id === captureIds[0]), JSON.stringify(captureIds));

        // The same interchange again (same sender, same ISA13): a duplicate, nothing captured, nothing answered.
        writeFileSync(join(dir, 'in', 'po-again.edi'), fixture('x12/node-x12/850.edi'));
        await waitFor('the copy to be set aside', () => readdirSync(join(dir, 'processed')).includes('po-again.edi'));
        assert.deepEqual(outFiles(), out, 'no 997 or 855 for a duplicate interchange');
        await hub.settled();
        assert.equal(await hub.available('AB3542'), 380);
        assert.equal((await hub.api('GET', '/v1/orders?channel=queued&externalId=08292233294')).body.orders.length, 1);

        // The same PO in a new envelope is a new interchange: answered, and still one order.
        writeFileSync(join(dir, 'in', 'po-new-envelope.edi'), fixture('x12/node-x12/850.edi').replace(/000003438/g, '000003440'));
        await waitFor(
          'the new envelope to be answered',
          () => outFiles().filter((f) => f.startsWith('855')).length === out.filter((f) => f.startsWith('855')).length + 1,
        );
        await hub.settled();
        assert.equal((await hub.api('GET', '/v1/orders?channel=queued&externalId=08292233294')).body.orders.length, 1, 'one order, though the PO came twice');
        assert.equal(await hub.available('AB3542'), 380);
        const controls = outFiles().map((f) => Number(/-(\d+)\.edi$/.exec(f)![1]));
        assert.equal(new Set(controls).size, controls.length, 'every interchange has its own control number');
      } finally {
        await hub.stop();
      }
    });

    test('an interchange from another sender, for another receiver, or marked test for a partner that refuses tests is refused: nothing captured, nothing answered, kept as an exception; a partner in test mode gets ISA15 = T answers and nothing changes', {
      timeout: 60_000,
    }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          systems: {
            acme: {
              type: 'edi-x12',
              channel: 'queued',
              customer: 'C-42',
              pollSeconds: 0.1,
              us: { qualifier: 'ZZ', id: 'CROSSDOCK', applicationId: 'XDOCKAPP' },
              partner: { qualifier: 'ZZ', id: 'ACMEPLUMB' },
            },
            globex: {
              type: 'edi-x12',
              channel: 'queued',
              customer: 'C-42',
              pollSeconds: 0.1,
              testInterchanges: 'test-mode',
              us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
              partner: { qualifier: 'ZZ', id: 'GLOBEX' },
            },
          },
        } as never,
      });
      const folder = (p: string, sub: string) => join(hub.dataDir, 'edi', p, sub);
      const order = (o: { from?: string; to?: string; toApp?: string; usage?: 'P' | 'T'; po: string; control: number }) => {
        const text = writeInterchange({
          sender: { qualifier: 'ZZ', id: o.from ?? 'ACMEPLUMB' },
          receiver: { qualifier: 'ZZ', id: o.to ?? 'CROSSDOCK', applicationId: o.toApp ?? 'XDOCKAPP' },
          control: o.control,
          at: new Date('2026-12-06T09:00:00Z'),
          usage: o.usage ?? 'P',
          groups: [
            {
              functionalId: 'PO',
              control: o.control,
              transactions: [
                {
                  set: '850',
                  control: 1,
                  segments: [
                    ['BEG', '00', 'SA', o.po, '', '20261206'],
                    ['PO1', '1', '5', 'EA', '1.00', '', 'VN', 'ENV-1'],
                  ],
                },
              ],
            },
          ],
        });
        return text;
      };
      try {
        await hub.stock('ENV-1', 'DAL', 40);
        await waitFor('the partner folders', () => existsSync(folder('acme', 'in')) && existsSync(folder('globex', 'in')));
        const refused: [string, string, RegExp][] = [
          ['stranger.edi', order({ from: 'STRANGER', po: 'PO-STRANGER', control: 11 }), /sent by ZZ:STRANGER, but acme sends as ZZ:ACMEPLUMB/],
          ['elsewhere.edi', order({ to: 'SOMEONEELSE', po: 'PO-ELSEWHERE', control: 12 }), /addressed to ZZ:SOMEONEELSE, but acme sends to ZZ:CROSSDOCK/],
          [
            'wrong-app.edi',
            order({ toApp: 'OTHERAPP', po: 'PO-WRONG-APP', control: 13 }),
            /group 13 addressed to OTHERAPP, but the hub's application code for acme is XDOCKAPP/,
          ],
          ['test.edi', order({ usage: 'T', po: 'PO-TEST-REFUSED', control: 14 }), /test interchange 000000014 \(ISA15 = T\) refused/],
        ];
        for (const [name, text] of refused) writeFileSync(join(folder('acme', 'in'), name), text);
        await waitFor('the refused files', () => refused.every(([name]) => existsSync(join(folder('acme', 'failed'), `${name}.error.txt`))));
        for (const [name, , reason] of refused) assert.match(readFileSync(join(folder('acme', 'failed'), `${name}.error.txt`), 'utf8'), reason, name);
        assert.deepEqual(
          readdirSync(folder('acme', 'out')).filter((f) => /^(997|855|TA1)/.test(f)),
          [],
          'nothing answered to a stranger, nor to a test the partner may not send',
        );
        const parked = (await hub.api('GET', '/v1/inbound/parked?system=acme')).body.parked as { reason: string; correlationId?: string }[];
        for (const [name, , reason] of refused)
          assert.ok(
            parked.some((p) => reason.test(p.reason)),
            `${name} is kept as an exception`,
          );
        // Each file's documents carry the id minted when the file was taken: one per file.
        const ids = refused.map(([, , reason]) => parked.find((p) => reason.test(p.reason))?.correlationId);
        assert.ok(
          ids.every((id) => typeof id === 'string' && id.length > 0),
          JSON.stringify(ids),
        );
        assert.equal(new Set(ids).size, refused.length, JSON.stringify(ids));
        for (const po of ['PO-STRANGER', 'PO-ELSEWHERE', 'PO-WRONG-APP', 'PO-TEST-REFUSED'])
          assert.equal((await hub.api('GET', `/v1/orders?channel=queued&externalId=${po}`)).body.orders.length, 0, po);

        // A partner whose tests are taken in test mode: read, answered with ISA15 = T, no order, no stock held, nothing for the ERP.
        const placedBefore = hub.erp.placedOrders;
        const test = order({ from: 'GLOBEX', toApp: 'CROSSDOCK', usage: 'T', po: 'PO-TEST-MODE', control: 21 });
        writeFileSync(join(folder('globex', 'in'), 'test.edi'), test);
        await waitFor('the test answers', () => readdirSync(folder('globex', 'out')).some((f) => f.startsWith('855')));
        const answers = readdirSync(folder('globex', 'out'))
          .filter((f) => /^(997|855)/.test(f))
          .map((f) => readFileSync(join(folder('globex', 'out'), f), 'utf8'));
        for (const a of answers) new X12Parser(true).parse(a);
        assert.deepEqual(
          answers.map((a) => readInterchange(a).isa[15]),
          answers.map(() => 'T'),
          'answered as a test',
        );
        const ack = answers.map((a) => readInterchange(a).groups[0]!).find((g) => g.gs[1] === 'PR')!.transactions[0]!.segments;
        assert.deepEqual(
          ack.find((x) => x[0] === 'ACK'),
          ['ACK', 'IA', '5', 'EA'],
        );
        await hub.settled();
        assert.equal((await hub.api('GET', '/v1/orders?channel=queued&externalId=PO-TEST-MODE')).body.orders.length, 0, 'no live order');
        assert.equal(await hub.available('ENV-1'), 40, 'nothing reserved');
        assert.equal(hub.erp.placedOrders, placedBefore, 'nothing committed to the ERP');
        assert.deepEqual((await hub.api('GET', '/v1/inbound/parked?system=globex')).body.parked, [], 'a test document is never kept for replay');
      } finally {
        await hub.stop();
      }
    });

    test("a partner's 997 rejecting the hub's 855 becomes a partner_rejection exception on that purchase order; discarding it resolves it", {
      timeout: 60_000,
    }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          systems: {
            acme: {
              type: 'edi-x12',
              channel: 'queued',
              customer: 'C-42',
              pollSeconds: 0.1,
              us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
              partner: { qualifier: 'ZZ', id: 'ACMEPLUMB' },
            },
          },
          exceptions: { reconcileMs: 100 },
        } as never,
      });
      const dir = join(hub.dataDir, 'edi', 'acme');
      const from = (control: number, group: { functionalId: string; set: string; segments: string[][] }) =>
        writeInterchange({
          sender: { qualifier: 'ZZ', id: 'ACMEPLUMB' },
          receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
          control,
          at: new Date('2026-12-06T09:00:00Z'),
          usage: 'P',
          groups: [{ functionalId: group.functionalId, control, transactions: [{ set: group.set, control: 1, segments: group.segments }] }],
        });
      try {
        await hub.stock('REJ-1', 'DAL', 10);
        await waitFor('the partner folder', () => existsSync(join(dir, 'in')));
        writeFileSync(
          join(dir, 'in', 'po.edi'),
          from(31, {
            functionalId: 'PO',
            set: '850',
            segments: [
              ['BEG', '00', 'SA', 'PO-REJ', '', '20261206'],
              ['PO1', '1', '2', 'EA', '', '', 'VN', 'REJ-1'],
            ],
          }),
        );
        await waitFor('the 855', () => readdirSync(join(dir, 'out')).some((f) => f.startsWith('855')));
        const sent = readInterchange(readFileSync(join(dir, 'out', readdirSync(join(dir, 'out')).find((f) => f.startsWith('855'))!), 'utf8')).groups[0]!;
        const rejection = [
          ['AK1', 'PR', sent.gs[6]!],
          ['AK2', '855', sent.transactions[0]!.control],
          ['AK3', 'BAK', '1', '', '8'],
          ['AK4', '4', '373', '8', '2026'],
          ['AK5', 'R', '5'],
          ['AK9', 'R', '1', '1', '0'],
        ];
        writeFileSync(join(dir, 'in', 'fa.edi'), from(32, { functionalId: 'FA', set: '997', segments: rejection }));
        let found: { id: number; class: string; entity: { kind: string; id: string }; error: string; correlationId: string | null }[] = [];
        await waitFor('the exception', async () => {
          found = (await hub.api('GET', '/v1/exceptions?class=partner_rejection')).body.exceptions;
          return found.length === 1;
        });
        assert.equal(found[0]!.entity.kind, 'document');
        assert.match(found[0]!.correlationId ?? '', /^[0-9a-f-]{36}$/, 'the correlation id of the file the 997 came in');
        assert.match(found[0]!.entity.id, /^acme\/855\/\d+ PO PO-REJ$/);
        assert.match(found[0]!.error, /acme rejected 855 PO PO-REJ \(interchange \d+, group \d+, transaction \d+\): AK5 R \(5 one or more segments in error\)/);
        assert.deepEqual((await hub.api('GET', '/v1/exceptions?class=parked_inbound')).body.exceptions, [], 'not a parked document to replay');
        const record = (await hub.api('GET', '/v1/inbound/parked?system=acme')).body.parked.find((p: { topic: string }) => p.topic === 'x12-997-rejection');
        const replay = await hub.api('POST', `/v1/inbound/parked/${record.id}/replay`);
        assert.equal(replay.status, 409, 'a rejection is nothing to take again');
        const done = await hub.api('POST', `/v1/exceptions/${found[0]!.id}/actions/discard`, { reason: 'corrected the PO date with acme' });
        assert.equal(done.status, 200, JSON.stringify(done.body));
        assert.equal(done.body.status, 'resolved');
      } finally {
        await hub.stop();
      }
    });

    test("the sets a distributor receives, into the hub: a 3PL's 846 counts its location, a customer's 860 cancels its order, a supplier's 856 is the location's inbound with its ETA until the location receives it", {
      timeout: 60_000,
    }, async () => {
      const party = (id: string) => ({ qualifier: 'ZZ', id });
      const hub = await startOrderHarness(backend, {
        file: {
          locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' }, RNO: { name: 'Reno 3PL', authority: '3pl-rno' } },
          channels: { direct: { locations: ['RNO'] }, queued: { locations: ['DAL'] }, forward: { locations: ['DAL'], includeInbound: { withinDays: 30 } } },
          systems: {
            '3pl-rno': { type: 'edi-x12', pollSeconds: 0.1, us: party('CROSSDOCK'), partner: party('RENO3PL') },
            acme: { type: 'edi-x12', channel: 'queued', customer: 'C-42', pollSeconds: 0.1, us: party('CROSSDOCK'), partner: party('ACMEPLUMB') },
            widgets: { type: 'edi-x12', pollSeconds: 0.1, receivesAt: 'DAL', us: party('CROSSDOCK'), partner: party('WIDGETCO') },
          },
        } as never,
      });
      const doc = (from: string, control: number, functionalId: string, set: string, segments: string[][]) =>
        writeInterchange({
          sender: party(from),
          receiver: party('CROSSDOCK'),
          control,
          at: new Date('2026-12-06T09:00:00Z'),
          usage: 'P',
          groups: [{ functionalId, control, transactions: [{ set, control: 1, segments }] }],
        });
      const drop = (system: string, name: string, text: string) => writeFileSync(join(hub.dataDir, 'edi', system, 'in', name), text);
      const processed = (system: string, name: string) => existsSync(join(hub.dataDir, 'edi', system, 'processed', name));
      try {
        await waitFor('the partner folders', () => ['3pl-rno', 'acme', 'widgets'].every((s) => existsSync(join(hub.dataDir, 'edi', s, 'in'))));
        drop(
          '3pl-rno',
          'count.edi',
          doc('RENO3PL', 41, 'IB', '846', [
            ['BIA', '00', 'MM', 'CNT-1', '20261206', '0600'],
            ['LIN', '', 'VN', 'TP-9'],
            ['QTY', '17', '30', 'EA'],
          ]),
        );
        await waitFor('the count', () => processed('3pl-rno', 'count.edi'));
        await hub.settled();
        assert.equal(await hub.available('TP-9', 'direct'), 30, "the 3PL's count is the location's stock");

        await hub.stock('CX-1', 'DAL', 20);
        drop(
          'acme',
          'po.edi',
          doc('ACMEPLUMB', 51, 'PO', '850', [
            ['BEG', '00', 'SA', 'PO-CX', '', '20261206'],
            ['PO1', '1', '4', 'EA', '', '', 'VN', 'CX-1'],
          ]),
        );
        await waitFor('the order', () => processed('acme', 'po.edi'));
        await hub.settled();
        assert.equal(await hub.available('CX-1'), 16);
        drop('acme', 'cancel.edi', doc('ACMEPLUMB', 52, 'PC', '860', [['BCH', '01', 'SA', 'PO-CX', '', '', '20261206']]));
        await waitFor('the cancellation', () => processed('acme', 'cancel.edi'));
        await hub.settled();
        const cancelled = (await hub.api('GET', '/v1/orders?channel=queued&externalId=PO-CX')).body.orders[0];
        assert.equal(cancelled.status, 'cancelled');
        assert.equal(await hub.available('CX-1'), 20, 'the stock held for it is free again');

        await hub.stock('SUP-1', 'DAL', 5);
        const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
        const inThreeDays = ymd(Date.now() + 3 * 86_400_000);
        drop(
          'widgets',
          'asn.edi',
          doc('WIDGETCO', 61, 'SH', '856', [
            ['BSN', '00', 'ASN-W1', '20261206', '1000', '0001'],
            ['HL', '1', '', 'S'],
            ['DTM', '017', inThreeDays],
            ['HL', '2', '1', 'I'],
            ['LIN', '1', 'VN', 'SUP-1'],
            ['SN1', '1', '48', 'EA'],
          ]),
        );
        await waitFor('the ship notice', () => processed('widgets', 'asn.edi'));
        await hub.settled();
        const acks = readdirSync(join(hub.dataDir, 'edi', 'widgets', 'out')).filter((f) => f.startsWith('997'));
        const ack = readInterchange(readFileSync(join(hub.dataDir, 'edi', 'widgets', 'out', acks[0]!), 'utf8')).groups[0]!.transactions[0]!.segments;
        assert.deepEqual(
          ack.find((x) => x[0] === 'AK5'),
          ['AK5', 'A'],
        );
        const dal = (await hub.api('GET', '/v1/availability/SUP-1/explain?channel=queued')).body.locations[0];
        assert.equal(dal.onHand, 5, 'on hand only once the location counts the receipt');
        assert.ok(
          dal.shadows.some((x: { source: string }) => x.source === 'widgets'),
          "the supplier's expected supply is recorded beside the location's own figures",
        );
        assert.equal(await hub.available('SUP-1', 'queued'), 5, 'a channel that does not count inbound sells what is on hand');
        const forward = (await hub.api('GET', '/v1/availability/SUP-1/explain?channel=forward')).body;
        assert.equal(forward.available, 53, 'a channel counting inbound within 30 days counts the announced 48');
        assert.equal(forward.locations[0].inboundCounted, 48);

        // The location's authority receives 40 of the 48: those 40 are on hand now and no longer inbound; 8 are still expected.
        const received = await hub.api('POST', '/v1/events', [
          {
            id: 'rcv-sup-1',
            type: 'inventory.movement',
            source: 'wms-dal',
            seq: 9_000_000,
            occurredAt: new Date().toISOString(),
            sku: 'SUP-1',
            location: 'DAL',
            reason: 'receipt',
            delta: { onHand: 40 },
          },
        ]);
        assert.equal(received.body.accepted, 1, JSON.stringify(received.body));
        await hub.settled();
        assert.equal(await hub.available('SUP-1', 'queued'), 45);
        assert.equal(await hub.available('SUP-1', 'forward'), 53, 'the received units are counted once: on hand, not inbound as well');

        // A second notice due yesterday, then the location's count taken today: the count contains it, so it is closed.
        drop(
          'widgets',
          'asn-2.edi',
          doc('WIDGETCO', 62, 'SH', '856', [
            ['BSN', '00', 'ASN-W2', '20261206', '1100', '0001'],
            ['HL', '1', '', 'S'],
            ['DTM', '017', ymd(Date.now() - 86_400_000)],
            ['HL', '2', '1', 'I'],
            ['LIN', '1', 'VN', 'SUP-1'],
            ['SN1', '1', '12', 'EA'],
          ]),
        );
        await waitFor('the second ship notice', () => processed('widgets', 'asn-2.edi'));
        await hub.settled();
        assert.equal(await hub.available('SUP-1', 'forward'), 65, 'both open notices count: 45 on hand, 8 + 12 inbound');
        const counted = await hub.api('POST', '/v1/events', [
          {
            id: 'cnt-sup-1',
            type: 'inventory.snapshot',
            source: 'wms-dal',
            seq: 9_000_001,
            occurredAt: new Date().toISOString(),
            sku: 'SUP-1',
            location: 'DAL',
            balance: { onHand: 57 },
          },
        ]);
        assert.equal(counted.body.accepted, 1, JSON.stringify(counted.body));
        await hub.settled();
        assert.equal(await hub.available('SUP-1', 'queued'), 57);
        assert.equal(await hub.available('SUP-1', 'forward'), 65, 'the count closes the notice due before it (12) but not the 8 still expected in three days');
        const verified = await hub.api('GET', '/v1/availability/SUP-1/explain?channel=forward');
        assert.equal(verified.body.locations[0].inboundCounted, 8);
      } finally {
        await hub.stop();
      }
    });

    test("the 856 and 810 answering a partner's 850 speak its lines: its line numbers, every qualifier and id it sent, quantities in its unit when whole (else base units) and prices per its unit; an order it did not send keeps the hub's terms", {
      timeout: 60_000,
    }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          items: {
            'ELBOW-15': { description: 'Copper elbow', uom: 'EA', units: { CA: 12 } },
            'VALVE-2': { description: 'Brass valve', uom: 'EA', units: { CA: 12 } },
            'TEE-3': { description: 'Copper tee', uom: 'EA', units: { CA: 6 } },
          },
          xrefs: [
            { kind: 'item', system: 'acme', scheme: 'BP', external: 'TEE-3X', id: 'TEE-3' },
            { kind: 'item', system: 'acme', scheme: 'BP', external: 'ELB-15', id: 'ELBOW-15' },
            { kind: 'item', system: 'acme', scheme: 'UP', external: '036000291452', id: 'ELBOW-15' },
            { kind: 'item', system: 'acme', scheme: 'BP', external: 'VAL-2', id: 'VALVE-2' },
          ],
          systems: {
            acme: {
              type: 'edi-x12',
              channel: 'queued',
              customer: 'C-42',
              itemQualifiers: ['BP', 'UP'],
              pollSeconds: 0.1,
              us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
              partner: { qualifier: 'ZZ', id: 'ACME' },
            },
          },
        } as never,
      });
      const dir = join(hub.dataDir, 'edi', 'acme');
      try {
        await hub.stock('ELBOW-15', 'DAL', 100);
        await hub.stock('VALVE-2', 'DAL', 100);
        await hub.stock('TEE-3', 'DAL', 100);
        await waitFor('the partner folder', () => existsSync(join(dir, 'in')));
        // Line 3: 2 cases of 12 by its buyer part number and UPC, 9.00 a case; line 7: 5 cases by its part number, 24.00 a case.
        const po = writeInterchange({
          sender: { qualifier: 'ZZ', id: 'ACME' },
          receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
          control: 801,
          at: new Date('2026-12-06T09:00:00Z'),
          usage: 'P',
          groups: [
            {
              functionalId: 'PO',
              control: 81,
              transactions: [
                {
                  set: '850',
                  control: 1,
                  segments: [
                    ['BEG', '00', 'SA', 'PO-ECHO-1', '', '20261206'],
                    ['PO1', '3', '2', 'CA', '9.00', '', 'BP', 'ELB-15', 'UP', '036000291452'],
                    ['PO1', '7', '5', 'CA', '24.00', '', 'BP', 'VAL-2'],
                  ],
                },
              ],
            },
          ],
        });
        writeFileSync(join(dir, 'in', 'po-echo.edi'), po);
        await waitFor('the purchase order to be taken', () => readdirSync(join(dir, 'processed')).includes('po-echo.edi'));
        const found = (await hub.api('GET', '/v1/orders?channel=queued&externalId=PO-ECHO-1')).body.orders as {
          id: string;
          lines: { sku: string; qty: number }[];
        }[];
        assert.equal(found.length, 1, 'the 850 was captured');
        const partnerOrder = found[0]!.id;
        assert.deepEqual(
          found[0]!.lines.map((l) => `${l.sku}×${l.qty}`),
          ['ELBOW-15×24', 'VALVE-2×60'],
          'captured in base units',
        );
        // Its 860 adds line 9: 2 cases of 6 tees by its part number, 12.00 a case.
        const change = writeInterchange({
          sender: { qualifier: 'ZZ', id: 'ACME' },
          receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
          control: 802,
          at: new Date('2026-12-06T10:00:00Z'),
          usage: 'P',
          groups: [
            {
              functionalId: 'PC',
              control: 82,
              transactions: [
                {
                  set: '860',
                  control: 1,
                  segments: [
                    ['BCH', '04', 'SA', 'PO-ECHO-1', '', '', '20261206'],
                    ['POC', '9', 'AI', '2', '', 'CA', '12.00', '', 'BP', 'TEE-3X'],
                  ],
                },
              ],
            },
          ],
        });
        writeFileSync(join(dir, 'in', 'po-echo-change.edi'), change);
        await waitFor('the change to be taken', () => readdirSync(join(dir, 'processed')).includes('po-echo-change.edi'));
        const amended = (await hub.api('GET', `/v1/orders/${partnerOrder}`)).body as { lines: { sku: string; qty: number }[] };
        assert.deepEqual(
          amended.lines.map((l) => `${l.sku}×${l.qty}`),
          ['ELBOW-15×24', 'VALVE-2×60', 'TEE-3×12'],
          'the added line, in base units',
        );
        // The same item ordered through the API: no partner lines to echo.
        const apiOrder = (
          await hub.order({ channel: 'queued', externalId: 'API-ECHO-1', customer: 'C-42', lines: [{ sku: 'ELBOW-15', qty: 24, unitPrice: 0.75 }] })
        ).body.id as string;

        const at = '2026-12-06T15:00:00Z';
        let seq = 8_100_000;
        const shipAndInvoice = (orderId: string, lines: { sku: string; qty: number }[], n: number) => [
          { id: `echo-rel-${n}`, type: 'order.released', source: 'erp-main', seq: ++seq, occurredAt: at, orderId },
          { id: `echo-shp-${n}`, type: 'order.shipped', source: 'wms-dal', seq: ++seq, occurredAt: at, orderId, location: 'DAL', lines },
          { id: `echo-inv-${n}`, type: 'order.invoiced', source: 'erp-main', seq: ++seq, occurredAt: at, orderId, invoiceNumber: `INV-ECHO-${n}` },
        ];
        const sent = await hub.api('POST', '/v1/events', [
          // 24 elbows are 2 whole cases; 30 valves are 2.5 cases, so they are said in eaches.
          ...shipAndInvoice(
            partnerOrder,
            [
              { sku: 'ELBOW-15', qty: 24 },
              { sku: 'VALVE-2', qty: 30 },
              { sku: 'TEE-3', qty: 12 },
            ],
            1,
          ),
          ...shipAndInvoice(apiOrder, [{ sku: 'ELBOW-15', qty: 24 }], 2),
        ]);
        assert.equal(sent.body.accepted, 6, JSON.stringify(sent.body));
        const sets = () =>
          readdirSync(join(dir, 'out'))
            .filter((f) => /856|810/.test(f))
            .map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
        const documents = () => sets().flatMap((text) => readInterchange(text).groups.flatMap((g) => g.transactions));
        const of = (set: string, po: string) =>
          documents().find((t) => t.set === set && t.segments.some((x) => (x[0] === 'PRF' && x[1] === po) || (x[0] === 'BIG' && x[4] === po)));
        await waitFor('the 856s and 810s of both orders', () => ['PO-ECHO-1', 'API-ECHO-1'].every((po) => of('856', po) && of('810', po)));
        for (const text of sets()) new X12Parser(true).parse(text);
        const items = (set: string, po: string, segment: string) =>
          of(set, po)!
            .segments.filter((x) => x[0] === 'LIN' || x[0] === segment)
            .map((x) => x.join('*'));

        assert.deepEqual(
          items('856', 'PO-ECHO-1', 'SN1'),
          ['LIN*3*BP*ELB-15*UP*036000291452', 'SN1**2*CA', 'LIN*7*BP*VAL-2', 'SN1**30*EA', 'LIN*9*BP*TEE-3X', 'SN1**2*CA'],
          "the partner's line numbers and ids, the line its 860 added among them; 2 CA as it ordered, 30 EA because 2.5 CA is not a quantity",
        );
        const invoice = of('810', 'PO-ECHO-1')!.segments;
        assert.deepEqual(
          invoice.filter((x) => x[0] === 'IT1').map((x) => x.join('*')),
          ['IT1*3*2*CA*9**BP*ELB-15*UP*036000291452', 'IT1*7*30*EA*2**BP*VAL-2', 'IT1*9*2*CA*12**BP*TEE-3X'],
          'a case at 9.00 as ordered; the eaches at the price of an each',
        );
        assert.deepEqual(
          invoice.find((x) => x[0] === 'TDS'),
          ['TDS', String(24 * 75 + 30 * 200 + 12 * 200)],
          'the total in cents, whatever unit the lines are said in',
        );

        assert.deepEqual(
          items('856', 'API-ECHO-1', 'SN1'),
          ['LIN**BP*ELB-15', 'SN1**24*EA'],
          "an order the partner did not send: the hub's numbering and base units",
        );
        assert.deepEqual(
          of('810', 'API-ECHO-1')!
            .segments.filter((x) => x[0] === 'IT1')
            .map((x) => x.join('*')),
          ['IT1*1*24*EA*0.75**BP*ELB-15'],
        );
      } finally {
        await hub.stop();
      }
    });
  });
}
