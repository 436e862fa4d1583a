/** The embedded CustomerStore: one row per customer in the hub's SQLite database. */
import type { Customer } from '../../model/customer.js';
import type { CustomerStore } from '../../ports/customer-store.js';
import type { Db } from './open-database.js';

export class SqliteCustomerStore implements CustomerStore {
  constructor(private readonly db: Db) {}

  saveCustomer(customer: Customer): void {
    this.db.prepare('INSERT OR REPLACE INTO customers (id, record) VALUES (?, ?)').run(customer.id, JSON.stringify(customer));
  }

  customer(id: string): Customer | undefined {
    const row = this.db.prepare('SELECT record FROM customers WHERE id = ?').get(id) as { record: string } | undefined;
    return row ? JSON.parse(row.record) as Customer : undefined;
  }

  customers(afterId: string, limit: number): Customer[] {
    return (this.db.prepare('SELECT record FROM customers WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as { record: string }[])
      .map((r) => JSON.parse(r.record) as Customer);
  }
}
