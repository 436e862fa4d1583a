/**
 * The backorder sweep: a nudge fills what is owed, a nudge during a fill runs one more after it,
 * failures go to the error handler, and stop waits for the fill in progress.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackorderSweep } from './backorder-sweep.js';
import { channel, count, embeddedHub, location, order } from './orders.test-support.js';

const L1 = location('L1');
const committed = { state: 'committed' as const, attempts: 1 };

async function owing() {
  const h = embeddedHub({ locations: [L1], channels: [channel('web', ['L1'])], counts: [count(L1, 'A', 5)] });
  await h.changes.change({ orders: [] }, (work) => {
    work.record(order('O1', [{ sku: 'A', qty: 2 }], { erp: committed }), []);
  });
  return h;
}

test('a nudge fills the backorders; stop waits for it', async () => {
  const h = await owing();
  const errors: unknown[] = [];
  const sweep = new BackorderSweep(h.changes, (e) => errors.push(e));
  sweep.nudge();
  await sweep.stop();
  assert.deepEqual(h.openOrders.get('O1')!.lines[0]!.alloc, [['L1', 2]]);
  assert.deepEqual(errors, []);
});

test('a nudge while a fill runs makes one more fill after it, not two at once', async () => {
  const h = await owing();
  const fills: string[] = [];
  const changes = Object.create(h.changes) as typeof h.changes;
  let running = 0;
  changes.owingOrders = async (limit, skus) => {
    running++;
    fills.push(`start ${running}`);
    await new Promise((r) => setImmediate(r));
    const ids = await h.changes.owingOrders(limit, skus);
    running--;
    return ids;
  };
  const sweep = new BackorderSweep(changes, () => {});
  sweep.nudge();
  sweep.nudge();
  sweep.nudge();
  await sweep.stop();
  assert.deepEqual(fills, ['start 1', 'start 1'], 'two fills, one after the other');
  // The sweep is idle again: a new nudge starts a fill.
  sweep.nudge();
  await sweep.stop();
  assert.equal(fills.length, 3);
});

test('a failed fill goes to the error handler and the sweep runs again on the next nudge', async () => {
  const h = await owing();
  const errors: unknown[] = [];
  const changes = Object.create(h.changes) as typeof h.changes;
  let fail = true;
  changes.owingOrders = async (limit, skus) => {
    if (fail) throw new Error('store down');
    return h.changes.owingOrders(limit, skus);
  };
  const sweep = new BackorderSweep(changes, (e) => errors.push(e));
  sweep.nudge();
  await sweep.stop();
  await new Promise((r) => setImmediate(r));
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /store down/);
  fail = false;
  sweep.nudge();
  await sweep.stop();
  assert.deepEqual(h.openOrders.get('O1')!.lines[0]!.alloc, [['L1', 2]]);
});

test('started, it fills on its timer until stopped', async () => {
  const h = await owing();
  const sweep = new BackorderSweep(h.changes, () => {});
  sweep.start(1);
  const deadline = Date.now() + 5000;
  while (h.openOrders.get('O1')!.lines[0]!.alloc.length === 0) {
    if (Date.now() > deadline) assert.fail('the timer never filled the backorder');
    await new Promise((r) => setTimeout(r, 2));
  }
  await sweep.stop();
  await h.changes.change({ orders: [] }, (work) => work.record(order('O2', [{ sku: 'A', qty: 1 }], { erp: committed }), []));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(h.openOrders.get('O2')!.lines[0]!.alloc, [], 'stopped: the timer no longer fills');
});
