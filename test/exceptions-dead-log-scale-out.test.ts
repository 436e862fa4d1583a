/**
 * The one exception class only the scale-out backend has: a log entry the workers gave up on
 * (recorded as dead the way a worker records one while the database refuses it). It becomes a
 * `dead_log_entry` exception, is retried through the queue, applies, and the exception resolves
 * itself saying so; the worker's applied state shows the entry's effect. The exception names the
 * correlation id the entry's event carries (its request's, stamped when it was written to the log).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { NETWORK, snapshot } from './support/test-hub.js';
import { DATABASE_URL, scaleOut, skipReason, type HarnessHub } from './support/backends.js';
import { until } from './support/until.js';
import { openPostgres } from '../src/adapters/postgres/pg-database.js';
import { PgLedgerStore } from '../src/adapters/postgres/pg-ledger-store.js';

const skip = await skipReason(scaleOut);
let hub: HarnessHub;
let store: PgLedgerStore;

before(async () => {
  if (skip) return;
  hub = await scaleOut.start({ ...NETWORK, exceptions: { reconcileMs: 100 } } as never);
  store = new PgLedgerStore(await openPostgres(DATABASE_URL, hub.namespace!, 2));
});
after(async () => {
  if (skip) return;
  await store?.close();
  await hub?.stop();
});

test('a dead log entry is an exception; retried through the queue it applies and the exception resolves', { skip }, async () => {
  const event = { ...snapshot({ source: 'wms-dal', seq: 77, sku: 'DLX-1', location: 'DAL', onHand: 9 }), correlationId: 'corr-dead-1' };
  await store.deadLetter({
    position: 900_001,
    kind: 'inventory',
    body: JSON.stringify(event),
    error: 'connection terminated',
    attempts: 5,
    at: new Date().toISOString(),
  });
  const [x] = await until(
    'the dead-log exception',
    async () =>
      (await hub.api('GET', '/v1/exceptions?class=dead_log_entry')).body.exceptions as {
        id: number;
        actions: string[];
        status: string;
        correlationId: string | null;
      }[],
    (xs) => xs.length === 1,
    30_000,
  );
  assert.equal(x!.correlationId, 'corr-dead-1');
  assert.deepEqual(x!.actions, ['retry', 'acknowledge', 'assign']);
  const done = await hub.api('POST', `/v1/exceptions/${x!.id}/actions/retry`, {});
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'auto_resolved');
  assert.match(done.body.history.at(-1).note, /log entry 900001 was applied/);
  assert.deepEqual((await hub.api('GET', '/v1/events/dead')).body.dead, []);
  assert.equal(await store.figure('web', 'DLX-1'), 7, 'the entry applied to the shared state (9 on hand less the safety stock of 2)');
});
