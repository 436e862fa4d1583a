/**
 * Amending an order on both backends (in-memory stores, a recording ERP): the new lines replace the
 * old, the stock the order holds follows, the timeline keeps the lines before and after, and the
 * ERP that has the order is told (or owed the change when it is down). Bad lines, refusals and a
 * reused key change nothing. The stores, the ERP's calls and the errors are the oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { AmendmentRefusedError, type AmendedLine } from '../../domain/orders/order-amendment.js';
import { ErpCallError, IdempotencyKeyReusedError } from '../../domain/orders/order-errors.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import { amendmentFingerprint, amendOrder, type AmendDeps } from './amend-order.js';
import { ErpCommits } from './commit-orders-to-erp.js';
import { channel, count, embeddedCapture, embeddedHub, location, order, recordingErp, scaleOutHub, T0 } from './orders.test-support.js';

const L1 = location('L1');
const web = channel('web', ['L1']);
const AT0 = new Date(T0).toISOString();
const committed = { state: 'committed' as const, orderNumber: 'E-1', attempts: 1 };
const known = (sku: string) => sku !== 'Z' && sku !== 'Y';
const stock = () => [count(L1, 'A', 10), count(L1, 'B', 5), count(L1, 'C', 4)];

/** The embedded hub holding `orders`, with the ERP commits main.ts wires as the amendments' ERP. */
async function embedded(orders: OrderState[], erp = recordingErp()) {
  const h = embeddedHub({ locations: [L1], channels: [web], counts: stock() });
  await h.changes.change({ orders: [] }, (work) => {
    for (const o of orders) work.record(o, []);
  });
  const c = embeddedCapture(h, { erp: erp.connector });
  const deps: AmendDeps = { changes: h.changes, isKnownSku: known, erp: c.erp };
  return { h, c, erp, deps };
}

const ctx = (key = 'k1') => ({ principal: 'ops', correlationId: 'corr-7', idempotencyKey: `ops\u001f${key}` });
const steps = (h: ReturnType<typeof embeddedHub>, id = 'O1') => h.orders.timeline(id).map((t) => [t.step, t.source, t.correlationId, t.detail]);
const downErp = () => {
  const erp = recordingErp();
  erp.connector.changeOrder = async (reference) => {
    erp.calls.push(`change ${reference} refused`);
    throw new ErpCallError('order change', 'HTTP 503', false, true);
  };
  return erp;
};

/** An ERP change sender that records the orders it was given and answers them unchanged. */
const recordSent =
  (sent: OrderState[]) =>
  async (o: OrderState): Promise<OrderState> => {
    sent.push(o);
    return o;
  };

const TWO_LINES = () =>
  order(
    'O1',
    [
      { sku: 'A', qty: 2, alloc: [['L1', 2]] },
      { sku: 'B', qty: 1, alloc: [['L1', 1]] },
    ],
    { erp: committed },
  );
const NEW_LINES: AmendedLine[] = [
  { sku: 'A', qty: 3 },
  { sku: 'C', qty: 1, unitPrice: 4 },
];

