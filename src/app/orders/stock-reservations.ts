/**
 * Atomic stock reservation on the shared state, for api processes capturing orders. Requests that
 * arrive while a reservation transaction runs wait and go together into the next one: one
 * transaction locks the items they touch (in sku order, like the workers), loads what the domain
 * needs, sources each request in arrival order with the same rule as the embedded hub (fewest
 * splits, all or nothing unless backorders are allowed), and records the holds and the figure
 * changes they cause. A hot item is locked once per batch rather than once per order, and no
 * item's holds ever exceed what its channel may take, whatever the number of api processes.
 */
import type { Shortfall } from '../../domain/orders/source-order.js';
import { sourceForChannel } from '../../domain/orders/channel-sourcing.js';
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { TimelineRecord } from '../../ports/order-store.js';
import type { Clock } from '../../ports/clock.js';
import type { LedgerTransaction, LedgerStore } from '../../ports/ledger-store.js';
import { loadItems } from '../log/load-items.js';
import { byChannel } from '../log/figure-appends.js';
import { savedOrder } from './saved-order.js';
import type { HoldsEntry } from '../log/log-entries.js';
import { Batched } from '../batched.js';
import { UnstorableSubmissionError } from '../../domain/errors.js';

export interface ReservationRequest {
  orderId: string;
  channel: string;
  lines: readonly { sku: string; qty: number }[];
  backorder: 'reject' | 'allow';
  /** The order to record with its holds, in the same transaction (order capture). */
  order?: OrderDraft;
  /**
   * The log position the reservation must see applied (what the caller validated against): the
   * batch waits for the workers to finish it, so stock just received counts and a channel just
   * defined exists.
   */
  after?: number;
}

/** A new order waiting for its stock: recorded only if its reference is free and it is sourced. */
export interface OrderDraft {
  externalId: string;
  /** The idempotency key (as stored) the order answers. */
  key: string;
  /** The order, given what was reserved for each line, with its first timeline entries. */
  make(allocations: [string, number][][]): { order: OrderState; timeline: TimelineRecord[]; erpLeaseMs?: number };
}

export type ReservationOutcome =
  | { ok: true; allocations: [string, number][][] }
  | { ok: false; shortfalls: Shortfall[]; reason?: string; duplicateOf?: string };

/** Holds committed to the shared state, for the process that took them to show at once. */
export type HeldLocally = (outboxId: number, holds: HoldsEntry['holds']) => void;

/**
 * Releases everything some orders hold, inside a transaction that has locked the orders: the
 * holds go to zero, the figures move and the read models hear of it through the log.
 */
export async function releaseHolds(
  tx: LedgerTransaction,
  orderIds: readonly string[],
  nowMs: number,
  position: number,
): Promise<{ units: number; queued?: { outboxId: number; holds: HoldsEntry['holds'] } }> {
  const held = await tx.holdsOf(orderIds);
  if (held.length === 0) return { units: 0 };
  const skus = [...new Set(held.map((h) => h.sku))];
  await tx.lockItems(skus);
  const { ledger, book } = await loadItems(tx, skus);
  const undo = held.map((h) => ({ orderId: h.orderId, sku: h.sku, location: h.location, units: -h.units }));
  for (const u of undo) ledger.reserve(u.sku, u.location, u.units);
  const moved: FigureChange[] = [];
  for (const sku of skus) book.refreshItem(sku, [...new Set(held.filter((h) => h.sku === sku).map((h) => h.location))], nowMs, moved);
  await tx.addHolds(undo);
  const outboxId = await tx.queueForLog('holds', skus[0]!, { holds: undo });
  await tx.appendChanges(byChannel(moved, position, new Date(nowMs).toISOString()));
  return { units: held.reduce((n, h) => n + h.units, 0), queued: { outboxId, holds: undo } };
}

export class StockReservations {
  private readonly batcher = new Batched<ReservationRequest, ReservationOutcome>(
    async (requests) => {
      const needed = requests.reduce((n, r) => Math.max(n, r.after ?? 0), 0);
      if (needed > 0) await this.deps.applied?.(needed);
      const { outcomes, queued } = await this.commit(requests);
      this.afterCommit(queued);
      return outcomes;
    },
    1,
    (cause) => new UnstorableSubmissionError('this order', cause),
  );

