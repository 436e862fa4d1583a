/**
 * Identifiers reach other formats (X12 documents, other systems' JSON): the edge refuses the
 * characters those formats reserve, naming the field, and the X12 writer refuses any value that
 * would add a segment, an element or a component nobody sent, with a typed error for that
 * document, before anything is numbered or written. Documents are parsed back with the
 * independent node-x12 parser to check what a partner would count.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, loadHubFile } from '../src/config/hub-config.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X12Parser } from 'node-x12';
import { checkSegments, writeInterchange, X12ValueError } from '../src/connectors/edi-x12/x12-interchange.js';
import { EdiOutbound } from '../src/connectors/edi-x12/edi-outbound.js';
import { DeliveryFailedError } from '../src/domain/delivery/delivery-errors.js';
import type { OutgoingMessage } from '../src/ports/destination.js';
import { startOrderHub, type OrderHub } from './support/order-hub.js';
import { WebhookReceiver } from '../sim/webhook-receiver.js';
import { WebhookDestination } from '../src/adapters/http/webhook-destination.js';

/** Values that would inject into an X12 document written with * > ~ (and ^ for 5010 repetitions). */
const HOSTILE = ['A~LIN**VN*EVIL~QTY*33*999*EA', 'A*B', 'A>B', 'A^B', 'A\nB', 'A\rB', 'A\u0000B', 'A\u001fB', 'A\u0085B', 'A\u2028B'];

const party = (id: string) => ({ qualifier: 'ZZ', id });
const advice = (skus: string[]) => [
  ['BIA', '00', 'SI', 'ADV1', '20261206'],
  ...skus.flatMap((sku) => [
    ['LIN', '', 'VN', sku],
    ['QTY', '33', '5', 'EA'],
  ]),
  ['CTT', String(skus.length)],
];
const interchange = (segments: string[][], sender = 'HUB') =>
  writeInterchange({
    sender: party(sender),
    receiver: party('PARTNER'),
    control: 7,
    at: new Date('2026-12-06T12:00:00Z'),
    usage: 'T',
    groups: [{ functionalId: 'IB', control: 7, transactions: [{ set: '846', control: 7, segments }] }],
  });

interface Parsed {
  functionalGroups: { transactions: { segments: unknown[]; trailer: { elements: { value: string }[] } }[] }[];
}

test('the X12 writer refuses every value carrying a delimiter or control character, naming the document, element and character', () => {
  for (const sku of HOSTILE) {
    assert.throws(
      () => interchange(advice(['SAFE-1', sku])),
      (err: unknown) =>
        err instanceof X12ValueError && err.document === '846' && err.element === 'LIN03' && err.value === sku && /U\+[0-9A-F]{4}/.test(err.message),
      JSON.stringify(sku),
    );
  }
  // The envelope's values too: a partner id carrying the segment terminator.
  assert.throws(
    () => interchange(advice(['SAFE-1']), 'HUB~GS'),
    (err: unknown) => err instanceof X12ValueError && err.element === 'ISA06',
  );
  // A partner using other separators: its own delimiters are refused in values written for it.
  assert.throws(
    () => checkSegments('855', [['BAK', '00', 'AD', 'PO|1']], { element: '|', component: ':', segment: '\n' }),
    (err: unknown) => err instanceof X12ValueError && err.element === 'BAK03',
  );
});

test('values with other punctuation and any Unicode are written as they are and counted right by an independent parser', () => {
  const skus = ['A|B', 'A:B', 'A,"B"', "O'Brien 3/4 in", 'Ünïcødé-日本', 'A-1+2=3@x'];
  const text = interchange(advice(skus));
  const parsed = new X12Parser(true).parse(text) as Parsed;
  const tx = parsed.functionalGroups[0]!.transactions[0]!;
  assert.equal(tx.segments.length, 2 + skus.length * 2, 'BIA, a LIN and a QTY per item, CTT: nothing more');
  assert.equal(Number(tx.trailer.elements[0]!.value), tx.segments.length + 2, 'SE01 counts ST..SE');
  for (const sku of skus) assert.ok(text.includes(`LIN**VN*${sku}~`), sku);
});

test('EDI outbound refuses a batch carrying a hostile id as a permanent failure, before numbering or writing; the rest goes out whole', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'crossdock-hostile-'));
  let allocated = 0;
  const outbound = new EdiOutbound({
    id: 'edi-acme',
    folder,
    us: party('HUB'),
    partner: party('ACME'),
    usage: 'T',
    now: () => Date.parse('2026-12-06T12:00:00Z'),
    controls: {
      async allocate(_partner, groups) {
        allocated++;
        return {
          interchange: allocated,
          groups: groups.map((_, i) => allocated * 10 + i),
          transactions: groups.map((n) => Array.from({ length: n }, (_, k) => k + 1)),
        };
      },
      recordSent: async () => {},
      sentInGroup: async () => [],
      receivedAt: async () => undefined,
      recordReceived: async () => {},
      forgetBefore: async () => ({ received: 0, sent: 0 }),
    },
  });
  const change = (sku: string, n: number): OutgoingMessage => ({
    idempotencyKey: `a-${n}`,
    topic: 'availability.changed',
    key: sku,
    payload: { sku, available: 5 },
  });
  const hostile = change('EVIL~LIN**VN*X~QTY*33*1000*EA', 2);
  await assert.rejects(
    outbound.send([change('GOOD-1', 1), hostile, change('GOOD-2', 3)]),
    (err: unknown) => err instanceof DeliveryFailedError && !err.retryable && /846 not written: LIN03/.test(err.reason),
  );
  assert.equal(allocated, 0, 'no control number spent on a refused document');
  assert.deepEqual(readdirSync(join(folder, 'out')), []);
  // What the delivery engine then does: the messages one by one; the good ones go out.
  await outbound.send([change('GOOD-1', 1), change('GOOD-2', 3)]);
  const [file] = readdirSync(join(folder, 'out'));
  const parsed = new X12Parser(true).parse(readFileSync(join(folder, 'out', file!), 'utf8')) as Parsed;
  const tx = parsed.functionalGroups[0]!.transactions[0]!;
  assert.equal(tx.segments.length, 6);
  assert.equal(Number(tx.trailer.elements[0]!.value), 8);
});

