/** Pages of orders: one more read than shown tells whether a next page exists; the cursor names the last order shown and nothing else decodes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../domain/errors.js';
import type { OrderView } from '../../model/order.js';
import type { OrderListing } from '../../ports/order-store.js';
import { decodeCursor, DEFAULT_PAGE, encodeCursor, MAX_PAGE, pageOfOrders } from './order-listing.js';

const view = (id: string, createdAt: string) => ({ id, createdAt }) as OrderView;
const all = [view('o5', '2026-03-01T05:00:00.000Z'), view('o4', '2026-03-01T04:00:00.000Z'), view('o3', '2026-03-01T03:00:00.000Z')];

test('a page reads one more than it shows; the cursor names the last order shown', async () => {
  const asked: OrderListing[] = [];
  const read = async (l: OrderListing) => {
    asked.push(l);
    return all.slice(0, l.limit);
  };
  const page = await pageOfOrders({ channel: 'web', limit: 2 }, read);
  assert.deepEqual(asked, [{ channel: 'web', limit: 3 }]);
  assert.deepEqual(
    page.orders.map((o) => o.id),
    ['o5', 'o4'],
  );
  assert.deepEqual(decodeCursor(page.next!), { createdAt: '2026-03-01T04:00:00.000Z', id: 'o4' });
  const last = await pageOfOrders({ limit: 3 }, read);
  assert.equal(last.next, null, 'nothing follows: no cursor');
  assert.equal(last.orders.length, 3);
  assert.deepEqual(await pageOfOrders({ limit: 2 }, async () => []), { orders: [], next: null });
  assert.equal(DEFAULT_PAGE, 50);
  assert.equal(MAX_PAGE, 500);
});

test('a cursor round-trips and is URL-safe; anything else is refused naming /cursor', () => {
  const c = encodeCursor({ createdAt: '2026-03-01T04:00:00.000Z', id: 'ord/+?' });
  assert.match(c, /^[A-Za-z0-9_-]+$/);
  assert.equal(c, Buffer.from(JSON.stringify(['2026-03-01T04:00:00.000Z', 'ord/+?'])).toString('base64url'));
  assert.deepEqual(decodeCursor(c), { createdAt: '2026-03-01T04:00:00.000Z', id: 'ord/+?' });
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  for (const bad of [
    'not json at all',
    enc({ createdAt: '2026-03-01T04:00:00.000Z', id: 'x' }),
    enc(['2026-03-01T04:00:00.000Z']),
    enc(['2026-03-01T04:00:00.000Z', 'x', 'y']),
    enc([5, 'x']),
    enc(['2026-03-01T04:00:00.000Z', 5]),
    enc(['2026-03-01T04:00:00.000Z', '']),
    enc(['2026-03-01T04:00:00.000Z', ['x']]),
    enc(['yesterday', 'x']),
    enc(['2026-02-30T04:00:00.000Z', 'x']),
    enc(null),
  ]) {
    assert.throws(
      () => decodeCursor(bad),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.issues.length === 1 &&
        e.issues[0]!.path === '/cursor' &&
        e.issues[0]!.message === 'is not a cursor this listing handed out; pass the "next" of the previous page unchanged',
      bad,
    );
  }
});
