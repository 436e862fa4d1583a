/**
 * U+0000 in any string or key of a JSON body is refused at the edge (400 naming the field) on both
 * backends. PostgreSQL text and jsonb cannot hold it: on the scale-out backend an order carrying it
 * failed its capture transaction with a raw driver error (500), together with every capture that
 * shared the transaction. Fails without refuseNulCharacters in utf8-body.ts (checked by removing it).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { embedded, scaleOut, skipReason, type Backend } from './support/backends.js';
import { startOrderHarness, type OrderHarness } from './support/order-hub.js';
import { movement } from './support/test-hub.js';

for (const backend of [embedded, scaleOut] as Backend[]) {
  describe(`U+0000 on the ${backend.name} backend`, { skip: await skipReason(backend) }, () => {
    let hub: OrderHarness;
    before(async () => {
      hub = await startOrderHarness(backend);
      await hub.stock('ABC-100', 'DAL', 100);
    });
    after(() => hub?.stop());

    test('an order with U+0000 is refused naming the field; the orders captured beside it are placed', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => ({
        channel: 'queued',
        externalId: `NUL-${i}`,
        customer: 'C-42',
        lines: [{ sku: 'ABC-100', qty: 1 }],
      }));
      bodies[7] = { ...bodies[7]!, externalId: 'NUL-\u0000-7' };
      const answers = await Promise.all(bodies.map((b) => hub.order(b)));
      const bad = answers.splice(7, 1)[0]!;
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors, [{ path: '/externalId', message: 'must not contain the character U+0000 (NUL)' }]);
      assert.deepEqual(
        answers.map((a) => a.status),
        Array(19).fill(201),
      );
      await hub.settled();
      assert.equal(await hub.available('ABC-100'), 100 - 19);
    });

    test('an event with U+0000 in a kept unknown field or a key is refused, nothing stored', async () => {
      const head = (await hub.api('GET', '/v1/events?limit=10000')).body.events.length;
      for (const [extra, path] of [
        [{ note: 'a\u0000b' }, '/0/note'],
        [{ 'k\u0000': 1 }, '/0/k\u0000'],
      ] as const) {
        const res = await hub.api('POST', '/v1/events', [{ ...movement({ sku: 'ABC-100', location: 'DAL', delta: { onHand: 1 } }), ...extra }]);
        assert.equal(res.status, 400);
        assert.equal(res.body.errors[0].path, path);
      }
      await hub.settled();
      assert.equal((await hub.api('GET', '/v1/events?limit=10000')).body.events.length, head);
    });
  });
}
