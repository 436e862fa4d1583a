/**
 * An order line as the partner that sent it numbered, named and packed it (its 850 PO1 line), and
 * how the hub's base-unit figures of that line are written back in the partner's terms on the
 * documents that answer the order (856 ship notice, 810 invoice). Pure: no I/O.
 */
import { fromBaseUnits } from '../master-data/units-of-measure.js';

/** One partner line of a hub order: the hub's SKU it was captured as, and the partner's own terms. */
export interface PartnerOrderLine {
  sku: string;
  /** The partner's line number (PO101). */
  lineId: string;
  /** The unit the partner ordered in (PO103) and how many base units one of it holds. */
  unit: string;
  factor: number;
  /** The item's base unit code, written when a figure is not a whole number of the partner's unit. */
  base: string;
  /** The qualifier and product id pairs the partner sent on the line, in its order (PO106/07, PO108/09, ...). */
  products: [string, string][];
}

/** A base-unit figure as written to the partner: the quantity, its unit code, and base units per that unit. */
export interface PartnerQuantity {
  quantity: number;
  unit: string;
  /** Base units in one `unit` (the partner's factor, or 1 when written in base units). */
  per: number;
}

/**
 * `units` base units in the partner's unit when they are a whole number of it (24 EA of a CA of
 * 12 → 2 CA); otherwise in base units under the base unit code (30 EA stay 30 EA). A figure is
 * never rounded to the partner's unit: 2.5 CA is not a quantity a partner can receive or book.
 */
export function inPartnerUnit(units: number, line: Pick<PartnerOrderLine, 'unit' | 'factor' | 'base'>): PartnerQuantity {
  const whole = fromBaseUnits(units, line.factor);
  return whole !== undefined ? { quantity: whole, unit: line.unit, per: line.factor } : { quantity: units, unit: line.base, per: 1 };
}

/**
 * A base-unit price per `per` base units (the unit a quantity was written in), without the float
 * noise of the multiplication (0.7708333… × 12 is 9.25, not 9.249999…): kept to 6 decimals, more
 * than any partner's price field carries.
 */
export function pricePer(unitPrice: number, per: number): number {
  // Per base unit the price is as given (nothing was multiplied).
  return per === 1 ? unitPrice : Math.round(unitPrice * per * 1_000_000) / 1_000_000;
}
