/** Defines or updates a customer (master data for order capture). */
import type { Customer, CustomerInput } from '../../model/customer.js';
import type { Clock } from '../../ports/clock.js';
import type { CustomerStore } from '../../ports/customer-store.js';

export async function defineCustomer(
  deps: { customers: CustomerStore; clock: Clock },
  id: string,
  input: CustomerInput,
): Promise<{ customer: Customer; created: boolean }> {
  const created = (await deps.customers.customer(id)) === undefined;
  const customer: Customer = {
    id,
    name: input.name,
    active: input.active ?? true,
    creditHold: input.creditHold ?? false,
    ...(input.email !== undefined ? { email: input.email } : {}),
    ...(input.erpCustomerNumber !== undefined ? { erpCustomerNumber: input.erpCustomerNumber } : {}),
    updatedAt: new Date(deps.clock.now()).toISOString(),
  };
  await deps.customers.saveCustomer(customer);
  return { customer, created };
}
