/**
 * The item list as the master-data routes page it: every item the hub knows (defined, or named by
 * an inventory event only), in SKU order, with its base unit and unit conversions. Read from the
 * live inventory view, which both backends keep, and the unit tables in one read per page.
 */
import type { ItemRecord } from '../../ports/inventory-store.js';
import type { ItemPage } from '../../model/catalog.js';
import type { CrossReferences } from './cross-references.js';

export interface ItemListDeps {
  items: ReadonlyMap<string, ItemRecord | null>;
  xrefs: Pick<CrossReferences, 'unitsOfMany'>;
}

export interface ItemListQuery {
  /** Only SKUs starting with this (case as given: SKUs are compared exactly). */
  prefix?: string;
  /** The SKU after which the page starts (the previous page's `next`). */
  after?: string;
  limit: number;
}

export async function listItems(deps: ItemListDeps, q: ItemListQuery): Promise<ItemPage> {
  const prefix = q.prefix ?? '';
  const matching: string[] = [];
  for (const sku of deps.items.keys()) if (sku.startsWith(prefix) && (q.after === undefined || sku > q.after)) matching.push(sku);
  // Plain code-unit order, the same as the comparison with `after`, so pages never overlap.
  matching.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const page = matching.slice(0, q.limit);
  const units = await deps.xrefs.unitsOfMany(page);
  const items = page.map((sku) => {
    const item = deps.items.get(sku);
    return item
      ? { sku, description: item.description, uom: item.uom, defined: true, ...(units.get(sku) ?? {}) }
      : { sku, defined: false, ...(units.get(sku) ?? {}) };
  });
  return { items, next: matching.length > q.limit ? page[page.length - 1]! : null };
}
