/**
 * Atomic reservation on PostgreSQL from several api processes at once (each with its own
 * connection pool and its own batches): no item's holds ever exceed what its channel may take,
 * every loser is told the shortfall, and a hot item is locked once per batch, not per order. The
 * holds reach the api processes' read models through the log (a transactional outbox).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { snapshot } from './support/test-hub.js';
import { dropSchema, openPostgres, type PgDatabase } from '../src/adapters/postgres/pg-database.js';
import { PgLedgerStore } from '../src/adapters/postgres/pg-ledger-store.js';
import { LedgerWorker } from '../src/app/log/ledger-worker.js';
import { StockReservations, type ReservationOutcome } from '../src/app/orders/stock-reservations.js';
import type { LogEntry } from '../src/ports/event-log.js';
import { JetStreamEventLog } from '../src/adapters/nats/jetstream-event-log.js';
import { LogRelay } from '../src/app/log/log-relay.js';
import { InventoryReadModel } from '../src/app/log/inventory-read-model.js';

const skip = await skipReason(scaleOut);
const namespace = `t_reserve_${randomBytes(4).toString('hex')}`;
const clock = { now: () => Date.parse('2026-11-22T12:00:00Z') };
let db: PgDatabase;
let store: PgLedgerStore;
let position = 0;
const entry = (kind: 'inventory' | 'catalog', body: object): LogEntry => ({ position: ++position, kind, body: JSON.stringify(body) });

before(async () => {
  if (skip) return;
  db = await openPostgres(DATABASE_URL, namespace);
  store = new PgLedgerStore(db);
  const worker = new LedgerWorker({ store, clock, maxAttempts: 3 });
  await worker.applyAll([
    entry('catalog', { kind: 'location', def: { id: 'DAL', name: 'Dallas', authority: 'wms-dal' } }),
    entry('catalog', { kind: 'location', def: { id: 'ATL', name: 'Atlanta', authority: 'wms-atl' } }),
    entry('catalog', { kind: 'channel', channel: { id: 'web', locations: ['DAL', 'ATL'], safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold' } }),
    // Five hot items holding 100 units in all, split over two locations; one very hot item.
    ...Array.from({ length: 5 }, (_, i) => entry('inventory', snapshot({ source: 'wms-dal', seq: 1 + i, sku: `HOT-${i}`, location: 'DAL', onHand: 12 }))),
    ...Array.from({ length: 5 }, (_, i) => entry('inventory', snapshot({ source: 'wms-atl', seq: 1 + i, sku: `HOT-${i}`, location: 'ATL', onHand: 8 }))),
    entry('inventory', snapshot({ source: 'wms-dal', seq: 100, sku: 'LAST-UNITS', location: 'DAL', onHand: 50 })),
    entry('inventory', snapshot({ source: 'wms-dal', seq: 101, sku: 'PLENTY', location: 'DAL', onHand: 10 })),
  ]);
});
after(async () => {
  if (skip) return;
  await store.close();
  await dropSchema(DATABASE_URL, namespace);
});

/** Three api processes: each its own pool, its own reservation batches. */
async function apiProcesses(n: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const own = new PgLedgerStore(await openPostgres(DATABASE_URL, namespace, 4));
      return { store: own, reservations: new StockReservations({ store: own, clock, position: () => position }) };
    }),
  );
}

test('600 concurrent captures from three api processes on five hot items holding 100 units: exactly 100 reserved', { skip }, async () => {
  const apis = await apiProcesses(3);
  try {
    const outcomes: ReservationOutcome[] = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        apis[i % 3]!.reservations.reserve({
          orderId: `o-${i}`,
          channel: 'web',
          lines: [{ sku: `HOT-${i % 5}`, qty: 1 }],
          backorder: 'reject',
        }),
      ),
    );
    const won = outcomes.filter((o) => o.ok);
    assert.equal(won.length, 100);
    for (const lost of outcomes.filter((o) => !o.ok)) {
      assert.ok(!lost.ok && lost.shortfalls.length === 1 && lost.shortfalls[0]!.available === 0, 'every loser is told the shortfall');
    }
    const held = await db.pool.query<{ sku: string; location: string; units: string }>(
      'SELECT sku, location, units FROM reserved_stock ORDER BY sku, location',
    );
    const bySku = new Map<string, number>();
    for (const r of held.rows) {
      assert.ok(Number(r.units) <= (r.location === 'DAL' ? 12 : 8), `${r.sku}@${r.location} holds no more than it has`);
      bySku.set(r.sku, (bySku.get(r.sku) ?? 0) + Number(r.units));
    }
    assert.deepEqual([...bySku.values()], [20, 20, 20, 20, 20]);
    const holds = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM stock_holds');
    assert.equal(Number(holds.rows[0]!.n), 100);
    // The holds show in the channel's figures and feed.
    for (let i = 0; i < 5; i++) assert.equal(await store.figure('web', `HOT-${i}`), 0);
  } finally {
    await Promise.all(apis.map((a) => a.store.close()));
  }
});

