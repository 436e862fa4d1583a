/**
 * Durable customer master data, for order capture and the customer routes. The embedded store
 * answers at once; the scale-out store answers from PostgreSQL.
 */
import type { Customer } from '../model/customer.js';

type Awaitable<T> = T | Promise<T>;

export interface CustomerStore {
  saveCustomer(customer: Customer): Awaitable<void>;
  customer(id: string): Awaitable<Customer | undefined>;
  /** Customers ordered by id, after `afterId`, at most `limit`. */
  customers(afterId: string, limit: number): Awaitable<Customer[]>;
}
