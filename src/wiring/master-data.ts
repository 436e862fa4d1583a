/**
 * The configured master data, applied at start by every backend the same way: each location,
 * channel and item of the configuration file that is missing or differs is defined through the
 * backend's catalogue; what already matches is left alone (a restart records nothing new).
 * Configured customers are seeds: created when missing, never overwritten.
 */
import type { HubFile } from '../config/hub-config.js';
import { channelFromInput } from '../app/inventory/define-catalog.js';
import type { Catalog, InventoryView } from '../app/inventory/inventory-view.js';
import { defineCustomer } from '../app/customers/define-customer.js';
import type { Clock } from '../ports/clock.js';
import type { CustomerStore } from '../ports/customer-store.js';

export async function applyConfiguredMasterData(catalog: Catalog, view: InventoryView, file: HubFile): Promise<void> {
  for (const [id, input] of Object.entries(file.locations ?? {})) {
    const current = view.book.locations.get(id);
    if (!current || current.name !== input.name || current.authority !== input.authority) await catalog.defineLocation(id, input);
  }
  for (const [id, input] of Object.entries(file.channels ?? {})) {
    const current = view.book.channels.get(id);
    if (!current || JSON.stringify(current) !== JSON.stringify(channelFromInput(id, input))) await catalog.defineChannel(id, input);
  }
  for (const [sku, input] of Object.entries(file.items ?? {})) {
    const current = view.items.get(sku);
    if (!current || current.description !== input.description || current.uom !== (input.uom ?? 'EA')) await catalog.defineItem(sku, input);
  }
}

/** Creates the configured customers that do not exist yet: changes made later through the API win. */
export async function seedConfiguredCustomers(deps: { customers: CustomerStore; clock: Clock }, file: HubFile): Promise<void> {
  for (const [id, input] of Object.entries(file.customers ?? {})) {
    if (!(await deps.customers.customer(id))) await defineCustomer(deps, id, input);
  }
}
