/**
 * Finding the order behind a tracking number on the embedded store: by the index written with
 * every saved order, and, for a database from before that index, by the migration that fills it
 * from the orders already stored (the later order keeps a number two orders used).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './open-database.js';
import { SqliteOrderStore } from './sqlite-order-store.js';
import type { OrderState } from '../../domain/orders/order-state.js';

function order(id: string, tracking: unknown[]): OrderState {
  return {
    id, channel: 'web', externalId: id, customer: 'C-1', createdAt: '2026-12-02T10:00:00Z', updatedAt: '2026-12-02T10:00:00Z',
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
    const version = old.pragma('user_version', { simple: true }) as number;
    const store = new SqliteOrderStore(old);
    store.saveOrder(order('ord_a', ['TRK-A', { number: 'TRK-B' }]), 'shipped', true);
    store.saveOrder(order('ord_b', [{ carrier: 'ups' }, 'TRK-A']), 'shipped', true);
    store.saveOrder(order('ord_c', []), 'accepted', true);
    // As the database stood before the index existed.
    old.exec('DROP TABLE order_tracking');
    old.pragma(`user_version = ${version - 1}`);
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
