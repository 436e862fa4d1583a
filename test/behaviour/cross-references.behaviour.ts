/**
 * Cross-references and units of measure as both backends must show them: the API (bulk upsert
 * naming each bad field, look-ups both ways, delete, unit tables on items); a partner's 850 that
 * names its own item ids, store number and kits parked whole until they are mapped, then replayed
 * by the mapping alone, oldest first, each order reaching the ERP once; and an 846 in the
 * partner's ids and cases. Run by cross-references-embedded.test.ts and -scale-out.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { X12Parser } from 'node-x12';
import { readInterchange, writeInterchange } from '../../src/connectors/edi-x12/x12-interchange.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness } from '../support/order-hub.js';
import { fixture, fixturesSkip } from '../support/fixtures.js';
import { until } from '../support/until.js';

const PETCO_ITEM = '000000000001010700';

const waitFor = (check: () => boolean | Promise<boolean>, what: string) => until(what, async () => await check(), Boolean, 30_000);

/** A second purchase order from the same store, for the same item, in kits. */
function secondOrder(): string {
  return writeInterchange({
    sender: { qualifier: '12', id: '0000000000' },
    receiver: { qualifier: '12', id: '0000000000' },
    control: 1399,
    at: new Date('2026-12-06T10:00:00Z'),
    usage: 'P',
    groups: [
      {
        functionalId: 'PO',
        control: 1399,
        transactions: [
          {
            set: '850',
            control: 1,
            segments: [
              ['BEG', '00', 'NE', 'PO-SECOND', '', '20261206'],
              ['N1', 'ST', 'PETCO - CORPORATE', '92', '100'],
              ['PO1', '1', '2', 'KI', '225', '', 'SK', PETCO_ITEM],
              ['CTT', '1'],
            ],
          },
        ],
      },
    ],
  });
}

