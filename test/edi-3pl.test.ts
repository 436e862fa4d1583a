import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X12Parser } from 'node-x12';
import { readInterchange, writeInterchange } from '../src/connectors/edi-x12/x12-interchange.js';
import { startOrderHub } from './support/order-hub.js';
import { snapshot } from './support/test-hub.js';

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 15_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('a 3PL gets a 940 when an order is released to its location, and its 945 ships the order and takes the stock', { timeout: 60_000 }, async () => {
  const hub = await startOrderHub({ file: {
    locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' }, RNO: { name: 'Reno 3PL', authority: '3pl-rno' } },
    channels: { direct: { locations: ['RNO'] }, queued: { locations: ['DAL'] } },
    systems: { '3pl-rno': { type: 'edi-x12', pollSeconds: 0.1, us: { qualifier: 'ZZ', id: 'CROSSDOCK' }, partner: { qualifier: 'ZZ', id: 'RENO3PL' } } },
  } as never });
  const dir = join(hub.dataDir, 'edi', '3pl-rno');
  try {
    await hub.api('POST', '/v1/events', [snapshot({ source: '3pl-rno', seq: 10, sku: 'TP-1', location: 'RNO', onHand: 50 })]);
    const order = await hub.order({ channel: 'direct', externalId: 'D-1', customer: 'C-42', lines: [{ sku: 'TP-1', qty: 6 }] });
    const id = order.body.id as string;
    await hub.api('POST', '/v1/events', [{ id: 'rel-tp', type: 'order.released', source: 'erp-main', seq: 1, occurredAt: '2026-11-22T12:00:00Z', orderId: id }]);
    await waitFor('the 940', () => readdirSync(join(dir, 'out')).some((f) => f.startsWith('940')));
    const doc = readFileSync(join(dir, 'out', readdirSync(join(dir, 'out')).find((f) => f.startsWith('940'))!), 'utf8');
    new X12Parser(true).parse(doc);
    const w = readInterchange(doc).groups[0]!;
    assert.equal(w.gs[1], 'OW');
    assert.deepEqual(w.transactions[0]!.segments.find((s) => s[0] === 'W05'), ['W05', 'N', id, 'D-1']);
    assert.deepEqual(w.transactions[0]!.segments.find((s) => s[0] === 'W01'), ['W01', '6', 'EA', '', 'VN', 'TP-1']);
    assert.equal(await hub.available('TP-1', 'direct'), 44);

    const advice = writeInterchange({
      sender: { qualifier: 'ZZ', id: 'RENO3PL' }, receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' }, control: 501, at: new Date('2026-11-22T13:00:00Z'), usage: 'P',
      groups: [{ functionalId: 'SW', control: 9, transactions: [{ set: '945', control: 1, segments: [
        ['W06', 'N', id, '20261122', 'SHP-1'],
        ['N9', 'BM', '1ZRNO945'],
        ['W27', 'M', 'UPSN'],
        ['LX', '1'],
        ['W12', 'CC', '6', '6', '0', 'EA', '', 'VN', 'TP-1'],
        ['W03', '6'],
      ] }] }],
    });
    writeFileSync(join(dir, 'in', 'advice.edi'), advice);
    await waitFor('the shipment', async () => (await hub.api('GET', `/v1/orders/${id}`)).body.status === 'shipped');
    const v = (await hub.api('GET', `/v1/orders/${id}`)).body;
    assert.deepEqual(v.shipments[0].tracking, { number: '1ZRNO945', carrier: 'UPSN' });
    const stock = (await hub.api('GET', '/v1/availability/TP-1/explain?channel=direct')).body.locations[0];
    assert.deepEqual([stock.onHand, stock.reserved], [44, 0], 'the 3PL is the authority: its advice is the stock leaving, counted once');
    assert.ok(readdirSync(join(dir, 'out')).some((f) => f.startsWith('997')), 'the 945 is acknowledged');
  } finally { await hub.stop(); }
});
