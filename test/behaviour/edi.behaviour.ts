/**
 * EDI X12 partners through their folders as both backends must show it: a 3PL gets a 940 when an
 * order is released to its location and its 945 ships the order; a customer's 850 is captured
 * once however often it is sent, answered with a 997 and an 855 under fresh control numbers.
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

    test('an 850 dropped by a customer is captured once, however often it is sent, and answered with a 997 and an 855', {
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
              us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
              partner: { qualifier: '12', id: '4405197800' },
            },
          },
        } as never,
      });
      const dir = join(hub.dataDir, 'edi', 'acme');
      try {
        for (const [sku, qty] of [
          ['AB3542', 500],
          ['RD5322', 500],
          ['XY5266', 500],
          ['VX2332', 500],
          ['RV0524', 500],
          ['DX1875', 600],
        ] as const)
          await hub.stock(sku, 'DAL', qty);
        await waitFor('the partner folder', () => existsSync(join(dir, 'in')));
        writeFileSync(join(dir, 'in', 'po-1.edi'), fixture('x12/node-x12/850.edi'));
        await waitFor('the 855', () => readdirSync(join(dir, 'out')).some((f) => f.startsWith('855')));
        writeFileSync(join(dir, 'in', 'po-1-again.edi'), fixture('x12/node-x12/850.edi'));
        await waitFor('the second 855', () => readdirSync(join(dir, 'out')).filter((f) => f.startsWith('855')).length === 2);
        const out = readdirSync(join(dir, 'out')).sort();
        for (const f of out) new X12Parser(true).parse(readFileSync(join(dir, 'out', f), 'utf8'));
        const pr = readInterchange(readFileSync(join(dir, 'out', out.find((f) => f.startsWith('855'))!), 'utf8')).groups[0]!.transactions[0]!.segments;
        assert.deepEqual(pr[0]!.slice(0, 4), ['BAK', '00', 'AC', '08292233294'], 'DX1875: 696 ordered, 600 there: accepted with changes');
        const found = (await hub.api('GET', '/v1/orders?channel=queued&externalId=08292233294')).body.orders;
        assert.equal(found.length, 1, 'one order, though the interchange came twice');
        await hub.settled();
        assert.equal(await hub.available('AB3542'), 380);
        const controls = out.map((f) => Number(/-(\d+)\.edi$/.exec(f)![1]));
        assert.equal(new Set(controls).size, controls.length, 'every interchange has its own control number');
      } finally {
        await hub.stop();
      }
    });
  });
}
