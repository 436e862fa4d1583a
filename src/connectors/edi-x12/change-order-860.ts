/**
 * X12 860 (purchase order change request, buyer initiated): which PO it changes and how. BCH01
 * 01 cancels the whole order; 04 (change) and 05 (replace) carry POC lines, each with its change
 * code (AI add item, CA change, DI delete item, PC price, QD/QI quantity decrease/increase, RZ
 * replace). The lines are translated like an 850's (the partner's product ids through its
 * qualifiers and cross-references, its units through the item's packing) into the order's new
 * complete line list, which the hub amends the order to.
 */
import type { Issue } from '../../domain/errors.js';
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import { toBaseUnits, unitFactor } from '../../domain/master-data/units-of-measure.js';
import type { AmendedLine } from '../../domain/orders/order-amendment.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';
import { identifyItems, pricePerBaseUnit, type PartnerMapping } from './partner-items.js';
import type { PartnerOrderLine } from '../../domain/orders/partner-order-lines.js';
import type { Transaction } from './x12-interchange.js';

export interface ChangeLine {
  lineId: string;
  change: string;
  /** POC03: the quantity ordered once changed, in `unit`. */
  quantity: string;
  unit: string;
  /** POC06: the unit price in `unit`. */
  price: string | undefined;
  products: [string, string][];
  /** Where the line is, for errors: "POC (segment 5)". */
  where: string;
}

export interface ChangeOrder {
  poNumber: string;
  /** BCH01: 01 cancellation, 04 change, 05 replace. */
  purpose: string;
  lines: ChangeLine[];
}

/** Reads an 860; its mandatory elements are checked before (x12-mandatory.ts). */
export function readChangeOrder860(tx: Transaction): ChangeOrder {
  const bch = tx.segments.find((s) => s[0] === 'BCH')!;
  const lines: ChangeLine[] = [];
  tx.segments.forEach((s, i) => {
    if (s[0] !== 'POC') return;
    const products: [string, string][] = [];
    for (let k = 8; k + 1 < s.length; k += 2) if (s[k] && s[k + 1]) products.push([s[k]!, s[k + 1]!.trim()]);
    lines.push({
      lineId: s[1] ?? '',
      change: s[2] ?? '',
      quantity: s[3] ?? '',
      unit: s[5] || 'EA',
      price: s[6] || undefined,
      products,
      where: `POC (segment ${i + 2})`,
    });
  });
  return { poNumber: (bch[3] ?? '').trim(), purpose: bch[1] ?? '', lines };
}

export const CHANGE_PURPOSES: Record<string, string> = { '01': 'cancellation', '04': 'change', '05': 'replace' };

/** The POC02 change codes the hub applies to a captured order. */
export const CHANGE_CODES: Record<string, string> = {
  AI: 'add item',
  CA: 'change',
  DI: 'delete item',
  PC: 'price change',
  QD: 'quantity decrease',
  QI: 'quantity increase',
  RZ: 'replace',
};

/**
 * `partnerLines`: each line the document sets a quantity for, as the partner wrote it (POC01 line
 * number, unit, ids), so the 856 and 810 can echo a line it added.
 */
export type TranslatedChange =
  | { ok: true; lines: AmendedLine[]; partnerLines: PartnerOrderLine[] }
  | { ok: false; errors: Issue[]; unknownReferences: XrefKey[] };

/**
 * The order's new complete line list: 04 applies each POC line's change to `current` in the order
 * written; 05 makes the POC lines the order's lines. Unmapped ids come back as unknown references
 * (the document then waits whole for them); a code the hub does not apply, a unit the item does
 * not have, a quantity that is not a whole number of base units, or a QI/QD that does not increase
 * or decrease the line is an error naming the line.
 */
export async function translateChange(
  change: ChangeOrder,
  current: readonly AmendedLine[],
  m: PartnerMapping,
  system: string,
  references: ReferenceLookup,
): Promise<TranslatedChange> {
  const errors: Issue[] = [];
  const unknown: XrefKey[] = [];
  const applied = change.lines.filter((line) => {
    if (CHANGE_CODES[line.change]) return true;
    errors.push({
      path: `${line.where}/POC02`,
      message: `change code '${line.change}' is not one the hub applies (${Object.keys(CHANGE_CODES).join(', ')})`,
    });
    return false;
  });
  const identified = await identifyItems(applied, m, system, references, { qualifier: 'POC08', id: 'POC09' });
  const { items } = identified;
  errors.push(...identified.errors);
  unknown.push(...identified.unknown);
  if (unknown.length > 0 || errors.length > 0) return { ok: false, errors, unknownReferences: unknown };

  const packing = await references.packing(system, [...new Set(items.map((i) => i.sku))]);
  const lines = new Map<string, AmendedLine>(change.purpose === '05' ? [] : current.map((l) => [l.sku, { ...l }]));
  const partnerLines: PartnerOrderLine[] = [];
  for (const { line, sku } of items) {
    const pack = packing.get(sku);
    const factor = unitFactor(line.unit, pack?.base ?? 'EA', pack?.partner, pack?.item);
    if (factor === undefined) {
      errors.push({ path: `${line.where}/POC05`, message: `item ${sku} has no unit ${line.unit} (give it with PUT /v1/items/${sku} units)` });
      continue;
    }
    const price = pricePerBaseUnit(line.price, factor);
    const now = lines.get(sku);
    if (line.change === 'DI') {
      if (!now) errors.push({ path: `${line.where}/POC02`, message: `DI deletes ${sku}, which is not on the order` });
      lines.delete(sku);
      continue;
    }
    if (line.change === 'PC') {
      if (!now) errors.push({ path: `${line.where}/POC02`, message: `PC changes the price of ${sku}, which is not on the order` });
      else if (price === undefined) errors.push({ path: `${line.where}/POC06`, message: 'a price change needs the new unit price' });
      else now.unitPrice = price;
      continue;
    }
    const converted = toBaseUnits(line.quantity, line.unit, factor);
    if (!converted.ok) {
      errors.push({ path: `${line.where}/POC03`, message: converted.message });
      continue;
    }
    const qty = converted.units;
    const was = now?.qty ?? 0;
    if (line.change === 'QI' && qty <= was)
      errors.push({
        path: `${line.where}/POC03`,
        message: `QI to ${qty} of ${sku} does not increase the line (now ${was}); POC03 is the quantity ordered once changed`,
      });
    else if (line.change === 'QD' && qty >= was)
      errors.push({
        path: `${line.where}/POC03`,
        message: `QD to ${qty} of ${sku} does not decrease the line (now ${was}); POC03 is the quantity ordered once changed`,
      });
    else if ((line.change === 'QI' || line.change === 'QD' || line.change === 'CA') && !now && change.purpose !== '05')
      errors.push({ path: `${line.where}/POC02`, message: `${line.change} changes ${sku}, which is not on the order (add it with AI)` });
    else {
      lines.set(sku, { sku, qty, ...(price !== undefined ? { unitPrice: price } : now?.unitPrice !== undefined ? { unitPrice: now.unitPrice } : {}) });
      partnerLines.push({ sku, lineId: line.lineId.trim(), unit: line.unit, factor, base: pack?.base ?? 'EA', products: line.products });
    }
  }
  if (errors.length > 0) return { ok: false, errors, unknownReferences: [] };
  return { ok: true, lines: [...lines.values()], partnerLines };
}
