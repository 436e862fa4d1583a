/**
 * X12 850 (purchase order) → the hub's order capture request, and the documents that answer it:
 * the 997 functional acknowledgment (the envelope and syntax were received) and the 855
 * purchase order acknowledgment (what the hub accepted, backordered or could not take).
 */
import type { Issue } from '../../domain/errors.js';
import type { OrderRequest } from '../../model/order.js';
import type { Transaction } from './x12-interchange.js';
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import { fromBaseUnits, toBaseUnits, unitFactor } from '../../domain/master-data/units-of-measure.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';
import { identifyItems, pricePerBaseUnit, type PartnerMapping } from './partner-items.js';

export type { PartnerMapping } from './partner-items.js';

/** One PO1 line as the partner wrote it. */
export interface PartnerLine {
  /** PO101, or the line's position when the partner left it empty. */
  lineId: string;
  quantity: string;
  unit: string;
  price: string | undefined;
  /** Product ids by qualifier (PO106/07, PO108/09, ...), in the order written. */
  products: [string, string][];
  /** Where the line is, for errors: "PO1 (segment 7)". */
  where: string;
}

/** An 850 read, before any id or unit is translated. */
export interface PurchaseOrderText {
  poNumber: string;
  /** BEG05, the purchase order's date (CCYYMMDD), which the 855 echoes in BAK04. */
  poDate?: string;
  /** The ship-to party (N1*ST): its id (N104) and the qualifier of that id (N103). */
  shipTo?: { name: string; qualifier: string; id: string };
  lines: PartnerLine[];
}

/** A purchase order in the hub's terms, with the partner's own line as each line was sent (for the 855). */
export interface PurchaseOrder {
  poNumber: string;
  poDate?: string;
  request: OrderRequest;
  /** Per request line, the first partner line that named its item, and the unit size it came in. */
  partnerLines: { line: PartnerLine; qualifier: string; productId: string; factor: number; base: string }[];
  /** The customer's ship-to address the store number maps to. */
  shipTo?: string;
  /** The ship-to party as the partner named it (echoed on the 855). */
  shipToParty?: { name: string; qualifier: string; id: string };
}