test('an amendment replaces the lines, moves the stock, keeps the lines before and after, and the ERP takes it', async () => {
  const { h, erp, deps } = await embedded([TWO_LINES()]);
  const outcome = await amendOrder(deps, 'O1', NEW_LINES, ctx());
  assert.equal(outcome.replayed, false);
  assert.deepEqual(outcome.changes, [
    { sku: 'A', before: { qty: 2, reserved: 2, backordered: 0 }, after: { qty: 3, reserved: 3, backordered: 0 } },
    { sku: 'B', before: { qty: 1, reserved: 1, backordered: 0 }, after: { qty: 0, reserved: 0, backordered: 0 } },
    { sku: 'C', before: { qty: 0, reserved: 0, backordered: 0 }, after: { qty: 1, reserved: 1, backordered: 0, unitPrice: 4 } },
  ]);
  assert.deepEqual(erp.calls, ['change O1 Ax3,Cx1 100']);
  assert.deepEqual([h.reserved('A', 'L1'), h.reserved('B', 'L1'), h.reserved('C', 'L1')], [3, 0, 1]);
  assert.deepEqual(steps(h), [
    ['amended', 'ops', 'corr-7', 'before: A × 2, B × 1; after: A × 3, C × 1 @ 4'],
    ['erp.changed', 'erp', 'corr-7', 'ERP order E-1 now has the amended lines'],
  ]);
  const stored = h.orders.order('O1')!;
  assert.deepEqual(
    stored.lines.map((l) => [l.sku, l.qty, l.unitPrice, l.alloc]),
    [
      [
        'A',
        3,
        undefined,
        [
          ['L1', 2],
          ['L1', 1],
        ],
      ],
      ['C', 1, 4, [['L1', 1]]],
    ],
  );
  assert.equal(stored.erp.change, undefined, 'the ERP took the lines: nothing is owed');
  assert.deepEqual(stored.amendedBy, [{ key: 'ops\u001fk1', fingerprint: amendmentFingerprint(NEW_LINES), at: AT0 }]);
  assert.deepEqual(outcome.order, stored, 'the answer is the order with the ERP answer recorded');
});

test('on the shared state, the amendment locks the new items, moves the holds and tells the ERP', async () => {
  const h = scaleOutHub({ locations: [L1], channels: [web], counts: stock() });
  h.store.put(TWO_LINES(), order('O3', [{ sku: 'B', qty: 1, alloc: [['L1', 1]] }], { erp: committed, released: true }));
  const erp = recordingErp();
  const commits = new ErpCommits({
    changes: h.changes,
    queue: { takeDue: async () => [], release: () => {} },
    erp: erp.connector,
    customer: () => undefined,
    clock: h.clock,
    timeoutMs: 50,
    retryBaseMs: 10,
    retryMaxMs: 100,
  });
  const deps: AmendDeps = { changes: h.changes, isKnownSku: known, erp: commits };
  const outcome = await amendOrder(deps, 'O1', [...NEW_LINES, { sku: 'Y', qty: 0 }], ctx());
  assert.deepEqual([...h.store.locked[0]!].sort(), ['A', 'B', 'C'], "the order's items and the one it adds; not one it names at 0");
  assert.deepEqual(
    outcome.changes.map((c) => [c.sku, c.after.reserved]),
    [
      ['A', 3],
      ['B', 0],
      ['C', 1],
    ],
  );
  assert.deepEqual(h.store.heldBy('O1'), { 'A@L1': 3, 'C@L1': 1 });
  assert.deepEqual(erp.calls, ['change O1 Ax3,Cx1 50']);
  assert.deepEqual(
    h.store.data.timeline.map((t) => [t.step, t.source, t.detail]),
    [
      ['amended', 'ops', 'before: A × 2, B × 1; after: A × 3, C × 1 @ 4'],
      ['erp.changed', 'erp', 'ERP order E-1 now has the amended lines'],
    ],
  );
  assert.equal(h.store.savedOrder('O1')!.erp.change, undefined);

  // A refusal rolls the transaction back whole.
  const before = structuredClone(h.store.data);
  await assert.rejects(amendOrder(deps, 'O3', [{ sku: 'B', qty: 2 }], ctx('k2')), AmendmentRefusedError);
  await assert.rejects(amendOrder(deps, 'O9', NEW_LINES, ctx('k3')), NotFoundError);
  assert.deepEqual(h.store.data, before);
  assert.deepEqual(erp.calls, ['change O1 Ax3,Cx1 50']);
});

