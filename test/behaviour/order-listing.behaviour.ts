/**
 * Listing orders as both backends must show it: each filter and their combinations, newest
 * first, in the shape GET /v1/orders/{id} answers; cursors that walk every order once while new
 * orders arrive between pages; and 422s that name the query field. Run by
 * order-listing-embedded.test.ts and order-listing-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

interface Listed {
  id: string;
  channel: string;
  customer: string;
  status: string;
  createdAt: string;
}
interface Page {
  orders: Listed[];
  next: string | null;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function orderListingBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`order listing on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
      await hub.stock('ABC-100', 'DAL', 100_000);
    });
    after(async () => {
      await hub?.stop();
    });

    let ext = 0;
    /** A customer of its own per test, so other tests' orders never show in its listings. */
    async function customer(id: string): Promise<string> {
      const res = await hub.api('PUT', `/v1/customers/${id}`, { name: `Listing ${id}`, active: true, creditHold: false });
      assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.body));
      return id;
    }
    async function capture(channel: string, customerId: string): Promise<string> {
      const res = await hub.order({ channel, externalId: `L-${++ext}`, customer: customerId, lines: [{ sku: 'ABC-100', qty: 1 }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    }
    async function list(query: string): Promise<Page> {
      const res = await hub.api('GET', `/v1/orders?${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as Page;
    }
    const ids = (page: Page) => page.orders.map((o) => o.id);

    test('each filter and their combinations, newest first, in the shape of GET /v1/orders/{id}', async () => {
      const a = await customer('LIST-A');
      const b = await customer('LIST-B');
      // Apart in time, so `since` can fall between any two of them.
      const a1 = await capture('queued', a);
      await pause(5);
      const a2 = await capture('strict', a);
      await pause(5);
      const b1 = await capture('queued', b);
      await pause(5);
      const b2 = await capture('strict', b);
      await pause(5);
      const a3 = await capture('queued', a);
      assert.equal((await hub.api('POST', `/v1/orders/${a3}/cancel`, { reason: 'listing test' })).status, 200);
      await hub.settled();

      assert.deepEqual(ids(await list(`customer=${a}`)), [a3, a2, a1]);
      assert.deepEqual(ids(await list(`customer=${b}`)), [b2, b1]);
      assert.deepEqual(ids(await list(`customer=${a}&channel=strict`)), [a2]);
      assert.deepEqual(ids(await list(`customer=${a}&status=cancelled`)), [a3]);
      assert.deepEqual(ids(await list(`customer=${a}&status=accepted`)), [a2, a1]);
      assert.deepEqual(ids(await list(`customer=${a}&status=accepted&channel=queued`)), [a1]);
      assert.deepEqual(ids(await list(`customer=${b}&status=cancelled`)), []);

      const byChannel = await list('channel=strict&limit=500');
      assert.ok(byChannel.orders.every((o) => o.channel === 'strict'));
      assert.deepEqual(
        ids(byChannel).filter((id) => [a2, b2].includes(id)),
        [b2, a2],
      );
      const byStatus = await list('status=cancelled&limit=500');
      assert.ok(byStatus.orders.every((o) => o.status === 'cancelled'));
      assert.ok(ids(byStatus).includes(a3));

      const b1At = (await hub.api('GET', `/v1/orders/${b1}`)).body.createdAt as string;
      const since = await list(`since=${encodeURIComponent(b1At)}&limit=500`);
      assert.ok(
        since.orders.every((o) => Date.parse(o.createdAt) >= Date.parse(b1At)),
        'nothing captured before since',
      );
      assert.deepEqual(
        ids(since).filter((id) => [a1, a2, b1, b2, a3].includes(id)),
        [a3, b2, b1],
      );
      assert.deepEqual(ids(await list(`customer=${a}&since=${encodeURIComponent(b1At)}`)), [a3]);
      // The same instant written with an offset is the same filter.
      const offset = new Date(Date.parse(b1At)).toISOString().replace('Z', '+00:00');
      assert.deepEqual(ids(await list(`customer=${b}&since=${encodeURIComponent(offset)}`)), [b2, b1]);
      assert.deepEqual(ids(await list('since=2999-01-01T00:00:00Z')), []);

      for (const shown of (await list(`customer=${a}`)).orders) {
        assert.deepEqual(shown, (await hub.api('GET', `/v1/orders/${shown.id}`)).body);
      }
    });

    test("the channel's own number still finds its one order", async () => {
      const c = await customer('LIST-REF');
      const id = await capture('queued', c);
      const found = await list(`channel=queued&externalId=L-${ext}`);
      assert.deepEqual(found, { orders: [(await hub.api('GET', `/v1/orders/${id}`)).body], next: null });
      assert.deepEqual(await list('channel=queued&externalId=NO-SUCH'), { orders: [], next: null });
      assert.deepEqual(await list(`channel=strict&externalId=L-${ext}`), { orders: [], next: null });
    });

    test('cursors walk every order once, none twice, while new orders arrive between pages', async () => {
      const p = await customer('LIST-PAGES');
      const captured: string[] = [];
      for (let i = 0; i < 23; i++) captured.push(await capture(i % 2 === 0 ? 'queued' : 'strict', p));
      await hub.settled();
      const everyoneBefore = ids(await list('limit=500'));

      const walk = async (query: string, limit: number) => {
        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const page: Page = await list(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          seen.push(...ids(page));
          sizes.push(page.orders.length);
          cursor = page.next;
          // Newer than anything listed so far: they must neither shift nor repeat what follows.
          await capture('queued', p);
          await capture('strict', p);
        } while (cursor !== null);
        return { seen, sizes };
      };

      const mine = await walk(`customer=${p}`, 5);
      assert.deepEqual(mine.seen, [...captured].reverse(), 'every order once, newest first');
      assert.deepEqual(mine.sizes, [5, 5, 5, 5, 3], 'no empty last page');

      const everyone = await walk('since=2000-01-01T00:00:00Z', 7);
      assert.equal(new Set(everyone.seen).size, everyone.seen.length, 'no order twice');
      assert.deepEqual(
        everyone.seen.filter((id) => everyoneBefore.includes(id)),
        everyoneBefore,
        'every order there at the start, in order',
      );
    });

    test('a page holds 50 orders unless asked otherwise, and at most 500', async () => {
      const d = await customer('LIST-DEFAULT');
      for (let i = 0; i < 52; i++) await capture('queued', d);
      const first = await list(`customer=${d}`);
      assert.equal(first.orders.length, 50);
      assert.notEqual(first.next, null);
      const rest = await list(`customer=${d}&cursor=${encodeURIComponent(first.next!)}`);
      assert.equal(rest.orders.length, 2);
      assert.equal(rest.next, null);
      assert.equal((await list(`customer=${d}&limit=500`)).orders.length, 52);
      const exact = await list(`customer=${d}&limit=52`);
      assert.deepEqual([exact.orders.length, exact.next], [52, null], 'a page that ends the listing says so');
    });

    test('a wrong query is a 422 naming each field, with the valid statuses listed', async () => {
      const refused = async (query: string) => {
        const res = await hub.api('GET', `/v1/orders?${query}`);
        assert.equal(res.status, 422, `${query}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.type, 'urn:crossdock:problem:invalid_input');
        return res.body.errors as { path: string; message: string }[];
      };
      const paths = async (query: string) => (await refused(query)).map((e) => e.path);
      for (const limit of ['0', '501', 'ten', '-1', '2.5', '']) assert.deepEqual(await paths(`limit=${limit}`), ['/limit'], `limit=${limit}`);
      assert.match((await refused('limit=501'))[0]!.message, /1 to 500/);
      const status = await refused('status=lost');
      assert.deepEqual(
        status.map((e) => e.path),
        ['/status'],
      );
      for (const s of ['credit_hold', 'accepted', 'shipped', 'cancelled', 'erp_failed']) assert.ok(status[0]!.message.includes(s), status[0]!.message);
      for (const since of ['yesterday', '2026-11-22', '2026-02-31T00:00:00Z', '2026-11-22T25:00:00Z']) {
        assert.deepEqual(await paths(`since=${encodeURIComponent(since)}`), ['/since'], since);
      }
      const junk = Buffer.from('{"createdAt":"2026-11-22T10:00:00Z"}').toString('base64url');
      for (const cursor of [
        'not-a-cursor',
        junk,
        Buffer.from('["yesterday","ord_1"]').toString('base64url'),
        Buffer.from('["1 2 3","ord_1"]').toString('base64url'),
      ]) {
        assert.deepEqual(await paths(`cursor=${cursor}`), ['/cursor'], cursor);
      }
      assert.deepEqual(await paths('externalId=W-1'), ['/channel']);
      assert.deepEqual(await paths('channel='), ['/channel']);
      assert.deepEqual(await paths('status=accepted&status=cancelled'), ['/status']);
      assert.deepEqual(await paths('status=open&limit=0&since=soon&cursor=x&customer=C-42'), ['/status', '/since', '/limit', '/cursor']);
      assert.equal((await hub.api('GET', '/v1/orders?limit=500')).status, 200);
    });
  });
}