test('the holds reach every read model through the log, once, even when the relay repeats itself', { skip }, async () => {
  const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
  try {
    const relay = new LogRelay({ store, log });
    assert.ok((await relay.flush()) >= 1, 'the holds of the captures were queued with them');
    assert.equal(await relay.flush(), 0, 'and relayed once');
    // A relay that died after appending and before deleting: the same entry appended again.
    const first = await log.read(0, 1);
    await log.append([{ kind: 'holds', key: 'x', dedupeId: `again-${randomBytes(4).toString('hex')}`, body: first[0]!.body }]);
    const model = new InventoryReadModel();
    const following = await log.follow(0, (e) => model.apply(e));
    try {
      assert.ok(await model.waitFor(await log.head(), 10_000));
      for (let i = 0; i < 5; i++) {
        assert.equal(model.ledger.reservedAt(`HOT-${i}`, 'DAL') + model.ledger.reservedAt(`HOT-${i}`, 'ATL'), 20, `HOT-${i} held 20 in the read model`);
      }
    } finally {
      await following.stop();
    }
  } finally {
    await log.destroy();
    await log.close();
  }
});

test('a hot item: 300 orders for its last 50 units, in a few batches rather than 300 lock waits', { skip }, async (t) => {
  const apis = await apiProcesses(3);
  try {
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        apis[i % 3]!.reservations.reserve({
          orderId: `last-${i}`,
          channel: 'web',
          lines: [{ sku: 'LAST-UNITS', qty: 1 }],
          backorder: 'reject',
        }),
      ),
    );
    assert.equal(outcomes.filter((o) => o.ok).length, 50);
    const batches = apis.reduce((n, a) => n + a.reservations.batches, 0);
    t.diagnostic(`${batches} reservation transactions for 300 orders`);
    assert.ok(batches <= 12, `${batches} transactions for 300 orders`);
    // A multi-line order is all or nothing.
    const mixed = await apis[0]!.reservations.reserve({
      orderId: 'mixed',
      channel: 'web',
      lines: [
        { sku: 'PLENTY', qty: 2 },
        { sku: 'LAST-UNITS', qty: 1 },
      ],
      backorder: 'reject',
    });
    assert.deepEqual(mixed.ok ? [] : mixed.shortfalls.map((s) => [s.sku, s.available]), [['LAST-UNITS', 0]]);
    const none = await db.pool.query('SELECT 1 FROM stock_holds WHERE order_id = $1', ['mixed']);
    assert.equal(none.rowCount, 0);
    assert.equal(await store.figure('web', 'PLENTY'), 10);
    // With backorders allowed it takes what there is and owes the rest.
    const partial = await apis[1]!.reservations.reserve({
      orderId: 'partial',
      channel: 'web',
      lines: [
        { sku: 'PLENTY', qty: 2 },
        { sku: 'LAST-UNITS', qty: 1 },
      ],
      backorder: 'allow',
    });
    assert.deepEqual(partial.ok ? partial.allocations : [], [[['DAL', 2]], []]);
    assert.equal(await store.figure('web', 'PLENTY'), 8);
    // Released (cancelled, or refused by the ERP): the units are free again, once.
    assert.equal(await apis[1]!.reservations.release('partial'), 2);
    assert.equal(await apis[1]!.reservations.release('partial'), 0);
    assert.equal(await store.figure('web', 'PLENTY'), 10);
    const again = await apis[2]!.reservations.reserve({ orderId: 'after-release', channel: 'web', lines: [{ sku: 'PLENTY', qty: 10 }], backorder: 'reject' });
    assert.equal(again.ok, true);
  } finally {
    await Promise.all(apis.map((a) => a.store.close()));
  }
});
