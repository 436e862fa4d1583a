/**
 * Customer master data both backends must show alike: seeded from the configuration, defined
 * and replaced through the API, listed a page at a time. Run by customers-embedded.test.ts and
 * customers-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend, type HarnessHub } from '../support/backends.js';

const ORDERS_KEY = 'orders-reader-key-0123456789';

export async function customerBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`customers on the ${backend.name} backend`, { skip }, () => {
    let hub: HarnessHub;
    before(async () => {
      hub = await backend.start(
        { customers: { 'C-1': { name: 'Seeded Co', active: true, creditHold: false } } },
        { apiKeys: [{ name: 'storefront', key: ORDERS_KEY, scopes: ['orders:read'] }] },
      );
    });
    after(async () => {
      await hub?.stop();
    });

    test('customers from the configuration are seeded, and the API defines and updates them', async () => {
      assert.equal((await hub.api('GET', '/v1/customers/C-1', undefined, { key: ORDERS_KEY })).body.name, 'Seeded Co');
      const created = await hub.api('PUT', '/v1/customers/C-42', { name: 'Lone Star Plumbing', active: true, creditHold: false, erpCustomerNumber: '100042' });
      assert.equal(created.status, 201);
      assert.equal(created.body.erpCustomerNumber, '100042');
      const updated = await hub.api('PUT', '/v1/customers/C-42', { name: 'Lone Star Plumbing', active: true, creditHold: true });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.creditHold, true);
      const got = await hub.api('GET', '/v1/customers/C-42', undefined, { key: ORDERS_KEY });
      assert.equal(got.body.creditHold, true);
      assert.equal(got.body.erpCustomerNumber, undefined, 'a PUT replaces the customer');
    });

    test('defaults active to true and creditHold to false, and names bad fields', async () => {
      const res = await hub.api('PUT', '/v1/customers/C-9', { name: 'Minimal' });
      assert.deepEqual([res.body.active, res.body.creditHold], [true, false]);
      const bad = await hub.api('PUT', '/v1/customers/C-9', { name: '', creditHold: 'yes', nickname: 'x' });
      assert.equal(bad.status, 400);
      const paths = bad.body.errors.map((e: { path: string }) => e.path);
      for (const p of ['/name', '/creditHold']) assert.ok(paths.includes(p), `${p} in ${JSON.stringify(paths)}`);
    });

    test('lists customers a page at a time; unknown ones are 404; changing needs admin', async () => {
      for (const id of ['P-1', 'P-2', 'P-3']) await hub.api('PUT', `/v1/customers/${id}`, { name: id });
      const page = await hub.api('GET', '/v1/customers?after=P-0&limit=2', undefined, { key: ORDERS_KEY });
      assert.deepEqual(
        page.body.customers.map((c: { id: string }) => c.id),
        ['P-1', 'P-2'],
      );
      assert.equal(page.body.next, 'P-2');
      assert.equal((await hub.api('GET', '/v1/customers/NOPE', undefined, { key: ORDERS_KEY })).status, 404);
      assert.equal((await hub.api('PUT', '/v1/customers/P-1', { name: 'x' }, { key: ORDERS_KEY })).status, 403);
    });
  });
}