test('an ERP that is down leaves the change owed, dated from the first amendment, and the sweep sends it', async () => {
  const erp = downErp();
  const { h, c, deps } = await embedded([TWO_LINES()], erp);
  const first = await amendOrder(deps, 'O1', NEW_LINES, ctx());
  assert.deepEqual(first.order.erp.change, { attempts: 1, since: AT0, lastError: 'HTTP 503', nextAttemptAt: T0 + 1000 });
  assert.deepEqual(h.orders.order('O1')!.erp.change, first.order.erp.change);
  assert.deepEqual(
    steps(h).map((s) => s[0]),
    ['amended', 'erp.change_failed'],
  );
  assert.deepEqual([h.reserved('A', 'L1'), h.reserved('C', 'L1')], [3, 1], 'the stock moved all the same');

  h.clock.ms = T0 + 60_000;
  const second = await amendOrder(deps, 'O1', [{ sku: 'A', qty: 4 }], ctx('k2'));
  assert.equal(second.order.erp.change!.since, AT0, 'owed since the first amendment the ERP has not taken');
  assert.deepEqual(erp.calls, ['change O1 refused', 'change O1 refused']);

  erp.connector.changeOrder = async (reference, lines) => void erp.calls.push(`change ${reference} ${lines.map((l) => `${l.sku}x${l.qty}`).join(',')}`);
  h.clock.ms = T0 + 120_000;
  assert.equal(await c.erp.sweep(), 1);
  assert.deepEqual(erp.calls.at(-1), 'change O1 Ax4');
  assert.equal(h.orders.order('O1')!.erp.change, undefined);
});

test('the amendment owns the ERP change for a lease; without an ERP to call the change is due at once', async () => {
  const sent: OrderState[] = [];
  const { h, c, deps } = await embedded([TWO_LINES()]);
  const leased: AmendDeps = { ...deps, erp: { leaseMs: 5000, sendChange: recordSent(sent) } };
  const outcome = await amendOrder(leased, 'O1', NEW_LINES, ctx());
  assert.deepEqual(h.orders.order('O1')!.erp.change, { attempts: 0, since: AT0, nextAttemptAt: T0 + 5000 });
  assert.deepEqual(sent, [h.orders.order('O1')]);
  assert.deepEqual(outcome.order, sent[0]);
  assert.deepEqual(await c.erpQueue.takeDue(8), [], 'no sweep sends it while the lease runs');

  const { h: h2, c: c2, deps: deps2 } = await embedded([TWO_LINES()]);
  await amendOrder({ changes: deps2.changes, isKnownSku: known }, 'O1', NEW_LINES, ctx());
  assert.deepEqual(h2.orders.order('O1')!.erp.change, { attempts: 0, since: AT0 });
  assert.deepEqual(
    (await c2.erpQueue.takeDue(8)).map((o) => o.id),
    ['O1'],
  );
});

test('an ERP call that throws leaves the amendment done and the change owed; an order the ERP has not taken is not sent', async () => {
  const { h, deps } = await embedded([TWO_LINES(), order('O2', [{ sku: 'B', qty: 1, alloc: [['L1', 1]] }])]);
  const broken: AmendDeps = { ...deps, erp: { leaseMs: 5000, sendChange: () => Promise.reject(new Error('store down')) } };
  const outcome = await amendOrder(broken, 'O1', NEW_LINES, ctx());
  assert.deepEqual(outcome.order, h.orders.order('O1'));
  assert.deepEqual(outcome.order.erp.change, { attempts: 0, since: AT0, nextAttemptAt: T0 + 5000 });

  const sent: OrderState[] = [];
  const recording: AmendDeps = { ...deps, erp: { leaseMs: 5000, sendChange: recordSent(sent) } };
  const pending = await amendOrder(recording, 'O2', [{ sku: 'B', qty: 2 }], ctx());
  assert.deepEqual(sent, [], 'the placement in flight will carry the lines, or the sweep the change');
  assert.deepEqual(pending.order.erp.change, { attempts: 0, since: AT0, nextAttemptAt: T0 + 5000 });
  assert.equal(h.reserved('B', 'L1'), 2);
});

