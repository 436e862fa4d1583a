/**
 * X12 860 (purchase order change request, buyer initiated): which PO it changes and how. BCH01
 * 01 cancels the whole order; 04 (change) and 05 (replace) carry POC lines, each with its change
 * code (AI add item, CA change, DI delete item, PC price, QD/QI quantity decrease/increase).
 */
import type { Transaction } from './x12-interchange.js';

export interface ChangeOrder {
  poNumber: string;
  /** BCH01: 01 cancellation, 04 change, 05 replace. */
  purpose: string;
  lines: { lineId: string; change: string; quantity: string; unit: string; products: [string, string][] }[];
}

/** Reads an 860; its mandatory elements are checked before (x12-mandatory.ts). */
export function readChangeOrder860(tx: Transaction): ChangeOrder {
  const bch = tx.segments.find((s) => s[0] === 'BCH')!;
  const lines = tx.segments
    .filter((s) => s[0] === 'POC')
    .map((s) => {
      const products: [string, string][] = [];
      for (let k = 8; k + 1 < s.length; k += 2) if (s[k] && s[k + 1]) products.push([s[k]!, s[k + 1]!.trim()]);
      return { lineId: s[1] ?? '', change: s[2] ?? '', quantity: s[3] ?? '', unit: s[5] ?? '', products };
    });
  return { poNumber: (bch[3] ?? '').trim(), purpose: bch[1] ?? '', lines };
}

export const CHANGE_PURPOSES: Record<string, string> = { '01': 'cancellation', '04': 'change', '05': 'replace' };
