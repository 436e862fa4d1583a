/**
 * Backorders on the shared state: orders owed units get them as stock arrives, oldest first, with
 * the same sourcing as a capture (the channel's locations in order, what is free after safety
 * stock and every other hold). Workers run it after they apply stock and every few seconds; the
 * order rows are locked before the items (the lock order of every change to an existing order),
 * so it cannot deadlock with captures, cancellations or other workers.
 */
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import { sourceForChannel } from '../../domain/orders/channel-sourcing.js';
import { cloneOrder, lineFigures, type OrderState } from '../../domain/orders/order-state.js';
import type { SharedOrderStore } from '../../ports/shared-order-store.js';
import { byChannel } from './figure-appends.js';
import { loadItems } from './load-items.js';
import type { HoldsEntry } from './log-entries.js';
import type { OrderChangeDeps } from './order-changes.js';
import { saveOrderChanges, type OrderChange } from './saved-order.js';

/** Orders looked at per transaction. */
const BATCH = 100;

export class BackorderFills {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;

  constructor(private readonly deps: OrderChangeDeps & { orders: SharedOrderStore; onError?: (err: unknown) => void }) {}

  /** Fills what it can for the oldest owing orders; resolves with the units reserved. */
  async fill(): Promise<number> {
    const ids = await this.deps.orders.owingOrders(BATCH);
    if (ids.length === 0) return 0;
    const { store, clock } = this.deps;
    let queued: { outboxId: number; holds: HoldsEntry['holds'] } | undefined;
    let units = 0;
    await store.eventBatch(async (tx) => {
      const orders = (await tx.orders.lockOrders(ids)).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
      const owed = (o: OrderState) => o.lines.filter((l) => lineFigures(o, l).backordered > 0);
      const skus = [...new Set(orders.flatMap((o) => owed(o).map((l) => l.sku)))];
      if (skus.length === 0) return;
      await tx.lockItems(skus);
      const { ledger, book } = await loadItems(tx, skus);
      const nowMs = clock.now();
      const nowIso = new Date(nowMs).toISOString();
      const holds: HoldsEntry['holds'] = [];
      const touched = new Map<string, Set<string>>();
      const filled: OrderChange[] = [];
      for (const order of orders) {
        const rule = book.channels.get(order.channel);
        if (!rule) continue;
        let next: OrderState | undefined;
        const steps = [];
        for (const line of owed(order)) {
          const want = lineFigures(order, line).backordered;
          const sourced = sourceForChannel(book, rule, [{ sku: line.sku, qty: want }], 'allow');
          if (!sourced.ok) continue;
          const got = sourced.allocations[0]!.filter(([, q]) => q > 0);
          if (got.length === 0) continue;
          next ??= cloneOrder(order);
          next.lines.find((l) => l.sku === line.sku)!.alloc.push(...got);
          for (const [location, q] of got) {
            // Taken at once: the next order in line sees what is left.
            ledger.reserve(line.sku, location, q);
            holds.push({ orderId: order.id, sku: line.sku, location, units: q });
            units += q;
            let at = touched.get(line.sku);
            if (!at) touched.set(line.sku, at = new Set());
            at.add(location);
          }
          steps.push({ step: 'backorder.filled', source: 'hub', detail: `${got.reduce((n, [, q]) => n + q, 0)} × ${line.sku} reserved at ${got.map(([loc, q]) => `${loc} (${q})`).join(', ')}` });
        }
        if (!next) continue;
        next.updatedAt = nowIso;
        filled.push({ order: next, steps, messages: [] });
      }
      if (filled.length === 0) return;
      const moved: FigureChange[] = [];
      for (const [sku, locations] of touched) book.refreshItem(sku, [...locations], nowMs, moved);
      await tx.addHolds(holds);
      queued = { outboxId: await tx.queueForLog('holds', holds[0]!.sku, { holds }), holds };
      await tx.appendChanges(byChannel(moved, this.deps.position(), nowIso));
      await saveOrderChanges(tx.orders, filled, nowIso);
    });
    if (queued) this.deps.holdsCommitted(queued);
    return units;
  }

  /** Runs a fill now, or once more after the one running (stock arrived meanwhile). */
  nudge(): void {
    if (this.running !== undefined) { this.again = true; return; }
    this.running = (async () => {
      let units = 0;
      try {
        do { this.again = false; units += await this.fill(); } while (this.again);
      } finally {
        this.running = undefined;
      }
      return units;
    })();
    this.running.catch((err) => this.deps.onError?.(err));
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }
}
