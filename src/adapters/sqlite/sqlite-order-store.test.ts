/**
 * Finding orders on the embedded store: the order behind a tracking number (by the index written
 * with every saved order, and, for a database from before that index, by the migration that fills
 * it from the orders already stored), and the listing columns and indexes a migration adds to a
 * database from before listings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, migrationText, openDatabase } from './open-database.js';

/** The version a database had before the migration containing `marker` (later ones re-run on opening). */
const versionBefore = (marker: string) => MIGRATIONS.findIndex((m) => migrationText(m).includes(marker));
import { SqliteOrderStore } from './sqlite-order-store.js';
import type { OrderState } from '../../domain/orders/order-state.js';

function order(id: string, tracking: unknown[], extra: Partial<OrderState> = {}): OrderState {
  return {
    id,
    channel: 'web',
    externalId: id,
    customer: 'C-1',
    createdAt: '2026-12-02T10:00:00Z',
    updatedAt: '2026-12-02T10:00:00Z',
    ...extra,
    shipments: tracking.map((t, i) => ({ id: `${id}-s${i}`, tracking: t, location: 'DAL', lines: [] })),
  } as unknown as OrderState;
}

test('an order is found by the tracking number of any of its shipments, in either form', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-tracking-'));
  const db = openDatabase(dir);
  try {
    const store = new SqliteOrderStore(db);
    store.saveOrder(order('ord_1', ['1Z999']), 'shipped', true);
    store.saveOrder(order('ord_2', [{ number: '9400111', carrier: 'usps' }, { carrier: 'fedex' }]), 'shipped', true);
    assert.equal(store.orderByTracking('1Z999'), 'ord_1');
    assert.equal(store.orderByTracking('9400111'), 'ord_2');
    assert.equal(store.orderByTracking('1Z99'), undefined, 'a prefix is not a match');
    store.saveOrder(order('ord_3', ['1Z999']), 'shipped', true);
    assert.equal(store.orderByTracking('1Z999'), 'ord_3', 'a reused number names the order that shipped under it last');
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database from before the tracking index gets it filled from its stored orders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-tracking-'));
  try {
    const old = openDatabase(dir);
    const store = new SqliteOrderStore(old);
    store.saveOrder(order('ord_a', ['TRK-A', { number: 'TRK-B' }]), 'shipped', true);
    store.saveOrder(order('ord_b', [{ carrier: 'ups' }, 'TRK-A']), 'shipped', true);
    store.saveOrder(order('ord_c', []), 'accepted', true);
    // As the database stood before the index existed (and the listing columns and API keys that came after it).
    withoutListingColumns(old);
    old.exec('DROP TABLE order_tracking');
    old.pragma(`user_version = ${versionBefore('CREATE TABLE order_tracking')}`);
    old.close();

    const upgraded = openDatabase(dir);
    try {
      const again = new SqliteOrderStore(upgraded);
      assert.equal(again.orderByTracking('TRK-B'), 'ord_a');
      assert.equal(again.orderByTracking('TRK-A'), 'ord_b', 'the later order keeps a number both used');
      assert.equal(upgraded.prepare('SELECT count(*) FROM order_tracking').pluck().get(), 2);
    } finally {
      upgraded.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Takes a database back to before the listing migration. */
function withoutListingColumns(db: ReturnType<typeof openDatabase>): void {
  db.exec(`DROP INDEX orders_by_age; DROP INDEX orders_by_channel; DROP INDEX orders_by_customer; DROP INDEX orders_by_status;
    ALTER TABLE orders DROP COLUMN customer; ALTER TABLE orders DROP COLUMN created_at;`);
}

test('a database from before listings gets the columns filled from its stored orders, and lists through an index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-listing-'));
  try {
    const old = openDatabase(dir);
    withoutListingColumns(old);
    old.pragma(`user_version = ${versionBefore('orders_by_age')}`);
    // Saved as the store wrote orders then (no customer or created_at column).
    const insert = old.prepare('INSERT INTO orders (id, channel, external_id, status, open, updated_at, state) VALUES (?, ?, ?, ?, 1, ?, ?)');
    const saved = [
      order('ord_1', [], { customer: 'C-1', createdAt: '2026-12-02T10:00:00Z' }),
      order('ord_2', [], { customer: 'C-2', createdAt: '2026-12-02T11:00:00+02:00' }),
      order('ord_3', [], { customer: 'C-1', createdAt: '2026-12-02T10:00:00.500Z' }),
    ];
    for (const o of saved) insert.run(o.id, o.channel, o.externalId, 'accepted', o.updatedAt, JSON.stringify(o));
    old.close();

    const upgraded = openDatabase(dir);
    try {
      const store = new SqliteOrderStore(upgraded);
      assert.deepEqual(
        store.listOrders({ limit: 10 }).map((o) => o.id),
        ['ord_3', 'ord_1', 'ord_2'],
        'newest first, offsets read as instants',
      );
      assert.deepEqual(
        store.listOrders({ customer: 'C-1', limit: 10 }).map((o) => o.id),
        ['ord_3', 'ord_1'],
      );
      assert.deepEqual(
        store.listOrders({ since: '2026-12-02T10:00:00.100Z', limit: 10 }).map((o) => o.id),
        ['ord_3'],
      );
      assert.deepEqual(
        store.listOrders({ before: { createdAt: '2026-12-02T10:00:00.500Z', id: 'ord_3' }, limit: 10 }).map((o) => o.id),
        ['ord_1', 'ord_2'],
      );
      const plan = (where: string) =>
        (upgraded.prepare(`EXPLAIN QUERY PLAN SELECT state FROM orders ${where} ORDER BY created_at DESC, id DESC LIMIT 5`).all() as { detail: string }[])
          .map((r) => r.detail)
          .join('; ');
      assert.match(plan(''), /USING INDEX orders_by_age/);
      assert.match(plan("WHERE customer = 'C-1'"), /USING INDEX orders_by_customer/);
      assert.match(plan("WHERE channel = 'web' AND (created_at, id) < ('2026-12-02T10:00:00.500Z', 'ord_3')"), /USING INDEX orders_by_channel/);
      assert.match(plan("WHERE status = 'accepted'"), /USING INDEX orders_by_status/);
      assert.doesNotMatch(plan("WHERE status = 'accepted'"), /TEMP B-TREE/, 'no sort: the index gives the order');
    } finally {
      upgraded.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