test('units an amendment gives back go at once to an order owed them; a failed fill does not fail the amendment', async () => {
  const orders = () => [
    order('O1', [{ sku: 'A', qty: 10, alloc: [['L1', 10]] }], { erp: committed }),
    order('O2', [{ sku: 'A', qty: 3 }], { erp: committed, createdAt: '2026-03-01T09:00:00.000Z' }),
  ];
  const { h, deps } = await embedded(orders());
  await amendOrder(deps, 'O1', [{ sku: 'A', qty: 6 }], ctx());
  assert.deepEqual(h.openOrders.get('O2')!.lines[0]!.alloc, [['L1', 3]]);
  assert.equal(h.reserved('A', 'L1'), 9);

  const second = await embedded(orders());
  const changes = second.h.changes;
  let calls = 0;
  const flaky = Object.create(changes) as typeof changes;
  flaky.change = (scope, decide) => (calls++ === 0 ? changes.change(scope, decide) : Promise.reject(new Error('store down')));
  const outcome = await amendOrder({ changes: flaky, isKnownSku: known }, 'O1', [{ sku: 'A', qty: 6 }], ctx());
  assert.equal(outcome.order.lines[0]!.qty, 6);
  assert.deepEqual(second.h.openOrders.get('O2')!.lines[0]!.alloc, []);
  assert.equal(second.h.reserved('A', 'L1'), 6);
});

test('an amendment that gives nothing back fills no backorder, even of its own items', async () => {
  // O2 is owed A while A is free (a count arrived, no sweep yet): only units an amendment frees go to it.
  const { h, deps } = await embedded([
    order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: committed }),
    order('O2', [{ sku: 'A', qty: 2 }], { erp: committed }),
  ]);
  await amendOrder(deps, 'O1', [{ sku: 'A', qty: 1, unitPrice: 9 }], ctx('price'));
  await amendOrder(deps, 'O1', [{ sku: 'A', qty: 2, unitPrice: 9 }], ctx('more'));
  assert.deepEqual(h.openOrders.get('O2')!.lines[0]!.alloc, []);
  assert.equal(h.reserved('A', 'L1'), 2);
});

test('a refused amendment names why and the lines at fault, and changes nothing', async () => {
  const { h, erp, deps } = await embedded([
    order('O1', [{ sku: 'A', qty: 2, alloc: [['L1', 2]] }], { erp: committed, backorder: 'reject' }),
    order('O3', [{ sku: 'B', qty: 1, alloc: [['L1', 1]] }], { erp: committed, released: true }),
  ]);
  const before = structuredClone([h.orders.order('O1'), h.orders.order('O3')]);
  await assert.rejects(
    amendOrder(
      deps,
      'O1',
      [
        { sku: 'B', qty: 1 },
        { sku: 'A', qty: 20 },
      ],
      ctx(),
    ),
    (e: unknown) =>
      e instanceof AmendmentRefusedError &&
      e.code === 'amendment_refused' &&
      e.reason === 'insufficient_stock' &&
      JSON.stringify(e.issues) === JSON.stringify([{ path: '/lines/1/qty', message: '18 more of A wanted, 8 available' }]),
  );
  await assert.rejects(amendOrder(deps, 'O3', [{ sku: 'B', qty: 2 }], ctx()), (e: unknown) => e instanceof AmendmentRefusedError && e.reason === 'released');
  await assert.rejects(
    amendOrder(deps, 'O9', [{ sku: 'B', qty: 2 }], ctx()),
    (e: unknown) => e instanceof NotFoundError && e.kind === 'Order' && e.id === 'O9',
  );
  assert.deepEqual([h.orders.order('O1'), h.orders.order('O3')], before);
  assert.deepEqual([steps(h, 'O1'), steps(h, 'O3'), erp.calls], [[], [], []]);
  assert.deepEqual([h.reserved('A', 'L1'), h.reserved('B', 'L1')], [2, 1]);
  // The refused key was not spent: the same key takes another amendment.
  assert.equal((await amendOrder(deps, 'O1', [{ sku: 'A', qty: 3 }], ctx())).replayed, false);
});

test('an order whose channel was removed can give stock back but take none', async () => {
  const { h, deps } = await embedded([
    order(
      'O1',
      [
        { sku: 'A', qty: 2, alloc: [['L1', 2]] },
        { sku: 'B', qty: 1 },
      ],
      { channel: 'gone', erp: committed },
    ),
  ]);
  await assert.rejects(
    amendOrder(
      deps,
      'O1',
      [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 3 },
      ],
      ctx(),
    ),
    (e: unknown) =>
      e instanceof AmendmentRefusedError &&
      e.reason === 'insufficient_stock' &&
      JSON.stringify(e.shortfalls) === JSON.stringify([{ index: 1, sku: 'B', requested: 2, available: 0 }]),
  );
  await amendOrder(deps, 'O1', [{ sku: 'A', qty: 1 }], ctx('k2'));
  assert.equal(h.reserved('A', 'L1'), 1);
});

