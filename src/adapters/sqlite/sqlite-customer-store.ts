/** The embedded CustomerStore: one row per customer in the hub's SQLite database. */
import type { Customer } from '../../model/customer.js';
import type { CustomerStore } from '../../ports/customer-store.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database.js';

export class SqliteCustomerStore implements CustomerStore {
  // Every order capture reads its customer: prepared once, and kept parsed once read.
  private readonly selectCustomer: Statement;
  private readonly cache = new Map<string, Customer>();

  constructor(private readonly db: Db) {
    this.selectCustomer = db.prepare('SELECT record FROM customers WHERE id = ?').pluck(true);
  }

  saveCustomer(customer: Customer): void {
    this.db.prepare('INSERT OR REPLACE INTO customers (id, record) VALUES (?, ?)').run(customer.id, JSON.stringify(customer));
    // Dropped rather than set: if the surrounding transaction rolls back, the next read goes to the table.
    this.cache.delete(customer.id);
  }

  customer(id: string): Customer | undefined {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const record = this.selectCustomer.get(id) as string | undefined;
    if (record === undefined) return undefined;
    const customer = JSON.parse(record) as Customer;
    if (this.cache.size >= 100_000) this.cache.clear();
    this.cache.set(id, customer);
    return customer;
  }

  customers(afterId: string, limit: number): Customer[] {
    return (this.db.prepare('SELECT record FROM customers WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as { record: string }[]).map(
      (r) => JSON.parse(r.record) as Customer,
    );
  }
}