  constructor(
    private readonly deps: {
      store: LedgerStore;
      clock: Clock;
      position: () => number;
      committed?: () => void;
      heldLocally?: HeldLocally;
      /** Resolves once the workers have applied the log through `position`; throws WorkersBehindError after waiting too long. */
      applied?: (position: number) => Promise<void>;
    },
  ) {}

  /** Reservation transactions committed (each may carry many requests). */
  get batches(): number {
    return this.batcher.batches;
  }

  /** Reserves for one order; resolves once the holds are committed (or with the shortfalls). */
  reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    return this.batcher.call(request);
  }

  /**
   * Gives back what an order holds (cancelled, or refused by the ERP under the `fail` policy):
   * the holds go to zero, the figures and the read models hear of it. Returns the units released.
   */
  async release(orderId: string): Promise<number> {
    const released = await this.deps.store.eventBatch((tx) => releaseHolds(tx, [orderId], this.deps.clock.now(), this.deps.position()));
    this.afterCommit(released.queued);
    return released.units;
  }

  /** Tells the read model and the relay about holds just committed. */
  afterCommit(queued: { outboxId: number; holds: HoldsEntry['holds'] } | undefined): void {
    if (!queued) return;
    this.deps.heldLocally?.(queued.outboxId, queued.holds);
    this.deps.committed?.();
  }

  private commit(requests: ReservationRequest[]): Promise<{ outcomes: ReservationOutcome[]; queued?: { outboxId: number; holds: HoldsEntry['holds'] } }> {
    const skus = [...new Set(requests.flatMap((r) => r.lines.map((l) => l.sku)))];
    return this.deps.store.eventBatch(async (tx) => {
      // References first (see the lock order in ports/locking-order-store.ts): a channel order
      // captured twice reserves nothing the second time.
      const drafts = requests.filter((r) => r.order).map((r) => ({ channel: r.channel, externalId: r.order!.externalId, orderId: r.orderId }));
      const taken = await tx.orders.claimReferences(drafts);
      await tx.lockItems(skus);
      const { ledger, book } = await loadItems(tx, skus);
      const holds: HoldsEntry['holds'] = [];
      const touched = new Map<string, Set<string>>();
      const made: ReturnType<OrderDraft['make']>[] = [];
      const unsourced: { channel: string; externalId: string }[] = [];
      const outcomes = requests.map((request): ReservationOutcome => {
        const holder = request.order ? taken.get(`${request.channel}\u001f${request.order.externalId}`) : undefined;
        if (holder !== undefined) return { ok: false, shortfalls: [], duplicateOf: holder };
        const rule = book.channels.get(request.channel);
        const sourced: ReservationOutcome = rule
          ? sourceForChannel(book, rule, request.lines, request.backorder)
          : { ok: false, shortfalls: [], reason: `channel '${request.channel}' is not defined` };
        if (!sourced.ok) {
          if (request.order) unsourced.push({ channel: request.channel, externalId: request.order.externalId });
          return sourced;
        }
        sourced.allocations.forEach((picked, i) => {
          const sku = request.lines[i]!.sku;
          for (const [location, units] of picked) {
            // Taken at once: the next request of this batch sees what is left.
            ledger.reserve(sku, location, units);
            holds.push({ orderId: request.orderId, sku, location, units });
            let at = touched.get(sku);
            if (!at) touched.set(sku, (at = new Set()));
            at.add(location);
          }
        });
        if (request.order) made.push(request.order.make(sourced.allocations));
        return sourced;
      });
      const nowMs = this.deps.clock.now();
      const moved: FigureChange[] = [];
      for (const [sku, locations] of touched) book.refreshItem(sku, [...locations], nowMs, moved);
      await tx.addHolds(holds);
      // The read models hear of the holds through the log, queued in this same transaction.
      const outboxId = holds.length > 0 ? await tx.queueForLog('holds', holds[0]!.sku, { holds }) : undefined;
      await tx.appendChanges(byChannel(moved, this.deps.position(), new Date(nowMs).toISOString()));
      await tx.orders.dropReferences(unsourced);
      await tx.orders.saveOrders(made.map((m) => savedOrder(m.order, m.erpLeaseMs)));
      await tx.orders.appendTimeline(made.flatMap((m) => m.timeline));
      await tx.orders.bindKeys(requests.filter((r, i) => r.order && outcomes[i]!.ok).map((r) => ({ key: r.order!.key, orderId: r.orderId })));
      return { outcomes, ...(outboxId !== undefined ? { queued: { outboxId, holds } } : {}) };
    });
  }
}