export async function crossReferenceBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`cross-references and units on the ${backend.name} backend`, { skip }, () => {
    test('bulk upsert names each bad reference by index and field, look-ups go both ways, a delete removes one', { timeout: 60_000 }, async () => {
      const hub = await startOrderHarness(backend, {});
      try {
        const put = await hub.api('PUT', '/v1/xrefs', [
          { kind: 'item', system: 'acme', scheme: 'BP', external: '0042', id: 'ABC-100' },
          { kind: 'item', system: 'acme', scheme: 'UP', external: '036000291453', id: 'ABC-100' },
          { kind: 'item', system: 'acme', scheme: 'UP', external: '036000291452', id: 'ABC-100' },
          { kind: 'vendor', system: 'acme', external: '1', id: 'X' },
          { kind: 'customer', system: 'acme', scheme: 'ST', external: '0042', id: 'C-42', shipTo: 'DAL-STORE-42' },
          { kind: 'location', system: '3pl-rno', scheme: 'warehouse', external: 'RNO1', id: 'RNO' },
        ]);
        assert.equal(put.status, 200, JSON.stringify(put.body));
        assert.equal(put.body.upserted, 4);
        assert.equal(put.body.replayed, 0);
        assert.deepEqual(
          put.body.rejected.map((r: { index: number; errors: { path: string; message: string }[] }) => [r.index, r.errors.map((e) => e.path)]),
          [
            [1, ['/1/external']],
            [3, ['/3/kind']],
          ],
        );
        assert.match(put.body.rejected[0].errors[0].message, /check digit/);
        const theirs = await hub.api('GET', '/v1/xrefs?kind=item&system=acme&scheme=BP&external=0042');
        assert.deepEqual(
          theirs.body.xrefs.map((x: { id: string }) => x.id),
          ['ABC-100'],
        );
        const ours = await hub.api('GET', '/v1/xrefs?kind=item&id=ABC-100');
        assert.deepEqual(
          ours.body.xrefs.map((x: { scheme: string; external: string }) => `${x.scheme}:${x.external}`),
          ['BP:0042', 'UP:036000291452'],
        );
        const store = await hub.api('GET', '/v1/xrefs?kind=customer&system=acme&scheme=ST&external=0042');
        assert.equal(store.body.xrefs[0].shipTo, 'DAL-STORE-42');
        assert.equal((await hub.api('DELETE', '/v1/xrefs/item/acme/BP/0042')).status, 204);
        const gone = await hub.api('DELETE', '/v1/xrefs/item/acme/BP/0042');
        assert.equal(gone.status, 404);
        assert.equal(gone.headers.get('content-type')?.startsWith('application/problem+json'), true);
        const notArray = await hub.api('PUT', '/v1/xrefs', { kind: 'item' });
        assert.equal(notArray.status, 400);
        assert.ok(notArray.body.errors.length > 0, JSON.stringify(notArray.body));

        const units = await hub.api('PUT', '/v1/items/ABC-100', { description: 'Copper elbow', units: { CA: 12, PK: 6 }, partnerUnits: { acme: { CA: 24 } } });
        assert.equal(units.status, 200, JSON.stringify(units.body));
        assert.deepEqual((await hub.api('GET', '/v1/items/ABC-100')).body.partnerUnits, { acme: { CA: 24 } });
        const badUnits = await hub.api('PUT', '/v1/items/ABC-100', { description: 'Copper elbow', units: { CA: 12, EA: 2 } });
        assert.equal(badUnits.status, 422);
        assert.deepEqual(
          badUnits.body.errors.map((e: { path: string }) => e.path),
          ['/units/EA'],
        );
        assert.deepEqual((await hub.api('GET', '/v1/items/ABC-100')).body.units, { CA: 12, PK: 6 }, 'a refused table changes nothing');
      } finally {
        await hub.stop();
      }
    });

    test("a partner's 850s in its own ids wait whole until mapped, then the mapping alone replays them oldest first, each reaching the ERP once", {
      skip: fixturesSkip(),
      timeout: 90_000,
    }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          items: { 'FREEZER-PUSHER': { description: 'Aquarium freezer pusher', uom: 'EA', units: { CA: 12 }, partnerUnits: { petco: { KI: 4 } } } },
          customers: { 'C-PETCO': { name: 'Petco', active: true, creditHold: false } },
          systems: {
            petco: {
              type: 'edi-x12',
              channel: 'queued',
              itemQualifiers: ['VN', 'SK'],
              pollSeconds: 0.1,
              us: { qualifier: '12', id: '0000000000' },
              partner: { qualifier: '12', id: '0000000000' },
            },
          },
        } as never,
      });
      const dir = join(hub.dataDir, 'edi', 'petco');
      const parked = async () => (await hub.api('GET', '/v1/inbound/parked?system=petco')).body.parked as any[];
      try {
        await hub.stock('FREEZER-PUSHER', 'DAL', 100);
        await waitFor(() => existsSync(join(dir, 'in')), 'the partner folder');
        writeFileSync(join(dir, 'in', '1-first.edi'), fixture('x12/node-x12/850_3.edi'));
        await waitFor(async () => (await parked()).length === 1, 'the first purchase order parked');
        writeFileSync(join(dir, 'in', '2-second.edi'), secondOrder());
        await waitFor(async () => (await parked()).length === 2, 'the second purchase order parked');
        const [first] = await parked();
        assert.match(first.reason, /system petco, scheme SK/);
        assert.match(first.reason, new RegExp(PETCO_ITEM));
        assert.match(first.reason, /customer 100 \(system petco, scheme ST\)/);
        assert.deepEqual(
          first.unknownReferences.map((r: { kind: string; scheme: string; external: string }) => `${r.kind}/${r.scheme}/${r.external}`),
          ['customer/ST/100', 'item/VN/UNKNOWN', `item/SK/${PETCO_ITEM}`],
        );

        // The item alone is not enough: nothing is half-taken, nothing reaches the ERP.
        const item = await hub.api('PUT', '/v1/xrefs', [{ kind: 'item', system: 'petco', scheme: 'SK', external: PETCO_ITEM, id: 'FREEZER-PUSHER' }]);
        assert.deepEqual([item.body.upserted, item.body.replayed], [1, 0]);
        assert.equal((await parked()).length, 2);
        assert.deepEqual((await hub.api('GET', '/v1/orders?channel=queued')).body.orders, []);
        assert.equal(hub.erp.calls.place, 0);

        const store = await hub.api('PUT', '/v1/xrefs', [
          { kind: 'customer', system: 'petco', scheme: 'ST', external: '100', id: 'C-PETCO', shipTo: 'CORPORATE' },
        ]);
        assert.deepEqual([store.body.upserted, store.body.replayed], [1, 2]);
        assert.deepEqual(await parked(), []);
        await hub.settled();
        const orders = (await hub.api('GET', '/v1/orders?channel=queued')).body.orders as any[];
        assert.deepEqual(
          orders.map((o) => [o.externalId, o.customer, o.lines.map((l: { sku: string; qty: number }) => `${l.sku}×${l.qty}`).join()]),
          [
            ['PO-SECOND', 'C-PETCO', 'FREEZER-PUSHER×8'],
            ['----------', 'C-PETCO', 'FREEZER-PUSHER×4'],
          ],
          'newest first: replayed in arrival order, kits of 4 in base units',
        );
        await waitFor(() => hub.erp.orders.size === 2, 'both orders at the ERP');
        assert.equal(await hub.available('FREEZER-PUSHER'), 88);

        // The same mappings again release nothing and capture nothing twice.
        const again = await hub.api('PUT', '/v1/xrefs', [
          { kind: 'item', system: 'petco', scheme: 'SK', external: PETCO_ITEM, id: 'FREEZER-PUSHER' },
          { kind: 'customer', system: 'petco', scheme: 'ST', external: '100', id: 'C-PETCO', shipTo: 'CORPORATE' },
        ]);
        assert.equal(again.body.replayed, 0);
        writeFileSync(join(dir, 'in', '3-first-again.edi'), fixture('x12/node-x12/850_3.edi'));
        await waitFor(() => readdirSync(join(dir, 'processed')).includes('3-first-again.edi'), 'the re-sent purchase order taken');
        await hub.settled();
        assert.equal((await hub.api('GET', '/v1/orders?channel=queued')).body.orders.length, 2);
        assert.equal(hub.erp.calls.place, 2, 'the ERP was asked to create each order once');

        // The 855s speak the partner's ids and kits.
        await waitFor(() => readdirSync(join(dir, 'out')).filter((f) => f.startsWith('855')).length >= 2, 'the 855s');
        const acks = readdirSync(join(dir, 'out')).filter((f) => f.startsWith('855'));
        const segments = acks.flatMap((f) => {
          const text = readFileSync(join(dir, 'out', f), 'utf8');
          new X12Parser(true).parse(text);
          return readInterchange(text).groups[0]!.transactions.flatMap((t) => t.segments);
        });
        assert.ok(
          segments.some((s) => s.join('*') === `PO1*1*2*KI*225**SK*${PETCO_ITEM}`),
          segments.map((s) => s.join('*')).join('\n'),
        );
        assert.ok(segments.some((s) => s.join('*') === 'ACK*IA*2*KI'));
      } finally {
        await hub.stop();
      }
    });

    test("a storefront order in the store's own SKUs waits whole until they are mapped, then is captured once", {
      skip: fixturesSkip(),
      timeout: 60_000,
    }, async () => {
      process.env.XREF_SHOP_SECRET = 'xref-shop-secret';
      const hub = await startOrderHarness(backend, {
        file: { systems: { shop: { type: 'shopify', channel: 'queued', customer: 'C-42', webhookSecretEnv: 'XREF_SHOP_SECRET' } } } as never,
      });
      try {
        const body = fixture('shopify/orders-create.webhook.json');
        await hub.stock('ABC-100', 'DAL', 10);
        await hub.stock('XYZ-200', 'DAL', 10);
        const hook = await fetch(`${hub.url}/hooks/shop`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-shopify-topic': 'orders/create',
            'x-shopify-hmac-sha256': createHmac('sha256', 'xref-shop-secret').update(body).digest('base64'),
          },
          body,
        }).then((r) => r.json() as Promise<any>);
        assert.equal(hook.status, 'parked');
        const [parked] = (await hub.api('GET', '/v1/inbound/parked?system=shop')).body.parked;
        assert.deepEqual(
          parked.unknownReferences.map((r: { scheme: string; external: string }) => `${r.scheme}/${r.external}`),
          ['sku/706405908216', 'sku/706405907431'],
        );
        assert.equal(await hub.available('ABC-100'), 10, 'nothing reserved while it waits');
        const first = await hub.api('PUT', '/v1/xrefs', [{ kind: 'item', system: 'shop', scheme: 'sku', external: '706405908216', id: 'ABC-100' }]);
        assert.equal(first.body.replayed, 0, 'one line still unknown: the order stays parked whole');
        assert.equal(await hub.available('ABC-100'), 10);
        const second = await hub.api('PUT', '/v1/xrefs', [{ kind: 'item', system: 'shop', scheme: 'sku', external: '706405907431', id: 'XYZ-200' }]);
        assert.equal(second.body.replayed, 1);
        await hub.settled();
        const orders = (await hub.api('GET', '/v1/orders?channel=queued')).body.orders as any[];
        assert.equal(orders.length, 1);
        assert.deepEqual(orders[0].lines.map((l: { sku: string; qty: number }) => `${l.sku}×${l.qty}`).sort(), ['ABC-100×1', 'XYZ-200×1']);
        await waitFor(() => hub.erp.orders.size === 1, 'the order at the ERP');
        assert.equal(hub.erp.calls.place, 1);
      } finally {
        await hub.stop();
      }
    });

    test('a 3PL gets its 940 in its own item and warehouse codes, and its 945 in those codes and cases ships the order in units', {
      timeout: 60_000,
    }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' }, RNO: { name: 'Reno 3PL', authority: '3pl-rno' } },
          channels: { direct: { locations: ['RNO'] }, queued: { locations: ['DAL'] } },
          items: { 'TP-1': { description: 'Pipe', uom: 'EA', partnerUnits: { '3pl-rno': { CA: 6 } } } },
          xrefs: [
            { kind: 'item', system: '3pl-rno', scheme: 'IN', external: 'RNO-0001', id: 'TP-1' },
            { kind: 'location', system: '3pl-rno', scheme: 'warehouse', external: 'RENO-A', id: 'RNO' },
          ],
          systems: {
            '3pl-rno': {
              type: 'edi-x12',
              itemQualifiers: ['IN'],
              pollSeconds: 0.1,
              us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
              partner: { qualifier: 'ZZ', id: 'RENO3PL' },
            },
          },
        } as never,
      });
      const dir = join(hub.dataDir, 'edi', '3pl-rno');
      try {
        await hub.api('POST', '/v1/events', [
          {
            id: 'rno-snap',
            type: 'inventory.snapshot',
            source: '3pl-rno',
            seq: 10,
            occurredAt: '2026-12-06T09:00:00Z',
            sku: 'TP-1',
            location: 'RNO',
            balance: { onHand: 50 },
          },
        ]);
        const order = await hub.order({ channel: 'direct', externalId: 'D-1', customer: 'C-42', lines: [{ sku: 'TP-1', qty: 12 }] });
        const id = order.body.id as string;
        await hub.api('POST', '/v1/events', [
          { id: 'rel-x', type: 'order.released', source: 'erp-main', seq: 1, occurredAt: '2026-12-06T10:00:00Z', orderId: id },
        ]);
        await waitFor(() => existsSync(join(dir, 'out')) && readdirSync(join(dir, 'out')).some((f) => f.startsWith('940')), 'the 940');
        const doc = readFileSync(join(dir, 'out', readdirSync(join(dir, 'out')).find((f) => f.startsWith('940'))!), 'utf8');
        new X12Parser(true).parse(doc);
        const w = readInterchange(doc).groups[0]!.transactions[0]!.segments.map((x) => x.join('*'));
        assert.ok(w.includes('W01*12*EA**IN*RNO-0001'), w.join('\n'));
        assert.ok(w.includes('N1*WH**92*RENO-A'), w.join('\n'));
        const advice = (control: number, sku: string) =>
          writeInterchange({
            sender: { qualifier: 'ZZ', id: 'RENO3PL' },
            receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
            control,
            at: new Date('2026-12-06T13:00:00Z'),
            usage: 'P',
            groups: [
              {
                functionalId: 'SW',
                control,
                transactions: [
                  {
                    set: '945',
                    control: 1,
                    segments: [
                      ['W06', 'N', id, '20261206', `SHP-${control}`],
                      ['LX', '1'],
                      ['W12', 'CC', '2', '2', '0', 'CA', '', 'IN', sku],
                      ['W03', '2'],
                    ],
                  },
                ],
              },
            ],
          });
        writeFileSync(join(dir, 'in', 'unknown.edi'), advice(601, 'RNO-9999'));
        await waitFor(async () => (await hub.api('GET', '/v1/inbound/parked?system=3pl-rno')).body.parked.length === 1, 'the advice in unknown codes parked');
        const [parked] = (await hub.api('GET', '/v1/inbound/parked?system=3pl-rno')).body.parked;
        assert.match(parked.reason, /item RNO-9999 \(system 3pl-rno, scheme IN\)/);
        writeFileSync(join(dir, 'in', 'advice.edi'), advice(602, 'RNO-0001'));
        await waitFor(async () => (await hub.api('GET', `/v1/orders/${id}`)).body.status === 'shipped', 'the shipment');
        await hub.settled();
        const stock = (await hub.api('GET', '/v1/availability/TP-1/explain?channel=direct')).body.locations[0];
        assert.deepEqual([stock.onHand, stock.reserved], [38, 0], '2 cases of 6 left: 12 units, once');
      } finally {
        await hub.stop();
      }
    });

    test('a 3PL stock file in its own item codes waits whole while one is not mapped, and the mapping applies it', { timeout: 60_000 }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' }, RNO: { name: 'Reno 3PL', authority: 'rno-files' } },
          channels: { direct: { locations: ['RNO'] }, queued: { locations: ['DAL'] } },
          xrefs: [{ kind: 'item', system: 'rno-files', scheme: 'item', external: 'R-0001', id: 'ABC-100' }],
          systems: {
            'rno-files': { type: 'csv-snapshot', location: 'RNO', itemScheme: 'item', columns: { sku: 'item', onHand: 'qty' }, pollSeconds: 0.1 },
          },
        } as never,
      });
      const folder = join(hub.dataDir, 'inbox', 'rno-files');
      try {
        await waitFor(() => existsSync(folder), 'the stock-file folder');
        writeFileSync(join(folder, 'counts.csv'), 'item,qty\nR-0001,40\nR-0002,7\n');
        await waitFor(async () => (await hub.api('GET', '/v1/inbound/parked?system=rno-files')).body.parked.length === 1, 'the file parked');
        const [parked] = (await hub.api('GET', '/v1/inbound/parked?system=rno-files')).body.parked;
        assert.match(parked.reason, /system rno-files, scheme item\): R-0002/);
        await hub.settled();
        assert.equal(await hub.available('ABC-100', 'direct'), 0, 'not half-applied: the mapped row waits with the file');
        const put = await hub.api('PUT', '/v1/xrefs', [{ kind: 'item', system: 'rno-files', scheme: 'item', external: 'R-0002', id: 'XYZ-200' }]);
        assert.equal(put.body.replayed, 1);
        await hub.settled();
        await waitFor(async () => (await hub.available('XYZ-200', 'direct')) === 7, 'the counts applied');
        assert.equal(await hub.available('ABC-100', 'direct'), 40);
      } finally {
        await hub.stop();
      }
    });

    test("an 846 names items by the partner's qualifier and offers whole cases only", { timeout: 60_000 }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          items: { 'ABC-100': { description: 'Copper elbow', uom: 'EA', units: { CA: 12 } }, 'XYZ-200': { description: 'Brass valve', uom: 'EA' } },
          xrefs: [{ kind: 'item', system: 'acme', scheme: 'UP', external: '036000291452', id: 'ABC-100' }],
          systems: {
            acme: {
              type: 'edi-x12',
              channel: 'queued',
              customer: 'C-42',
              itemQualifiers: ['UP'],
              sellsIn: 'CA',
              inventoryAdviceSeconds: 0,
              pollSeconds: 0.1,
              us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
              partner: { qualifier: 'ZZ', id: 'ACME' },
            },
          },
        } as never,
      });
      const out = join(hub.dataDir, 'edi', 'acme', 'out');
      try {
        await hub.stock('ABC-100', 'DAL', 35);
        await hub.stock('XYZ-200', 'DAL', 50);
        const advised = () =>
          existsSync(out)
            ? readdirSync(out)
                .filter((f) => f.includes('846'))
                .flatMap((f) => readInterchange(readFileSync(join(out, f), 'utf8')).groups.flatMap((g) => g.transactions.flatMap((t) => t.segments)))
                .map((s) => s.join('*'))
            : [];
        await waitFor(() => advised().includes('LIN**UP*036000291452') && advised().includes('LIN**VN*XYZ-200'), 'the 846 for both items');
        const segs = advised();
        assert.equal(segs[segs.lastIndexOf('LIN**UP*036000291452') + 1], 'QTY*33*2*CA', '35 units are 2 whole cases of 12');
        assert.equal(segs[segs.lastIndexOf('LIN**VN*XYZ-200') + 1], 'QTY*33*0*CA', 'an item without cases is not offered in cases');
      } finally {
        await hub.stop();
      }
    });
  });
}
