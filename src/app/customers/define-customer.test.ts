/** Defining a customer over the embedded customer store (SQLite in memory): what is saved, with which defaults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../adapters/sqlite/open-database.js';
import { SqliteCustomerStore } from '../../adapters/sqlite/sqlite-customer-store.js';
import type { CustomerInput } from '../../model/customer.js';
import { defineCustomer } from './define-customer.js';

const T0 = Date.parse('2026-12-06T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function memoryStore(): SqliteCustomerStore {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return new SqliteCustomerStore(db);
}

test('defining a customer saves it with defaults and says whether it was new', async () => {
  const customers = memoryStore();
  const deps = { customers, clock: { now: () => T0 } };
  const first = await defineCustomer(deps, 'C1', { name: 'Acme' } as CustomerInput);
  assert.deepEqual(first, { created: true, customer: { id: 'C1', name: 'Acme', active: true, creditHold: false, updatedAt: iso(T0) } });
  assert.deepEqual(customers.customer('C1'), first.customer);
  const second = await defineCustomer(deps, 'C1', { name: 'Acme Inc', active: false, creditHold: true, email: 'ap@acme.example', erpCustomerNumber: 'E-9' });
  assert.deepEqual(second, {
    created: false,
    customer: { id: 'C1', name: 'Acme Inc', active: false, creditHold: true, email: 'ap@acme.example', erpCustomerNumber: 'E-9', updatedAt: iso(T0) },
  });
  assert.deepEqual(customers.customer('C1'), second.customer);
});
