/** Durable customer master data. */
import type { Customer } from '../model/customer.js';

export interface CustomerStore {
  saveCustomer(customer: Customer): void;
  customer(id: string): Customer | undefined;
  /** Customers ordered by id, after `afterId`, at most `limit`. */
  customers(afterId: string, limit: number): Customer[];
}

type Awaitable<T> = T | Promise<T>;

/** Customer master data as the API and the scale-out backend reach it (the embedded store answers at once). */
export interface CustomerRecords {
  saveCustomer(customer: Customer): Awaitable<void>;
  customer(id: string): Awaitable<Customer | undefined>;
  customers(afterId: string, limit: number): Awaitable<Customer[]>;
}
