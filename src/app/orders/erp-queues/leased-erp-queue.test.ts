/** The scale-out ERP queue leases due orders in the shared state; a recorded answer ends the lease, so release does nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LockingOrderStore } from '../../../ports/locking-order-store.js';
import { order } from '../orders.test-support.js';
import { LeasedErpQueue } from './leased-erp-queue.js';

test('due orders are the ones the shared state leases for the time asked', async () => {
  const asked: [number, number][] = [];
  const o = order('O1', [{ sku: 'A', qty: 1 }]);
  const store = {
    leaseDueForErp: async (limit: number, leaseMs: number) => {
      asked.push([limit, leaseMs]);
      return [o];
    },
  } as unknown as LockingOrderStore;
  const queue = new LeasedErpQueue(store);
  assert.deepEqual(await queue.takeDue(8, 5100), [o]);
  assert.deepEqual(asked, [[8, 5100]]);
  queue.release();
});
