/**
 * `replay --verify` on the scale-out backend, against an in-memory log and the shared state a real
 * worker wrote: it agrees when the state is what the log says, names what differs when it is not,
 * includes holds and published figures, and refuses to compare while the workers are behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LedgerNotSettledError, verifyLedgerState } from './verify-ledger-state.js';
import { LedgerWorker } from './ledger-worker.js';
import { MemoryLedgerStore } from './ledger-store.test-support.js';
import { MemoryEventLog, fixedClock, movement, orderEvent } from './log.test-support.js';

const web = { id: 'web', locations: ['DAL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' };

/** A log and the shared state a worker built from it. */
async function applied() {
  const log = new MemoryEventLog();
  const store = new MemoryLedgerStore();
  const clock = fixedClock();
  const worker = new LedgerWorker({ store, clock, maxAttempts: 1 });
  log.put('catalog', { kind: 'location', def: { id: 'DAL', name: 'D', authority: 'wms' } });
  log.put('catalog', { kind: 'channel', channel: web });
  log.put('inventory', movement('wms', 1, 'A', 'DAL', { onHand: 10 }));
  log.put('inventory', movement('wms', 2, 'B', 'DAL', { onHand: 3 }));
  log.put('order', orderEvent('shop', 1, 'O1', { type: 'order.delivered' }));
  log.put('inventory', movement('wms', 3, 'C', 'HOU', { onHand: 1 }));
  // ELP feeds no channel: its stock is found by location, not by a published figure.
  log.put('catalog', { kind: 'location', def: { id: 'ELP', name: 'E', authority: 'wms' } });
  log.put('inventory', movement('wms', 4, 'D', 'ELP', { onHand: 6 }));
  log.put('inventory', movement('wms', 5, 'E', 'ELP', { onHand: 2 }));
  await worker.applyAll(log.entries);
  // The holds entry the worker queued for the order event, relayed to the log.
  for (const q of store.s.outbox) log.put('holds', { ...q.body, outboxId: q.id });
  store.s.outbox = [];
  let through = log.entries.length;
  const deps = {
    log,
    store,
    clock,
    appliedThrough: async () => through,
    queuedForLog: async () => store.s.outbox.length,
    settleMs: 1000,
  };
  return {
    log,
    store,
    worker,
    deps,
    behind: (n: number) => {
      through = n;
    },
  };
}

test('the shared state the workers wrote agrees with the log replayed', async () => {
  const { deps, log } = await applied();
  const report = await verifyLedgerState(deps);
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.events, 6, 'events only, parked included; catalogue and holds entries are not events');
  assert.equal(report.positions, 4);
  assert.ok(report.figures >= 2);
  assert.equal(log.followerCount, 0, 'the following stopped');
});

test('a position or a hold the shared state got wrong is named', async () => {
  const { deps, store } = await applied();
  const key = Object.keys(store.s.positions).find((k) => k.includes('\u001fB\u001f'))!;
  const other = await applied();
  // B's position from a state where 2 more units arrived.
  await new LedgerWorker({ store: other.store, clock: fixedClock(), maxAttempts: 1 }).applyAll([
    { position: 99, kind: 'inventory', body: JSON.stringify(movement('wms', 9, 'B', 'DAL', { onHand: 2 })) },
  ]);
  store.s.positions[key] = other.store.s.positions[key]!;
  store.s.holds['O9\u001fA\u001fDAL'] = 4;
  const report = await verifyLedgerState(deps);
  assert.ok(
    report.mismatches.some((m) => m.startsWith('B at DAL from wms: onHand is 5, replay gives 3')),
    report.mismatches.join('\n'),
  );
  assert.ok(report.mismatches.includes('A at DAL: 4 units held for orders, replay gives 0'), report.mismatches.join('\n'));
});

test('a published figure the workers got wrong is named', async () => {
  const { deps, store } = await applied();
  store.s.figures.web!.A = 9;
  const report = await verifyLedgerState(deps);
  assert.ok(
    report.mismatches.some((m) => m.includes('web') && m.includes('A')),
    report.mismatches.join('\n'),
  );
});

