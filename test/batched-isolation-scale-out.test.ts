/**
 * On the scale-out backend concurrent captures share one PostgreSQL transaction (src/app/batched.ts).
 * One the database refuses (a real trigger on the orders table) fails alone with 422
 * unstorable_submission while the 200 captured beside it are placed, and the stock equals the
 * oracle; the same capture is taken once the cause is gone. Without the isolation in Batched
 * every capture sharing the poisoned transaction failed (checked by removing it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DATABASE_URL, scaleOut, skipReason } from './support/backends.js';
import { startOrderHarness } from './support/order-hub.js';

test('200 concurrent captures and one the database refuses: the 200 are placed, the one alone gets 422', {
  skip: await skipReason(scaleOut),
  timeout: 120_000,
}, async () => {
  const hub = await startOrderHarness(scaleOut);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await hub.stock('ABC-100', 'DAL', 1000);
    const schema = `"${hub.namespace}"`;
    await db.query(`CREATE FUNCTION ${schema}.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.external_id LIKE '%POISON%' THEN RAISE EXCEPTION 'refused by the disk'; END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER refuse_poison BEFORE INSERT ON ${schema}.orders FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse_poison()`);

    const bodies = Array.from({ length: 201 }, (_, i) => ({
      channel: 'queued',
      externalId: i === 100 ? 'BI-POISON' : `BI-${i}`,
      customer: 'C-42',
      lines: [{ sku: 'ABC-100', qty: 2 }],
    }));
    const answers = await Promise.all(bodies.map((b, i) => hub.order(b, `bi-key-${i}`)));
    const bad = answers.splice(100, 1)[0]!;
    // Placed is 201, or 202 pending_erp when a loaded machine makes the ERP slower than the commit
    // timeout: either way the order is stored and holds its stock (checked below).
    assert.deepEqual(
      answers.filter((a) => a.status !== 201 && a.status !== 202).map((a) => [a.status, a.body.type]),
      [],
      'every other capture is placed',
    );
    assert.deepEqual([bad.status, bad.body.type, bad.body.retryable], [422, 'urn:crossdock:problem:unstorable_submission', false]);
    await hub.settled();
    assert.equal(await hub.available('ABC-100'), 1000 - 200 * 2, 'the refused capture holds nothing');
    assert.equal((await hub.api('GET', '/v1/orders?channel=queued&externalId=BI-POISON')).body.orders.length, 0);

    // Once the cause is gone the same capture is taken, once.
    await db.query(`DROP TRIGGER refuse_poison ON ${schema}.orders`);
    const retried = await hub.order(bodies[100]!, 'bi-key-100');
    assert.ok(retried.status === 201 || retried.status === 202, JSON.stringify(retried.body));
    await hub.settled();
    assert.equal(await hub.available('ABC-100'), 1000 - 201 * 2);
  } finally {
    await db.end();
    await hub.stop();
  }
});
