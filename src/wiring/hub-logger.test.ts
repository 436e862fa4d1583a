import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CENSORED, hubLogger } from './hub-logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: hubLogger({ level: 'debug' }, destination) };
}

test("people's names, emails, phones, addresses and tax ids are censored at the top of a logged object and in the objects that carry documents and people", () => {
  const { lines, log } = capture();
  // Shaped like a storefront order and a partner's ship-to, as an error might log them.
  log.warn(
    {
      orderId: 'ord_1',
      sku: 'ABC-100',
      customer: { id: 'C-9', email: 'ada.q@example.org', first_name: 'Ada', last_name: 'Quartermaine', default_address: { phone: '+1 555 0100' } },
      shipping_address: { address1: '12 Wharf Road', zip: '75201', name: 'Ada Quartermaine' },
      payload: { document: { shipTo: { name: 'Store 042', address: '1 Main St' }, taxId: '12-3456789' } },
    },
    'the order could not be placed',
  );
  assert.equal(lines.length, 1);
  for (const secret of ['ada.q@example.org', 'Quartermaine', '+1 555 0100', '12 Wharf Road', '75201', 'Store 042', '1 Main St', '12-3456789'])
    assert.ok(!lines[0]!.includes(secret), `${secret} reached the log: ${lines[0]}`);
  const entry = JSON.parse(lines[0]!);
  assert.equal(entry.customer.email, CENSORED);
  assert.equal(entry.shipping_address, CENSORED, 'an address is censored whole');
  assert.equal(entry.payload.document.shipTo, CENSORED);
  assert.equal(entry.orderId, 'ord_1', 'what is not private stays');
  assert.equal(entry.sku, 'ABC-100');
  assert.equal(entry.customer.id, 'C-9');
  assert.equal(entry.msg, 'the order could not be placed');
});