test('with the workers behind, or holds still to relay, nothing is compared and it says how far behind', async () => {
  const { deps, behind, log, store } = await applied();
  behind(3);
  await assert.rejects(verifyLedgerState({ ...deps, settleMs: 1 }), (err: unknown) => {
    assert.ok(err instanceof LedgerNotSettledError);
    assert.equal(err.name, 'LedgerNotSettledError');
    assert.deepEqual([err.head, err.applied, err.queued], [log.entries.length, 3, 0]);
    assert.equal(
      err.message,
      `the workers have applied the log through 3 of ${log.entries.length} (0 holds entries still to append); run again once they catch up`,
    );
    return true;
  });
  assert.equal(log.followerCount, 0);
  behind(log.entries.length);
  store.s.outbox.push({ id: 9, kind: 'holds', key: 'A', body: { holds: [] } });
  await assert.rejects(verifyLedgerState({ ...deps, settleMs: 1 }), (err: unknown) => err instanceof LedgerNotSettledError && err.queued === 1);
});

test('a read model that does not catch up in time is not compared either', async () => {
  const { deps, log } = await applied();
  log.holdFollowers = true;
  await assert.rejects(verifyLedgerState({ ...deps, settleMs: 1 }), LedgerNotSettledError);
});

test('a position at a location no channel draws on is compared too', async () => {
  const { deps, store } = await applied();
  const key = Object.keys(store.s.positions).find((k) => k.includes('\u001fD\u001f'))!;
  delete store.s.positions[key];
  const report = await verifyLedgerState(deps);
  assert.ok(
    report.mismatches.some((m) => m.startsWith('D at ELP from wms')),
    report.mismatches.join('\n'),
  );
});

test('traffic arriving while it checks: it waits for a still moment and compares that', async () => {
  const { deps, log, worker, behind } = await applied();
  let asked = 0;
  const late = { position: 0, kind: 'inventory' as const, body: JSON.stringify(movement('wms', 6, 'A', 'DAL', { onHand: 1 })) };
  const report = await verifyLedgerState({
    ...deps,
    appliedThrough: async () => {
      asked++;
      if (asked === 1) {
        // Appended after the check read the head; the workers have not applied it yet.
        late.position = log.put('inventory', late.body);
        return late.position - 1;
      }
      if (asked === 2) await worker.applyAll([late]);
      behind(late.position);
      return late.position;
    },
  });
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.events, 7);
  assert.ok(asked >= 2);
});

/** The store as the check sees it, with `before` run ahead of each of its reads of the shared state. */
function readsOf(store: MemoryLedgerStore, before: () => void): MemoryLedgerStore {
  const seen = Object.create(store) as MemoryLedgerStore;
  seen.eventBatch = (fn) => {
    before();
    return store.eventBatch(fn);
  };
  return seen;
}

test('traffic arriving while the shared state is read: that read is not compared; the next still moment is', async () => {
  const { deps, log, store, worker, behind } = await applied();
  const body = JSON.stringify(movement('wms', 6, 'A', 'DAL', { onHand: 1 }));
  let late: { position: number; kind: 'inventory'; body: string } | undefined;
  let lateApplied = false;
  const report = await verifyLedgerState({
    ...deps,
    // Appended while the state is read; the workers apply it only when next asked how far they are.
    store: readsOf(store, () => {
      late ??= { position: log.put('inventory', body), kind: 'inventory', body };
    }),
    appliedThrough: async () => {
      if (late && !lateApplied) {
        lateApplied = true;
        await worker.applyAll([late]);
        behind(late.position);
      }
      return deps.appliedThrough();
    },
  });
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.events, 7);
  assert.ok(lateApplied);
});

test('the shared state is read only at a still moment: not when the log moved while the workers were asked', async () => {
  const { deps, log, store, worker } = await applied();
  let reads = 0;
  let asked = 0;
  const late = { position: 0, kind: 'inventory' as const, body: JSON.stringify(movement('wms', 6, 'A', 'DAL', { onHand: 1 })) };
  const report = await verifyLedgerState({
    ...deps,
    store: readsOf(store, () => {
      reads++;
    }),
    appliedThrough: async () => {
      asked++;
      if (asked === 1) {
        // Appended after the check read the head, and applied at once: only the head shows it moved.
        late.position = log.put('inventory', late.body);
        await worker.applyAll([late]);
        return late.position - 1;
      }
      return late.position;
    },
  });
  assert.deepEqual(report.mismatches, []);
  assert.equal(reads, 1, 'one read of the shared state, at the still moment');
});
