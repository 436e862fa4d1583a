/**
 * Amends a captured order in place (docs/REFERENCE.md "Amending an order"): the new complete line
 * list replaces the order's lines, the stock it holds follows in the same atomic change (the path
 * captures and cancellations take), a timeline entry keeps the lines before and after, and the
 * ERP, when it has the order, is told; should it be down, the change stays owed on the order and
 * the ERP sweep sends it. A refused amendment changes nothing. Written once for both backends.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError, NotFoundError, type Issue } from '../../domain/errors.js';
import { sourceForChannel } from '../../domain/orders/channel-sourcing.js';
import { decideAmendment, describeLines, type AmendedLine, type LineChange } from '../../domain/orders/order-amendment.js';
import { IdempotencyKeyReusedError } from '../../domain/orders/order-errors.js';
import { owesErpChange, type OrderState } from '../../domain/orders/order-state.js';
import type { OrderChanges } from '../../ports/order-changes.js';
import { fillBackorders } from './fill-backorders.js';
import { clientKey } from './order-request.js';

/** Amendment keys kept per order: enough for any client's retries, bounded however often it is amended. */
const KEYS_KEPT = 50;

export interface AmendContext {
  /** Who amends: an API key's name, or the channel connector (e.g. `x12:PARTNER`). */
  principal: string;
  correlationId: string;
  /** The Idempotency-Key as scoped to its sender (scopedKey), so a repeat answers the order. */
  idempotencyKey: string;
}

export interface AmendDeps {
  changes: OrderChanges;
  isKnownSku: (sku: string) => boolean;
  /** Tells the ERP (first attempt; the sweep retries). Absent: the sweep sends it. */
  erp?: { leaseMs: number; sendChange(order: OrderState, correlationId?: string): Promise<OrderState> };
}

export interface AmendOutcome {
  order: OrderState;
  changes: LineChange[];
  /** The Idempotency-Key was already used for this amendment: nothing was done again. */
  replayed: boolean;
}

/** The same amendment, the same fingerprint: the lines in the order sent. */
export function amendmentFingerprint(lines: readonly AmendedLine[]): string {
  let text = '';
  for (const l of lines) text += `\u0000${l.sku}\u0001${l.qty}\u0001${l.unitPrice ?? ''}`;
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Throws InvalidInputError (an unknown or repeated item, naming the line), NotFoundError,
 * IdempotencyKeyReusedError (the key amended this order with other lines), AmendmentRefusedError
 * (nothing changed), StorageFailedError.
 */
export async function amendOrder(deps: AmendDeps, orderId: string, lines: readonly AmendedLine[], ctx: AmendContext): Promise<AmendOutcome> {
  checkLines(lines, deps.isKnownSku);
  const fingerprint = amendmentFingerprint(lines);
  const outcome = await deps.changes.change({ orders: [orderId], items: lines.filter((l) => l.qty > 0).map((l) => l.sku) }, (work): AmendOutcome => {
    const current = work.order(orderId);
    if (!current) throw new NotFoundError('Order', orderId);
    const seen = current.amendedBy?.find((k) => k.key === ctx.idempotencyKey);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(clientKey(ctx.idempotencyKey), orderId);
      return { order: current, changes: [], replayed: true };
    }
    const channel = work.book.channels.get(current.channel);
    const decided = decideAmendment(current, lines, (wanted, backorder) =>
      channel
        ? sourceForChannel(work.book, channel, wanted, backorder)
        : // A channel since removed has no stock to give: nothing more can be reserved.
          { ok: false, shortfalls: wanted.map((w, index) => ({ index, sku: w.sku, requested: w.qty, available: 0 })) },
    );
    const next = decided.next === current ? { ...current } : decided.next;
    next.amendedBy = [...(current.amendedBy ?? []), { key: ctx.idempotencyKey, fingerprint, at: work.nowIso }].slice(-KEYS_KEPT);
    // The ERP call that follows owns the change for a lease; the sweep takes it only if that call never records.
    if (decided.changes.length > 0 && next.erp.change) {
      // Owed since the first amendment the ERP has not taken (a later one replaces its lines, not its age).
      next.erp.change.since = current.erp.change?.since ?? work.nowIso;
      if (deps.erp) next.erp.change.nextAttemptAt = work.nowMs + deps.erp.leaseMs;
    }
    const before = describeLines(current.lines);
    const after = describeLines(next.lines);
    work.record(next, [
      {
        step: 'amended',
        source: ctx.principal,
        correlationId: ctx.correlationId,
        detail: decided.changes.length === 0 ? `no change (${before})` : `before: ${before}; after: ${after}`,
      },
    ]);
    return { order: next, changes: decided.changes, replayed: false };
  });
  if (outcome.replayed || outcome.changes.length === 0) return outcome;
  let order = outcome.order;
  // The ERP's answer is recorded on the order; a failure leaves the change owed for the sweep.
  if (deps.erp && owesErpChange(order)) order = await deps.erp.sendChange(order, ctx.correlationId).catch(() => order);
  // Units given back may be what a backordered order is waiting for; a failure here leaves it to the sweep.
  const freed = outcome.changes.filter((c) => c.after.reserved < c.before.reserved).map((c) => c.sku);
  if (freed.length > 0) await fillBackorders(deps.changes, freed).catch(() => 0);
  return { ...outcome, order };
}

function checkLines(lines: readonly AmendedLine[], isKnownSku: (sku: string) => boolean): void {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.qty) || l.qty < 0) issues.push({ path: `/lines/${i}/qty`, message: 'must be a whole number of at least 0' });
    if (l.unitPrice !== undefined && !(Number.isFinite(l.unitPrice) && l.unitPrice >= 0))
      issues.push({ path: `/lines/${i}/unitPrice`, message: 'must be a number of at least 0' });
    if (seen.has(l.sku)) issues.push({ path: `/lines/${i}/sku`, message: `${l.sku} appears on more than one line; put its whole quantity on one line` });
    else if (l.qty > 0 && !isKnownSku(l.sku))
      issues.push({ path: `/lines/${i}/sku`, message: `item '${l.sku}' is not known to the hub; define it with PUT /v1/items/${l.sku}` });
    seen.add(l.sku);
  });
  if (issues.length > 0)
    throw new InvalidInputError(issues, 'The amendment repeats an item, names one the hub does not know, or carries a bad quantity or price.');
}
