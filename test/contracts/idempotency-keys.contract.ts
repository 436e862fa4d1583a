/**
 * The contract every IdempotencyKeys implementation keeps, run against the embedded hub's (claimed
 * in memory) and the scale-out hub's (claimed in PostgreSQL): a key is held by one request at a
 * time, however many ask for it at once; a request that made no order gives it up; and a key
 * bound to an order answers every later claim with that order. Keys and orders are the hub's own.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

export async function describeIdempotencyKeysContract(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`the IdempotencyKeys contract on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
    });
    after(async () => {
      await hub?.stop();
    });

    test('of many claims of one key at once, exactly one wins; the others are told it is in flight', async () => {
      const key = `contract-${backend.name}-${Date.now()}`;
      const claims = await Promise.all(Array.from({ length: 10 }, () => hub.idempotencyKeys.claim(key, 'fingerprint-1')));
      assert.equal(claims.filter((c) => c.claimed).length, 1);
      for (const c of claims.filter((x) => !x.claimed)) assert.deepEqual(c, { claimed: false, stored: undefined, inFlight: true });
    });

    test('a request that made no order gives its key up: the next claim wins, whatever its body', async () => {
      const key = `contract-drop-${backend.name}-${Date.now()}`;
      assert.deepEqual(await hub.idempotencyKeys.claim(key, 'fingerprint-1'), { claimed: true });
      await hub.idempotencyKeys.drop(key);
      assert.deepEqual(await hub.idempotencyKeys.claim(key, 'fingerprint-2'), { claimed: true });
      await hub.idempotencyKeys.drop(key);
    });

    test('a key that captured an order is held by it: a claim gets the order and the answer, never a new capture', async () => {
      await hub.stock('ABC-100', 'DAL', 5);
      const res = await hub.order(
        { channel: 'queued', externalId: `IK-${backend.name}`, customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 1 }] },
        'contract-bound',
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await hub.settled();
      // The API scopes a client's key to its API key's name: the harness uses the admin key.
      const claim = await hub.idempotencyKeys.claim('admin\u001fcontract-bound', 'another body');
      assert.equal(claim.claimed, false);
      assert.ok(!claim.claimed && claim.stored, JSON.stringify(claim));
      assert.equal(claim.stored!.orderId, res.body.id);
      assert.deepEqual(claim.stored!.response, res.body);
    });
  });
}
