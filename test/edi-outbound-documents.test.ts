/**
 * What partners check on the hub's documents: the 856's shipment id within BSN02's 30
 * characters, the shipment's own date and time, and a hierarchy structure code (BSN05) that
 * matches the HL levels sent, each HL's parent above it; the 855's BAK04 the PO date and each
 * line's status (IA, IB, IR) with its quantity in the partner's unit. Checked with node-x12's
 * strict parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X12Parser } from 'node-x12';
import { openDatabase } from '../src/adapters/sqlite/open-database.js';
import { SqliteControlNumbers } from '../src/adapters/sqlite/sqlite-control-numbers.js';
import { EdiOutbound } from '../src/connectors/edi-x12/edi-outbound.js';
import { acknowledgment855, type AckLine } from '../src/connectors/edi-x12/purchase-order-850.js';
import { readInterchange } from '../src/connectors/edi-x12/x12-interchange.js';
import { tempDataDir } from './support/test-hub.js';

/** HL levels a BSN05 hierarchy structure code stands for. */
const STRUCTURES: Record<string, string> = { '0001': 'SOPI', '0002': 'STPI', '0004': 'SOI' };

test('an 856: shipment id within 30 characters, the real ship time, and BSN05 matching the HL levels sent', async () => {
  const dir = tempDataDir();
  const controls = new SqliteControlNumbers(openDatabase(dir));
  const edi = new EdiOutbound({
    id: 'acme',
    folder: join(dir, 'edi'),
    us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
    partner: { qualifier: 'ZZ', id: 'ACME' },
    usage: 'P',
    controls,
    now: () => Date.parse('2026-12-06T18:00:00Z'),
  });
  const key = 'shipment.confirmed:0190f3b2-7a1c-7e55-9d2e-31b0a1c2d3e4:wms-dal:shp-00042';
  await edi.send([
    {
      idempotencyKey: key,
      topic: 'shipment.confirmed',
      key: 'o-1',
      payload: {
        orderId: 'o-1',
        externalId: 'PO-1',
        location: 'DAL',
        lines: [
          { sku: 'A', qty: 2 },
          { sku: 'B', qty: 5 },
        ],
        tracking: { number: '1Z999', carrier: 'UPSN' },
        shippedAt: '2026-12-06T14:37:21Z',
      },
    },
  ]);
  const text = readFileSync(join(dir, 'edi', 'out', readdirSync(join(dir, 'edi', 'out'))[0]!), 'utf8');
  new X12Parser(true).parse(text);
  const segs = readInterchange(text).groups[0]!.transactions[0]!.segments;
  const bsn = segs[0]!;
  assert.equal(bsn[0], 'BSN');
  assert.ok(bsn[2]!.length >= 2 && bsn[2]!.length <= 30, `BSN02 '${bsn[2]}' is 2 to 30 characters`);
  assert.equal(bsn[2], key.replace(/[^A-Za-z0-9]/g, '').slice(-30), 'the distinguishing end of the key');
  assert.deepEqual(bsn.slice(3, 6), ['20261206', '143721', '0004'], 'the time it shipped, not midnight nor the time written');
  assert.deepEqual(
    segs.find((s) => s[0] === 'DTM'),
    ['DTM', '011', '20261206', '143721'],
  );
  const hls = segs.filter((s) => s[0] === 'HL');
  assert.equal([...new Set(hls.map((h) => h[3]))].join(''), STRUCTURES[bsn[5]!], 'the levels BSN05 announces are the levels sent');
  const levelOf = new Map(hls.map((h) => [h[1], h[3]]));
  for (const h of hls.slice(1))
    assert.equal('SOI'.indexOf(levelOf.get(h[2])!) + 1, 'SOI'.indexOf(h[3]!), `HL ${h[1]} (${h[3]}) hangs under the level above it`);
  assert.deepEqual(segs.at(-1), ['CTT', String(hls.length)]);
  const sent = await controls.sentInGroup('acme', Number(readInterchange(text).groups[0]!.gs[6]));
  assert.deepEqual(
    sent.map((t) => [t.set, t.document]),
    [['856', 'shipment of order o-1 (PO PO-1)']],
    'recorded, so a 997 rejecting it finds the shipment',
  );
});

test('an 855: BAK04 the PO date, each line IA, IB or IR with its quantity in the unit the partner ordered in', () => {
  const line = (lineId: string, quantity: string, unit: string, factor: number, reserved: number, backordered: number): AckLine => ({
    line: { lineId, quantity, unit, price: '12.00', products: [['BP', `P-${lineId}`]], where: '' },
    qualifier: 'BP',
    productId: `P-${lineId}`,
    factor,
    reserved,
    backordered,
  });
  const lines = [line('1', '2', 'CA', 12, 24, 0), line('2', '3', 'CA', 12, 12, 24), line('3', '5', 'EA', 1, 0, 5)];
  const ack = acknowledgment855({ poNumber: 'PO-8', poDate: '20261201' }, new Date('2026-12-06T10:00:00Z'), lines, false);
  assert.deepEqual(ack[0], ['BAK', '00', 'AC', 'PO-8', '20261201', '', '', '', '20261206']);
  assert.deepEqual(
    ack.filter((s) => s[0] === 'ACK'),
    [
      ['ACK', 'IA', '2', 'CA'],
      ['ACK', 'IA', '1', 'CA'],
      ['ACK', 'IB', '2', 'CA'],
      ['ACK', 'IB', '5', 'EA'],
    ],
  );
  const withDate = acknowledgment855({ poNumber: 'PO-8' }, new Date('2026-12-06T10:00:00Z'), [{ ...lines[2]!, expected: '2026-12-12' }], false);
  assert.deepEqual(
    withDate.find((s) => s[0] === 'ACK'),
    ['ACK', 'IB', '5', 'EA', '068', '20261212'],
    'IB with the expected date when the hub knows one',
  );
  assert.deepEqual(
    acknowledgment855({ poNumber: 'PO-8' }, new Date('2026-12-06T10:00:00Z'), [{ ...lines[1]!, base: 'LB' }], false).filter((s) => s[0] === 'ACK'),
    [
      ['ACK', 'IA', '1', 'CA'],
      ['ACK', 'IB', '2', 'CA'],
    ],
  );
  assert.deepEqual(
    acknowledgment855({ poNumber: 'PO-8' }, new Date('2026-12-06T10:00:00Z'), [{ ...lines[1]!, reserved: 6, backordered: 30, base: 'LB' }], false).filter(
      (s) => s[0] === 'ACK',
    ),
    [
      ['ACK', 'IA', '6', 'LB'],
      ['ACK', 'IB', '30', 'LB'],
    ],
    "not whole cases: in the item's base unit",
  );
  const rejected = acknowledgment855({ poNumber: 'PO-8', poDate: '20261201' }, new Date('2026-12-06T10:00:00Z'), lines, true);
  assert.equal(rejected[0]![2], 'RJ');
  assert.deepEqual(
    rejected.filter((s) => s[0] === 'ACK').map((s) => s.slice(1)),
    [
      ['IR', '2', 'CA'],
      ['IR', '3', 'CA'],
      ['IR', '5', 'EA'],
    ],
  );
});
