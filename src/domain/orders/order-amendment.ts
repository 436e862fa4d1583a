/**
 * Amending a captured order in place: the customer's new complete line list replaces the order's
 * lines, and the stock the order holds follows. Pure: the caller passes how new units would be
 * sourced (the channel's locations and free stock).
 *
 * The cut is the release to the warehouse: until then nothing has been picked, so quantities,
 * items and prices may change freely; once released the warehouse works from the quantities it
 * was sent, and the amendment is refused (a line that shipped is named, since it can never go
 * below what shipped). Increases are sourced under the order's backorder policy: `reject` takes
 * every increase or refuses the amendment whole; `allow` reserves what is free and owes the rest.
 * Decreases give back reserved units first, then backordered ones, so the stock is free at once
 * for the orders owed it.
 */
import { CrossdockError, type Issue } from '../errors.js';
import { cloneOrder, lineFigures, type OrderLine, type OrderState } from './order-state.js';
import type { Shortfall, SourcingResult } from './source-order.js';

/** One line of the order as the customer now wants it; qty 0 removes the line. */
export interface AmendedLine {
  sku: string;
  qty: number;
  /** The new price; absent keeps the line's current price. */
  unitPrice?: number | undefined;
}

/** How one item of the order moved. */
export interface LineChange {
  sku: string;
  before: { qty: number; reserved: number; backordered: number; unitPrice?: number | undefined };
  after: { qty: number; reserved: number; backordered: number; unitPrice?: number | undefined };
}

export type AmendmentRefusal = 'cancelled' | 'erp_failed' | 'shipped' | 'released' | 'insufficient_stock' | 'no_lines';

/** Why an order cannot take an amendment; `issues` name the lines (of the amendment) at fault. */
export class AmendmentRefusedError extends CrossdockError {
  readonly code = 'amendment_refused';
  constructor(
    readonly orderId: string,
    readonly reason: AmendmentRefusal,
    detail: string,
    readonly issues: Issue[] = [],
    readonly shortfalls: Shortfall[] = [],
  ) {
    super(`Order ${orderId} cannot be amended (${reason}): ${detail}; nothing was changed.`);
  }
}

/** Sources `lines` (only the units to add) under `backorder`, from stock not held by anyone. */
export type SourceUnits = (lines: readonly { sku: string; qty: number }[], backorder: 'reject' | 'allow') => SourcingResult;

export interface AmendmentDecision {
  next: OrderState;
  changes: LineChange[];
}

const figuresOf = (order: OrderState, line: OrderLine | undefined) => {
  if (!line) return { qty: 0, reserved: 0, backordered: 0 };
  const f = lineFigures(order, line);
  return { qty: line.qty, reserved: f.reserved, backordered: f.backordered, ...(line.unitPrice !== undefined ? { unitPrice: line.unitPrice } : {}) };
};

/**
 * Decides an amendment. `wanted` is the order's new complete line list (items absent or at qty 0
 * are removed), one line per item (the caller has checked). Throws AmendmentRefusedError and
 * changes nothing; otherwise the next state (with the ERP marked as owed the change when it has,
 * or may have, the order) and what moved per item. An amendment that changes nothing returns
 * the order as it is and no changes.
 */
