/** Durable customer master data. */
import type { Customer } from '../model/customer.js';

export interface CustomerStore {
  saveCustomer(customer: Customer): void;
  customer(id: string): Customer | undefined;
  /** Customers ordered by id, after `afterId`, at most `limit`. */
  customers(afterId: string, limit: number): Customer[];
}
