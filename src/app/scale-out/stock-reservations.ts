/**
 * Atomic stock reservation on the shared state, for api processes capturing orders. Requests that
 * arrive while a reservation transaction runs wait and go together into the next one: one
 * transaction locks the items they touch (in sku order, like the workers), loads what the domain
 * needs, sources each request in arrival order with the same rule as the embedded hub (fewest
 * splits, all or nothing unless backorders are allowed), and records the holds and the figure
 * changes they cause. A hot item is locked once per batch rather than once per order, and no
 * item's holds ever exceed what its channel may take, whatever the number of api processes.
 */
import { sourceOrder, type Shortfall } from '../../domain/orders/source-order.js';
import { applyAllocation, locationNet } from '../../domain/inventory/channel-availability.js';
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import type { Clock } from '../../ports/clock.js';
import type { SharedLedgerStore, StockHold } from '../../ports/shared-ledger-store.js';
import { loadItems } from './load-items.js';
import { byChannel } from './figure-appends.js';

export interface ReservationRequest {
  orderId: string;
  channel: string;
  lines: readonly { sku: string; qty: number }[];
  backorder: 'reject' | 'allow';
}

export type ReservationOutcome =
  | { ok: true; allocations: [string, number][][] }
  | { ok: false; shortfalls: Shortfall[]; reason?: string };

interface Waiting { request: ReservationRequest; resolve: (o: ReservationOutcome) => void; reject: (e: unknown) => void }

export class StockReservations {
  /** Reservation transactions committed (each may carry many requests). */
  batches = 0;
  private queue: Waiting[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly deps: { store: SharedLedgerStore; clock: Clock; position: () => number; committed?: () => void }) {}

  /** Reserves for one order; resolves once the holds are committed (or with the shortfalls). */
  reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /**
   * Gives back what an order holds (cancelled, or refused by the ERP under the `fail` policy):
   * the holds go to zero, the figures and the read models hear of it. Returns the units released.
   */
  async release(orderId: string): Promise<number> {
    const released = await this.deps.store.eventBatch(async (tx) => {
      const held = await tx.holdsOf(orderId);
      if (held.length === 0) return 0;
      const skus = [...new Set(held.map((h) => h.sku))];
      await tx.lockItems(skus);
      const { ledger, book } = await loadItems(tx, skus);
      const undo = held.map((h) => ({ orderId, sku: h.sku, location: h.location, units: -h.units }));
      for (const u of undo) ledger.reserve(u.sku, u.location, u.units);
      const nowMs = this.deps.clock.now();
      const moved: FigureChange[] = [];
      for (const sku of skus) book.refreshItem(sku, [...new Set(held.filter((h) => h.sku === sku).map((h) => h.location))], nowMs, moved);
      await tx.addHolds(undo);
      await tx.queueForLog('holds', skus[0]!, { holds: undo });
      await tx.appendChanges(byChannel(moved, this.deps.position(), new Date(nowMs).toISOString()));
      return held.reduce((n, h) => n + h.units, 0);
    });
    if (released > 0) this.deps.committed?.();
    return released;
  }

  private async drain(): Promise<void> {
    // Let the requests of this turn of the event loop join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const outcomes = await this.commit(batch.map((w) => w.request));
        this.deps.committed?.();
        batch.forEach((w, i) => w.resolve(outcomes[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.running = undefined;
  }

  private commit(requests: ReservationRequest[]): Promise<ReservationOutcome[]> {
    const skus = [...new Set(requests.flatMap((r) => r.lines.map((l) => l.sku)))];
    return this.deps.store.eventBatch(async (tx) => {
      await tx.lockItems(skus);
      const { ledger, book } = await loadItems(tx, skus);
      const holds: (StockHold & { orderId: string })[] = [];
      const touched = new Map<string, Set<string>>();
      const outcomes = requests.map((request): ReservationOutcome => {
        const rule = book.channels.get(request.channel);
        if (!rule) return { ok: false, shortfalls: [], reason: `channel '${request.channel}' is not defined` };
        const free = (sku: string, loc: string) => locationNet(book.stockAt(sku, loc, undefined), rule.safetyStock);
        const sourced = sourceOrder({
          lines: request.lines, locations: rule.locations, backorder: request.backorder, free,
          cap: (sku) => applyAllocation(rule.locations.reduce((n, loc) => n + free(sku, loc), 0), rule.allocation),
        });
        if (!sourced.ok) return sourced;
        sourced.allocations.forEach((picked, i) => {
          const sku = request.lines[i]!.sku;
          for (const [location, units] of picked) {
            // Taken at once: the next request of this batch sees what is left.
            ledger.reserve(sku, location, units);
            holds.push({ orderId: request.orderId, sku, location, units });
            let at = touched.get(sku);
            if (!at) touched.set(sku, at = new Set());
            at.add(location);
          }
        });
        return sourced;
      });
      const nowMs = this.deps.clock.now();
      const moved: FigureChange[] = [];
      for (const [sku, locations] of touched) book.refreshItem(sku, [...locations], nowMs, moved);
      await tx.addHolds(holds);
      // The read models hear of the holds through the log, queued in this same transaction.
      if (holds.length > 0) await tx.queueForLog('holds', holds[0]!.sku, { holds });
      await tx.appendChanges(byChannel(moved, this.deps.position(), new Date(nowMs).toISOString()));
      this.batches++;
      return outcomes;
    });
  }
}