export function decideAmendment(order: OrderState, wanted: readonly AmendedLine[], source: SourceUnits): AmendmentDecision {
  const refuse = (reason: AmendmentRefusal, detail: string, issues: Issue[] = [], shortfalls: Shortfall[] = []) =>
    new AmendmentRefusedError(order.id, reason, detail, issues, shortfalls);
  if (order.cancelled) throw refuse('cancelled', 'the order is cancelled');
  if (order.erp.state === 'failed') throw refuse('erp_failed', 'the order was never taken (the ERP failed it)');
  const qtyOf = new Map(wanted.map((l) => [l.sku, l.qty]));
  // A line that shipped can never go below what shipped: named before the release is, as it says more.
  const below: Issue[] = [];
  order.lines.forEach((line) => {
    const shipped = lineFigures(order, line).shipped;
    const qty = qtyOf.get(line.sku) ?? 0;
    if (qty < shipped) {
      const i = wanted.findIndex((l) => l.sku === line.sku);
      below.push({
        path: i < 0 ? '/lines' : `/lines/${i}/qty`,
        message: `${line.sku}: ${shipped} already shipped; the line cannot go to ${qty}`,
      });
    }
  });
  if (below.length > 0) throw refuse('shipped', below.map((b) => b.message).join('; '), below);
  if (order.released) throw refuse('released', 'the order was released to the warehouse; amend it there or cancel it');
  if (!wanted.some((l) => l.qty > 0))
    throw refuse('no_lines', 'the amendment leaves no line; cancel the order instead', [{ path: '/lines', message: 'no line with a quantity above 0' }]);

  // Units to add per item (increases and new items), sourced together so `reject` is all or nothing.
  const adds: { index: number; sku: string; qty: number }[] = [];
  wanted.forEach((w, index) => {
    const current = order.lines.find((l) => l.sku === w.sku);
    const more = w.qty - (current?.qty ?? 0);
    if (more > 0) adds.push({ index, sku: w.sku, qty: more });
  });
  let allocations: [string, number][][] = [];
  if (adds.length > 0) {
    const sourced = source(
      adds.map((a) => ({ sku: a.sku, qty: a.qty })),
      order.backorder,
    );
    if (!sourced.ok) {
      const shortfalls = sourced.shortfalls.map((s) => ({ ...s, index: adds[s.index]!.index }));
      throw refuse(
        'insufficient_stock',
        `not enough stock for ${shortfalls.map((s) => `${s.sku} (${s.requested} more wanted, ${s.available} available)`).join(', ')} and the order does not take backorders`,
        shortfalls.map((s) => ({ path: `/lines/${s.index}/qty`, message: `${s.requested} more of ${s.sku} wanted, ${s.available} available` })),
        shortfalls,
      );
    }
    allocations = sourced.allocations;
  }

  const next = cloneOrder(order);
  const lines: OrderLine[] = [];
  for (const w of wanted) {
    if (w.qty === 0) continue;
    const current = next.lines.find((l) => l.sku === w.sku);
    const added = allocations[adds.findIndex((a) => a.sku === w.sku)] ?? [];
    const line: OrderLine = current ?? { sku: w.sku, qty: 0, alloc: [], departed: {}, returned: 0 };
    if (w.qty < line.qty) line.alloc = cutFromEnd(line.alloc, Math.max(0, lineFigures(order, line).reserved - (line.qty - w.qty)));
    else line.alloc = [...line.alloc, ...added.filter(([, q]) => q > 0)];
    line.qty = w.qty;
    if (w.unitPrice !== undefined) line.unitPrice = w.unitPrice;
    lines.push(line);
  }
  next.lines = lines;

  const changes: LineChange[] = [];
  for (const sku of new Set([...order.lines.map((l) => l.sku), ...lines.map((l) => l.sku)])) {
    const before = figuresOf(
      order,
      order.lines.find((l) => l.sku === sku),
    );
    const after = figuresOf(
      next,
      lines.find((l) => l.sku === sku),
    );
    if (before.qty !== after.qty || before.unitPrice !== after.unitPrice) changes.push({ sku, before, after });
  }
  if (changes.length === 0) return { next: order, changes };
  // The ERP has the order (or an attempt in flight may give it the old lines): it is owed the change.
  if (order.erp.state === 'committed' || order.erp.state === 'pending') next.erp.change = { attempts: 0 };
  return { next, changes };
}

/** The allocations kept when a line keeps `keep` reserved units: the last allocations give way first. */
function cutFromEnd(alloc: readonly [string, number][], keep: number): [string, number][] {
  const out: [string, number][] = [];
  let left = keep;
  for (const [loc, q] of alloc) {
    if (left === 0) break;
    const take = Math.min(q, left);
    if (take > 0) out.push([loc, take]);
    left -= take;
  }
  return out;
}

/** The line list as a short text for a timeline entry: "A × 2 @ 3.5, B × 1". */
export function describeLines(lines: readonly { sku: string; qty: number; unitPrice?: number | undefined }[]): string {
  return lines.length === 0 ? '(none)' : lines.map((l) => `${l.sku} × ${l.qty}${l.unitPrice !== undefined ? ` @ ${l.unitPrice}` : ''}`).join(', ');
}
