/**
 * The partner's own lines of the orders it sent by EDI (850 PO1: line number, unit and its size,
 * the qualifier and id pairs it named the item by), kept per hub order so the 856 and 810 answering
 * the order speak its terms. The first lines kept for an order stay (a purchase order sent again
 * is the same order); an 860 only adds the lines of items the order has none for. Kept as long as orders are (orders are never
 * deleted, so neither are these).
 */
import type { PartnerOrderLine } from '../domain/orders/partner-order-lines.js';

export interface PartnerOrderLines {
  /** Keeps `system`'s lines of order `orderId`, unless lines are kept for it already (then nothing changes). */
  keep(orderId: string, system: string, lines: readonly PartnerOrderLine[]): Promise<void>;
  /**
   * Adds the lines of items the order has none kept for (an 860 that adds an item, or replaces the
   * lines), after those kept; a line of an item already kept changes nothing. An order of another
   * system is left alone.
   */
  addMissing(orderId: string, system: string, lines: readonly PartnerOrderLine[]): Promise<void>;
  /** Per order of `orderIds` that came from `system` with lines, its lines in the partner's order (orders without are absent). */
  of(system: string, orderIds: readonly string[]): Promise<Map<string, PartnerOrderLine[]>>;
}
