/**
 * The configured master data, applied at start by every backend the same way: each location,
 * channel and item of the configuration file that is missing or differs is defined through the
 * backend's catalogue; what already matches is left alone (a restart records nothing new).
 * Configured customers are seeds: created when missing, never overwritten.
 */
import { ConfigError, type HubFile } from '../config/hub-config.js';
import type { CrossReferences } from '../app/master-data/cross-references.js';
import type { Issue } from '../domain/errors.js';
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
    if (!current || current.description !== input.description || current.uom !== (input.uom ?? 'EA'))
      await catalog.defineItem(sku, { description: input.description, uom: input.uom ?? 'EA' });
  }
}

/** Creates the configured customers that do not exist yet: changes made later through the API win. */
export async function seedConfiguredCustomers(deps: { customers: CustomerStore; clock: Clock }, file: HubFile): Promise<void> {
  for (const [id, input] of Object.entries(file.customers ?? {})) {
    if (!(await deps.customers.customer(id))) await defineCustomer(deps, id, input);
  }
}

/**
 * The configured cross-references and unit tables, applied at every start (the file says what they
 * are; a reference the API added and the file does not name stays). Throws ConfigError naming the entry.
 */
export async function applyConfiguredReferences(xrefs: CrossReferences, file: HubFile, configFile = 'the configuration'): Promise<void> {
  for (const [sku, input] of Object.entries(file.items ?? {})) {
    if (!input.units && !input.partnerUnits) continue;
    try {
      await xrefs.defineUnits(sku, input.units, input.partnerUnits);
    } catch (err) {
      throw new ConfigError(
        configFile,
        undefined,
        `items.${sku}`,
        (err as { issues?: Issue[] }).issues?.map((i) => `${i.path} ${i.message}`).join('; ') ?? String(err),
      );
    }
  }
  if (!file.xrefs || file.xrefs.length === 0) return;
  const { rejected } = await xrefs.define(file.xrefs);
  if (rejected.length > 0)
    throw new ConfigError(configFile, undefined, `xrefs[${rejected[0]!.index}]`, rejected[0]!.errors.map((e) => `${e.path} ${e.message}`).join('; '));
}