test('bad lines are refused together, each named, before anything is read or changed', async () => {
  const { h, erp, deps } = await embedded([TWO_LINES()]);
  const lines: AmendedLine[] = [
    { sku: 'A', qty: -1 },
    { sku: 'B', qty: 1.5, unitPrice: -2 },
    { sku: 'A', qty: 1 },
    { sku: 'Z', qty: 1 },
    { sku: 'Y', qty: 0 },
    { sku: 'C', qty: 1, unitPrice: Number.POSITIVE_INFINITY },
    { sku: 'D', qty: Number.NaN, unitPrice: Number.NaN },
    { sku: 'E', qty: 0, unitPrice: 0 },
    { sku: 'Z', qty: 2 },
  ];
  await assert.rejects(amendOrder(deps, 'O1', lines, ctx()), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError);
    assert.equal(e.message, 'The amendment repeats an item, names one the hub does not know, or carries a bad quantity or price.');
    assert.deepEqual(e.issues, [
      { path: '/lines/0/qty', message: 'must be a whole number of at least 0' },
      { path: '/lines/1/qty', message: 'must be a whole number of at least 0' },
      { path: '/lines/1/unitPrice', message: 'must be a number of at least 0' },
      { path: '/lines/2/sku', message: 'A appears on more than one line; put its whole quantity on one line' },
      { path: '/lines/3/sku', message: "item 'Z' is not known to the hub; define it with PUT /v1/items/Z" },
      { path: '/lines/5/unitPrice', message: 'must be a number of at least 0' },
      { path: '/lines/6/qty', message: 'must be a whole number of at least 0' },
      { path: '/lines/6/unitPrice', message: 'must be a number of at least 0' },
      { path: '/lines/8/sku', message: 'Z appears on more than one line; put its whole quantity on one line' },
    ]);
    return true;
  });
  await assert.rejects(amendOrder(deps, 'O9', lines, ctx()), InvalidInputError);
  assert.deepEqual([steps(h), erp.calls], [[], []]);
  // The good ones among them are taken: a price of 0, a quantity of 0 for an item the hub does not know.
  const taken = await amendOrder(
    deps,
    'O1',
    [
      { sku: 'A', qty: 2, unitPrice: 0 },
      { sku: 'Y', qty: 0 },
    ],
    ctx(),
  );
  assert.deepEqual(
    taken.changes.map((c) => [c.sku, c.after.qty, c.after.unitPrice]),
    [
      ['A', 2, 0],
      ['B', 0, undefined],
    ],
  );
});

test('a repeat with the same key answers the order and does nothing again; the key with other lines is refused', async () => {
  const { h, erp, deps } = await embedded([TWO_LINES()]);
  const first = await amendOrder(deps, 'O1', NEW_LINES, ctx());
  const again = await amendOrder(deps, 'O1', NEW_LINES, ctx());
  assert.deepEqual(again, { order: first.order, changes: [], replayed: true });
  assert.deepEqual(erp.calls, ['change O1 Ax3,Cx1 100']);
  assert.equal(steps(h).length, 2);
  assert.equal(h.reserved('A', 'L1'), 3);
  await assert.rejects(
    amendOrder(deps, 'O1', [{ sku: 'A', qty: 3 }], ctx()),
    (e: unknown) => e instanceof IdempotencyKeyReusedError && e.key === 'k1' && e.orderId === 'O1',
  );
  assert.deepEqual(h.orders.order('O1'), first.order);

  // A new key with the lines the order has: taken, nothing moves, nobody is told.
  const same = await amendOrder(deps, 'O1', NEW_LINES, ctx('k2'));
  assert.deepEqual([same.replayed, same.changes], [false, []]);
  assert.deepEqual(steps(h).at(-1), ['amended', 'ops', 'corr-7', 'no change (A × 3, C × 1 @ 4)']);
  assert.deepEqual(erp.calls, ['change O1 Ax3,Cx1 100']);
  assert.deepEqual(
    h.orders.order('O1')!.amendedBy!.map((k) => k.key),
    ['ops\u001fk1', 'ops\u001fk2'],
  );
  assert.equal(h.orders.order('O1')!.erp.change, undefined);
});

