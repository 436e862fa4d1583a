/**
 * X12 850 (purchase order) → the hub's order capture request, and the documents that answer it:
 * the 997 functional acknowledgment (the envelope and syntax were received) and the 855
 * purchase order acknowledgment (what the hub accepted, backordered or could not take).
 */
import type { Issue } from '../../domain/errors.js';
import type { OrderRequest } from '../../model/order.js';
import type { Transaction } from './x12-interchange.js';

export interface PartnerMapping {
  /** Both absent for a partner that sends no purchase orders (a 3PL). */
  channel?: string;
  customer?: string;
  /** PO1 product id qualifier that carries the hub's SKU: VN (vendor's item number) by default. */
  itemQualifier: string;
  backorder: 'reject' | 'allow';
}

export interface PurchaseOrder {
  poNumber: string;
  request: OrderRequest;
  lineIds: string[];
  prices: (string | undefined)[];
}

export function purchaseOrderFrom850(tx: Transaction, m: PartnerMapping): { ok: true; po: PurchaseOrder } | { ok: false; errors: Issue[] } {
  const errors: Issue[] = [];
  if (!m.channel || !m.customer)
    return { ok: false, errors: [{ path: 'ST01', message: 'this partner is not set up to send purchase orders (no channel and customer configured)' }] };
  const beg = tx.segments.find((s) => s[0] === 'BEG');
  const poNumber = beg?.[3]?.trim();
  if (!poNumber) errors.push({ path: 'BEG03', message: 'the purchase order number is missing' });
  const lines: { sku: string; qty: number; unitPrice?: number }[] = [];
  const lineIds: string[] = [],
    prices: (string | undefined)[] = [];
  tx.segments.forEach((s, i) => {
    if (s[0] !== 'PO1') return;
    const where = `PO1 (segment ${i + 2})`;
    const qty = Number(s[2]);
    if (!Number.isInteger(qty) || qty <= 0) {
      errors.push({ path: `${where}/PO102`, message: `quantity '${s[2] ?? ''}' is not a positive whole number` });
      return;
    }
    if ((s[3] ?? 'EA') !== 'EA') {
      errors.push({ path: `${where}/PO103`, message: `unit '${s[3]}' is not taken yet (EA only until unit conversions arrive with master data)` });
      return;
    }
    let sku: string | undefined;
    for (let k = 6; k + 1 < s.length; k += 2)
      if (s[k] === m.itemQualifier && s[k + 1]) {
        sku = s[k + 1];
        break;
      }
    if (!sku) {
      errors.push({ path: `${where}/PO106`, message: `no product id qualified ${m.itemQualifier}` });
      return;
    }
    const same = lines.find((l) => l.sku === sku);
    const price = s[4] !== undefined && /^\d+(\.\d+)?$/.test(s[4]) ? Number(s[4]) : undefined;
    if (same) same.qty += qty;
    else {
      lines.push({ sku, qty, ...(price !== undefined ? { unitPrice: price } : {}) });
      lineIds.push(s[1] ?? String(lines.length));
      prices.push(s[4]);
    }
  });
  if (lines.length === 0 && errors.length === 0) errors.push({ path: 'PO1', message: 'the purchase order has no lines' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    po: { poNumber: poNumber!, lineIds, prices, request: { channel: m.channel, externalId: poNumber!, customer: m.customer, lines, backorder: m.backorder } },
  };
}

/** 997 segments (between ST and SE) acknowledging one received group, transaction by transaction. */
export function acknowledgment997(gs: string[], results: { set: string; control: string; accepted: boolean; errors?: Issue[] }[]): string[][] {
  const out: string[][] = [['AK1', gs[1] ?? '', gs[6] ?? '']];
  for (const r of results) {
    out.push(['AK2', r.set, r.control]);
    // AK5 R with code 5: one or more segments in error (the parked reason names them).
    out.push(r.accepted ? ['AK5', 'A'] : ['AK5', 'R', '5']);
  }
  const accepted = results.filter((r) => r.accepted).length;
  out.push(['AK9', accepted === results.length ? 'A' : accepted === 0 ? 'R' : 'P', String(results.length), String(results.length), String(accepted)]);
  return out;
}

export interface AckLine {
  lineId: string;
  sku: string;
  ordered: number;
  reserved: number;
  backordered: number;
  price?: string | undefined;
}

/**
 * 855 segments for a captured order (BAK02 AD: accepted as sent; AC: accepted with changes, i.e.
 * backorders), or a rejection of the whole order (RJ) with each line rejected.
 */
export function acknowledgment855(poNumber: string, date: Date, lines: AckLine[], rejected: boolean): string[][] {
  const ccyymmdd = date.toISOString().slice(0, 10).replace(/-/g, '');
  const changed = lines.some((l) => l.backordered > 0);
  const out: string[][] = [['BAK', '00', rejected ? 'RJ' : changed ? 'AC' : 'AD', poNumber, ccyymmdd]];
  for (const l of lines) {
    out.push(['PO1', l.lineId, String(l.ordered), 'EA', l.price ?? '', '', 'VN', l.sku]);
    if (rejected) {
      out.push(['ACK', 'IR', String(l.ordered), 'EA']);
      continue;
    }
    if (l.reserved > 0) out.push(['ACK', 'IA', String(l.reserved), 'EA']);
    if (l.backordered > 0) out.push(['ACK', 'IB', String(l.backordered), 'EA']);
  }
  out.push(['CTT', String(lines.length)]);
  return out;
}
