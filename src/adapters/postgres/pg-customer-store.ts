/** Customer master data on the scale-out backend: one row per customer, the record as JSON. */
import type { Customer } from '../../model/customer.js';
import type { CustomerStore } from '../../ports/customer-store.js';
import type { PgDatabase } from './pg-database.js';

export class PgCustomerStore implements CustomerStore {
  constructor(private readonly db: PgDatabase) {}

  async saveCustomer(customer: Customer): Promise<void> {
    await this.db.pool.query('INSERT INTO customers (id, record) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record', [
      customer.id,
      JSON.stringify(customer),
    ]);
  }

  async customer(id: string): Promise<Customer | undefined> {
    const { rows } = await this.db.pool.query<{ record: Customer }>('SELECT record FROM customers WHERE id = $1', [id]);
    return rows[0]?.record;
  }

  /** Several customers in one round trip (concurrent captures), in the order asked. */
  async customersById(ids: readonly string[]): Promise<(Customer | undefined)[]> {
    const { rows } = await this.db.pool.query<{ id: string; record: Customer }>('SELECT id, record FROM customers WHERE id = ANY($1::text[])', [ids]);
    const byId = new Map(rows.map((r) => [r.id, r.record]));
    return ids.map((id) => byId.get(id));
  }

  async customers(afterId: string, limit: number): Promise<Customer[]> {
    const { rows } = await this.db.pool.query<{ record: Customer }>('SELECT record FROM customers WHERE id > $1 ORDER BY id LIMIT $2', [afterId, limit]);
    return rows.map((r) => r.record);
  }
}