test('an order keeps the keys of its last 50 amendments', async () => {
  const { h, deps } = await embedded([TWO_LINES()]);
  const plain = { changes: deps.changes, isKnownSku: known };
  for (let i = 0; i <= 50; i++) await amendOrder(plain, 'O1', [{ sku: 'A', qty: 1 + (i % 2) }], ctx(`k${i}`));
  const kept = h.orders.order('O1')!.amendedBy!;
  assert.deepEqual([kept.length, kept[0]!.key, kept.at(-1)!.key], [50, 'ops\u001fk1', 'ops\u001fk50']);
  await assert.rejects(amendOrder(plain, 'O1', [{ sku: 'A', qty: 5 }], ctx('k1')), IdempotencyKeyReusedError);
  const forgotten = await amendOrder(plain, 'O1', [{ sku: 'A', qty: 5 }], ctx('k0'));
  assert.equal(forgotten.replayed, false);
});

test('the fingerprint is the lines in the order sent, with their prices', () => {
  const fp = (...lines: AmendedLine[]) => amendmentFingerprint(lines);
  const one = fp({ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 });
  assert.equal(fp({ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }), one);
  const others = [
    fp({ sku: 'B', qty: 2 }, { sku: 'A', qty: 1 }),
    fp({ sku: 'A', qty: 1 }, { sku: 'B', qty: 2, unitPrice: 0 }),
    fp({ sku: 'A', qty: 1 }, { sku: 'B', qty: 2, unitPrice: 1.5 }),
    fp({ sku: 'A', qty: 1 }, { sku: 'B', qty: 2, unitPrice: 2 }),
    fp({ sku: 'A', qty: 1 }, { sku: 'B', qty: 3 }),
    fp({ sku: 'A', qty: 1 }, { sku: 'C', qty: 2 }),
    fp({ sku: 'A', qty: 1 }),
  ];
  assert.equal(new Set([one, ...others]).size, 8);
});

test('while the ERP is owed a change, a repeat or an amendment that changes nothing neither calls it nor moves its next attempt', async () => {
  const erp = downErp();
  const { h, deps } = await embedded([TWO_LINES()], erp);
  await amendOrder(deps, 'O1', NEW_LINES, ctx());
  const owed = h.orders.order('O1')!.erp.change;
  assert.deepEqual(owed, { attempts: 1, since: AT0, lastError: 'HTTP 503', nextAttemptAt: T0 + 1000 });
  h.clock.ms = T0 + 500;
  assert.equal((await amendOrder(deps, 'O1', NEW_LINES, ctx())).replayed, true);
  const same = await amendOrder(deps, 'O1', NEW_LINES, ctx('k2'));
  assert.deepEqual([same.replayed, same.changes, same.order.erp.change], [false, [], owed]);
  assert.deepEqual(h.orders.order('O1')!.erp.change, owed);
  assert.deepEqual(erp.calls, ['change O1 refused']);
});

test('an order the ERP has not been sent (held for credit) is amended with nothing owed to the ERP', async () => {
  const { h, erp, deps } = await embedded([order('O1', [{ sku: 'A', qty: 1, alloc: [['L1', 1]] }], { erp: { state: 'held', attempts: 0 } })]);
  const outcome = await amendOrder(deps, 'O1', [{ sku: 'A', qty: 2 }], ctx());
  assert.deepEqual(outcome.order.erp, { state: 'held', attempts: 0 });
  assert.equal(h.reserved('A', 'L1'), 2);
  assert.deepEqual(erp.calls, []);
});