/** Reads an 850's PO number, ship-to and lines; ids and units are left as the partner wrote them. */
export function readPurchaseOrder850(tx: Transaction): { ok: true; po: PurchaseOrderText } | { ok: false; errors: Issue[] } {
  const errors: Issue[] = [];
  const beg = tx.segments.find((s) => s[0] === 'BEG');
  const poNumber = beg?.[3]?.trim();
  if (!poNumber) errors.push({ path: 'BEG03', message: 'the purchase order number is missing' });
  const st = tx.segments.find((s) => s[0] === 'N1' && s[1] === 'ST');
  const lines: PartnerLine[] = [];
  tx.segments.forEach((s, i) => {
    if (s[0] !== 'PO1') return;
    const where = `PO1 (segment ${i + 2})`;
    const products: [string, string][] = [];
    for (let k = 6; k + 1 < s.length; k += 2) if (s[k] && s[k + 1]) products.push([s[k]!, s[k + 1]!.trim()]);
    lines.push({ lineId: s[1]?.trim() || String(lines.length + 1), quantity: s[2] ?? '', unit: s[3] || 'EA', price: s[4], products, where });
  });
  if (lines.length === 0 && errors.length === 0) errors.push({ path: 'PO1', message: 'the purchase order has no lines' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    po: {
      poNumber: poNumber!,
      ...(beg?.[5]?.trim() ? { poDate: beg[5].trim() } : {}),
      lines,
      ...(st?.[4]?.trim() ? { shipTo: { name: st[2] ?? '', qualifier: st[3] ?? '', id: st[4].trim() } } : {}),
    },
  };
}

export type Translated = { ok: true; po: PurchaseOrder } | { ok: false; errors: Issue[]; unknownReferences: XrefKey[] };

/**
 * The hub's order for a purchase order: each line's item through `itemQualifier` (as is) or the
 * cross-references (the partner's qualifiers in order), its quantity in base units, the customer
 * from the ship-to store number or the configuration. What is not mapped is reported as unknown
 * references (the document is then parked whole); a quantity that is not a whole number of base
 * units, or a unit the item does not have, is an error naming the line.
 */
export async function translatePurchaseOrder(text: PurchaseOrderText, m: PartnerMapping, system: string, references: ReferenceLookup): Promise<Translated> {
  const errors: Issue[] = [];
  const unknown: XrefKey[] = [];
  if (!m.channel)
    return {
      ok: false,
      errors: [{ path: 'ST01', message: 'this partner is not set up to send purchase orders (no channel configured)' }],
      unknownReferences: [],
    };
  // The ship-to store number is looked up in the same round trip as the items.
  const shipToKey: XrefKey | undefined = text.shipTo ? { kind: 'customer', system, scheme: 'ST', external: text.shipTo.id } : undefined;
  const identified = await identifyItems(text.lines, m, system, references, { qualifier: 'PO106', id: 'PO107' }, shipToKey ? [shipToKey] : []);
  const { items } = identified;
  const shipTo = identified.also[0];
  const customer = shipTo?.id ?? m.customer;
  if (!customer) {
    if (shipToKey) unknown.push(shipToKey);
    else errors.push({ path: 'N1*ST/N104', message: 'no ship-to store number to find the customer by, and the partner names no customer' });
  }
  errors.push(...identified.errors);
  unknown.push(...identified.unknown);
  const packing = await references.packing(system, [...new Set(items.map((i) => i.sku))]);
  const lines: OrderRequest['lines'] = [];
  const partnerLines: PurchaseOrder['partnerLines'] = [];
  for (const { line, sku, qualifier, productId } of items) {
    const pack = packing.get(sku);
    const factor = unitFactor(line.unit, pack?.base ?? 'EA', pack?.partner, pack?.item);
    if (factor === undefined) {
      errors.push({ path: `${line.where}/PO103`, message: `item ${sku} has no unit ${line.unit} (give it with PUT /v1/items/${sku} units)` });
      continue;
    }
    const converted = toBaseUnits(line.quantity, line.unit, factor);
    if (!converted.ok || converted.units <= 0) {
      errors.push({ path: `${line.where}/PO102`, message: converted.ok ? `quantity '${line.quantity}' is not positive` : converted.message });
      continue;
    }
    const price = pricePerBaseUnit(line.price, factor);
    const same = lines.findIndex((l) => l.sku === sku);
    if (same >= 0) lines[same]!.qty += converted.units;
    else {
      lines.push({ sku, qty: converted.units, ...(price !== undefined ? { unitPrice: price } : {}) });
      partnerLines.push({ line, qualifier, productId, factor, base: pack?.base ?? 'EA' });
    }
  }
  if (errors.length > 0 || unknown.length > 0) return { ok: false, errors, unknownReferences: unknown };
  return {
    ok: true,
    po: {
      poNumber: text.poNumber,
      ...(text.poDate ? { poDate: text.poDate } : {}),
      partnerLines,
      ...(shipTo?.shipTo ? { shipTo: shipTo.shipTo } : {}),
      ...(text.shipTo ? { shipToParty: text.shipTo } : {}),
      request: { channel: m.channel, externalId: text.poNumber, customer: customer!, lines, backorder: m.backorder },
    },
  };
}

export interface AckLine {
  /** The partner's line as sent: its number, unit, price and the product id it named the item by. */
  line: PartnerLine;
  qualifier: string;
  productId: string;
  /** Base units per the partner's unit. */
  factor: number;
  /** The item's base unit code (a figure not whole in the partner's unit is said in it; EA when absent). */
  base?: string;
  reserved: number;
  backordered: number;
  /** When the backordered units are expected (ACK04 068, ACK05), when the hub knows. */
  expected?: string;
}

/** A quantity of base units in the partner's unit when it is a whole number of them, else in base units. */
function inPartnerUnit(units: number, l: AckLine): [string, string] {
  const whole = fromBaseUnits(units, l.factor);
  return whole !== undefined ? [String(whole), l.line.unit] : [String(units), l.base ?? 'EA'];
}

/**
 * 855 segments for a captured order (BAK02 AD: accepted as sent; AC: accepted with changes, i.e.
 * backorders), or a rejection of the whole order (RJ) with each line rejected. BAK04 is the
 * purchase order's date (BEG05), BAK09 the date acknowledged. Each PO1 echoes the partner's line
 * number, quantity, unit, price and product id; each line then says its status in ACK segments
 * (IA accepted, IB backordered, with the expected date when one is known, IR rejected) with
 * quantities in the partner's unit.
 */
export function acknowledgment855(
  po: { poNumber: string; poDate?: string; shipToParty?: { name: string; qualifier: string; id: string } },
  date: Date,
  lines: AckLine[],
  rejected: boolean,
): string[][] {
  const ccyymmdd = date.toISOString().slice(0, 10).replace(/-/g, '');
  const changed = lines.some((l) => l.backordered > 0);
  const out: string[][] = [['BAK', '00', rejected ? 'RJ' : changed ? 'AC' : 'AD', po.poNumber, po.poDate ?? ccyymmdd, '', '', '', ccyymmdd]];
  // The partner matches the acknowledgment to its store by the ship-to it sent.
  if (po.shipToParty) out.push(['N1', 'ST', po.shipToParty.name, po.shipToParty.qualifier, po.shipToParty.id]);
  for (const l of lines) {
    out.push(['PO1', l.line.lineId, l.line.quantity, l.line.unit, l.line.price ?? '', '', l.qualifier, l.productId]);
    if (rejected) {
      out.push(['ACK', 'IR', l.line.quantity, l.line.unit]);
      continue;
    }
    if (l.reserved > 0) out.push(['ACK', 'IA', ...inPartnerUnit(l.reserved, l)]);
    if (l.backordered > 0)
      out.push(['ACK', 'IB', ...inPartnerUnit(l.backordered, l), ...(l.expected ? ['068', l.expected.replace(/-/g, '').slice(0, 8)] : [])]);
  }
  out.push(['CTT', String(lines.length)]);
  return out;
}
