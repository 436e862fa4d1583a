/**
 * The behaviour every customer store must have (CustomerStore: the embedded SQLite store and
 * the PostgreSQL one), as one suite each adapter runs: what is saved is read back whole, a save
 * replaces, listings page in id order, and it all survives a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Customer } from '../../src/model/customer.js';
import type { CustomerStore } from '../../src/ports/customer-store.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const customer = (id: string, extra: Partial<Customer> = {}): Customer => ({
  id,
  name: `Customer ${id}`,
  active: true,
  creditHold: false,
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

export function describeCustomerStoreContract(name: string, make: MakeAdapter<CustomerStore>, skip: Skip = false): void {
  describe(`CustomerStore contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<CustomerStore>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('reads back what was saved, every field, and nothing for an unknown id', async () => {
      const full = customer('C-1', { email: 'buyer@example.com', erpCustomerNumber: 'E-001', creditHold: true, name: 'Lone Star Plumbing – Ünïcode' });
      await ctx.store.saveCustomer(full);
      assert.deepEqual(await ctx.store.customer('C-1'), full);
      assert.equal(await ctx.store.customer('C-2'), undefined);
    });

    it('a save replaces the customer: the newer record wins, fields left out are gone, and there is still one', async () => {
      await ctx.store.saveCustomer(customer('C-1', { email: 'old@example.com' }));
      assert.deepEqual(await ctx.store.customer('C-1'), customer('C-1', { email: 'old@example.com' }), 'read once (a cache may hold it now)');
      const changed = customer('C-1', { creditHold: true, updatedAt: '2026-12-02T10:00:00.000Z' });
      await ctx.store.saveCustomer(changed);
      await ctx.store.saveCustomer(changed);
      assert.deepEqual(await ctx.store.customer('C-1'), changed);
      assert.deepEqual(
        (await ctx.store.customers('', 10)).map((c) => c.id),
        ['C-1'],
      );
    });

    it('lists customers in id order, after an id, at most a limit', async () => {
      for (const id of ['C-3', 'C-10', 'C-1', 'B-9', 'C-2']) await ctx.store.saveCustomer(customer(id));
      assert.deepEqual(
        (await ctx.store.customers('', 100)).map((c) => c.id),
        ['B-9', 'C-1', 'C-10', 'C-2', 'C-3'],
      );
      assert.deepEqual(
        (await ctx.store.customers('C-1', 2)).map((c) => c.id),
        ['C-10', 'C-2'],
      );
      assert.deepEqual(await ctx.store.customers('C-3', 10), []);
      const walked: string[] = [];
      for (let page = await ctx.store.customers('', 2); page.length > 0; page = await ctx.store.customers(page[page.length - 1]!.id, 2))
        walked.push(...page.map((c) => c.id));
      assert.deepEqual(walked, ['B-9', 'C-1', 'C-10', 'C-2', 'C-3']);
    });

    it('keeps customers across a reopen', async () => {
      await ctx.store.saveCustomer(customer('C-1', { email: 'a@example.com' }));
      await ctx.store.saveCustomer(customer('C-1', { email: 'b@example.com' }));
      const again = await ctx.reopen();
      assert.deepEqual(await again.customer('C-1'), customer('C-1', { email: 'b@example.com' }));
      assert.equal((await again.customers('', 10)).length, 1);
    });
  });
}