describe_http();

function describe_http(): void {
  let hub: OrderHub;
  before(async () => {
    hub = await startOrderHub();
  });
  after(async () => {
    await hub?.stop();
  });

  const event = (fields: Record<string, unknown>) => ({
    id: `h-${Math.random()}`,
    type: 'inventory.movement',
    source: 'wms-dal',
    seq: 1,
    occurredAt: '2026-12-06T10:00:00Z',
    sku: 'ABC-100',
    location: 'DAL',
    reason: 'receipt',
    delta: { onHand: 1 },
    ...fields,
  });

  test('over HTTP, each id field carrying a reserved character is refused naming the field, and nothing is stored', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ sku: 'ABC~100' }, '/sku'],
      [{ location: 'DAL*1' }, '/location'],
      [{ source: 'wms>dal' }, '/source'],
      [{ sku: 'ABC\n100' }, '/sku'],
      [{ sku: 'ABC\u0085' }, '/sku'],
    ];
    const res = await hub.api(
      'POST',
      '/v1/events',
      cases.map(([f]) => event(f)),
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.accepted, 0);
    assert.deepEqual(
      res.body.rejected.map((r: { index: number; errors: { path: string; message: string }[] }) => [r.index, r.errors[0]!.path]),
      cases.map(([, path], i) => [i, path]),
    );
    assert.match(res.body.rejected[0].errors[0].message, /\* ~ > \^/);

    const invoiced = await hub.api('POST', '/v1/events', [
      { id: 'inv-1', type: 'order.invoiced', source: 'erp', seq: 1, occurredAt: '2026-12-06T10:00:00Z', orderId: 'O-1', invoiceNumber: 'INV~1' },
    ]);
    assert.equal(invoiced.body.rejected[0].errors[0].path, '/invoiceNumber');
  });

  test('over HTTP, master data and orders with reserved characters in their ids are refused with 400 naming the field', async () => {
    const item = await hub.api('PUT', `/v1/items/${encodeURIComponent('ABC~100')}`, { description: 'x', uom: 'EA' });
    assert.equal(item.status, 400);
    assert.deepEqual(
      item.body.errors.map((e: { path: string }) => e.path),
      ['params/sku'],
    );
    const location = await hub.api('PUT', `/v1/locations/${encodeURIComponent('DAL*2')}`, { name: 'x', authority: 'wms-dal' });
    assert.equal(location.status, 400);
    assert.equal(location.body.errors[0].path, 'params/id');
    const customer = await hub.api('PUT', `/v1/customers/${encodeURIComponent('C>1')}`, { name: 'x', active: true, creditHold: false });
    assert.equal(customer.status, 400);
    assert.equal(customer.body.errors[0].path, 'params/id');
    const channel = await hub.api('PUT', '/v1/channels/web2', { locations: ['DAL', 'ATL^'] });
    assert.equal(channel.status, 400);
    assert.equal(channel.body.errors[0].path, '/locations/1');
    assert.equal((await hub.api('GET', `/v1/items/${encodeURIComponent('ABC~100')}`)).status, 400);

    await hub.stock('ABC-100', 'DAL', 10);
    const order = await hub.order({ channel: 'queued', externalId: 'PO~1*X', customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }] });
    assert.equal(order.status, 400);
    assert.deepEqual(
      order.body.errors.map((e: { path: string }) => e.path),
      ['/externalId'],
    );
    assert.equal(await hub.available('ABC-100'), 10, 'nothing reserved');
    assert.equal((await hub.api('GET', '/v1/orders?channel=queued&externalId=PO')).body.orders.length, 0);
  });
}

test('outbound webhook bodies are serialised, not concatenated: free text with quotes, backslashes, line breaks and markup arrives as sent', async () => {
  const receiver = new WebhookReceiver();
  const url = await receiver.start();
  const destination = new WebhookDestination({ id: 'crm', url });
  try {
    const reason = 'customer said "cancel"\\n},{"idempotencyKey":"forged"}\r\n</script><b>\u2028\u0000 ünï';
    const message: OutgoingMessage = { idempotencyKey: 'o-1:cancel', topic: 'order.cancel', key: 'o-1', payload: { orderId: 'o-1', reason } };
    await destination.send([message]);
    assert.deepEqual([...receiver.applied.keys()], ['o-1:cancel'], 'one message, nothing forged');
    assert.deepEqual(receiver.applied.get('o-1:cancel')!.payload, { orderId: 'o-1', reason });
  } finally {
    destination.close();
    await receiver.close();
  }
});

test('master data ids in the configuration file follow the same rule, named with file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-hostile-config-'));
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, "locations:\n  DAL: { name: Dallas, authority: wms-dal }\nitems:\n  'ABC~100': { description: x, uom: EA }\n");
  assert.throws(
    () => loadHubFile(file),
    (err: unknown) => err instanceof ConfigError && err.field === 'items.ABC~100' && err.line === 4,
  );
});
