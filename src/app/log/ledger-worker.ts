/**
 * The scale-out worker's job: apply the log's entries to the shared state, exactly once each.
 * A batch of inventory events is one transaction: claim the events in the inbox (a redelivered
 * one is a no-op), lock their items, load what the domain needs about them, apply with the same
 * ledger and availability code the embedded hub runs, and write positions, parked events and
 * the channels' figure changes. Only then is the batch acknowledged.
 *
 * A batch that fails is retried one entry at a time so one bad entry cannot hold up the rest;
 * an entry that still fails after the log's attempts (or can never apply) goes to the dead letters.
 * A database that cannot be reached is no fault of the entries: the worker keeps them and tries
 * again as long as the outage lasts, so an outage longer than the log's attempts strands nothing
 * (the log stops handing out an entry after its attempts are used).
 */
import { DatabaseUnavailableError } from '../../domain/errors.js';
import { isValidEvent } from '../../model/event-validation.js';
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import { retryDelayMs } from '../../domain/delivery/retry-delay.js';
import type { Clock } from '../../ports/clock.js';
import type { LogEntry, WorkItem } from '../../ports/event-log.js';
import type { LedgerTransaction, LedgerStore } from '../../ports/ledger-store.js';
import { namesOrder, stockEffectsOf } from '../../domain/inventory/stock-effects.js';
import { LockedOrderWork } from '../orders/order-changes/locked-order-work.js';
import { noteCount, noteDeparture, receiveOrderEvent } from '../orders/apply-order-events.js';
import { applyChannelDefinition, applyEvent, applyLocationDefinition, type EventEffects } from '../../domain/inventory/event-application.js';
import type { InventoryEvent } from '../../model/inventory-event.js';
import type { OrderEvent } from '../../model/order-event.js';
import { loadItems } from './load-items.js';
import type { LedgerOptions } from '../../domain/inventory/inventory-ledger.js';
import { byChannel } from './figure-appends.js';
import type { OvertakenCount, ParkedEvent } from '../../ports/inventory-store.js';
import type { OvertakenBucket } from '../../domain/inventory/stock-position.js';
import { overtakenCount } from '../inventory/overtaken-counts.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { CatalogEntry } from './log-entries.js';

/** An entry that no retry can apply (it does not parse or is not an event this worker takes). */
export class MalformedEntryError extends Error {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`log entry ${position} cannot be applied: ${reason}`);
    this.name = 'MalformedEntryError';
  }
}

export interface LedgerWorkerDeps {
  store: LedgerStore;
  clock: Clock;
  maxAttempts: number;
  /** Told when a batch queued holds for the log (the relay sends them on). */
  holdsQueued?: () => void;
  observer?: {
    applied(stats: { entries: number; events: number; duplicates: number; changes: number; seconds: number }): void;
    failed(entry: LogEntry, err: unknown, deadLettered: boolean): void;
    /** The database refused a connection; the worker waits `waitMs` and tries the same entries again. */
    databaseUnavailable?(err: DatabaseUnavailableError, waitMs: number): void;
  };
  /** First and longest wait between tries while the database is unavailable; default 250 ms and 5 s. */
  outageWaitMs?: { first: number; max: number };
  /** The bound on late counts; every process of a hub uses the same. */
  ledger?: LedgerOptions;
}

const RETRY = { baseMs: 1000, maxMs: 60_000, maxAttempts: 0 };
/** Entries waiting out an outage are re-marked as in progress this often (below any ack wait the log allows). */
const STILL_WORKING_MS = 200;

export class LedgerWorker {
  /** The highest log position this worker has committed (entries below it may be another worker's). */
  position = 0;

  private stopping = false;
  private readonly wakeUps = new Set<() => void>();

  constructor(private readonly deps: LedgerWorkerDeps) {}

  /** Ends any wait for the database: entries still waiting are handed back to the log. */
  stop(): void {
    this.stopping = true;
    for (const wake of this.wakeUps) wake();
  }

  /** Handles one batch handed out by the log; every item ends done, retried or discarded. */
  async handle(items: WorkItem[]): Promise<void> {
    try {
      await this.applyThroughOutages(items);
      for (const item of items) {
        item.done();
        this.position = Math.max(this.position, item.entry.position);
      }
      return;
    } catch (err) {
      if (items.length === 1) return this.fail(items[0]!, err);
    }
    // Entries already committed in the failed pass are inbox no-ops now.
    for (const item of items) {
      try {
        await this.applyThroughOutages([item]);
        item.done();
        this.position = Math.max(this.position, item.entry.position);
      } catch (err) {
        await this.fail(item, err);
      }
    }
  }

  /** Applies the items' entries, waiting out a database that refuses connections (until stopped). */
  private async applyThroughOutages(items: WorkItem[]): Promise<void> {
    const waits = this.deps.outageWaitMs ?? { first: 250, max: 5000 };
    for (let waitMs = waits.first; ; waitMs = Math.min(waitMs * 2, waits.max)) {
      try {
        await this.applyAll(items.map((i) => i.entry));
        return;
      } catch (err) {
        if (!(err instanceof DatabaseUnavailableError) || this.stopping) throw err;
        this.deps.observer?.databaseUnavailable?.(err, waitMs);
        await this.holdFor(items, waitMs);
      }
    }
  }

  private async holdFor(items: WorkItem[], ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopping && Date.now() < until) {
      for (const item of items) item.stillWorking();
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakeUps.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(STILL_WORKING_MS, until - Date.now()));
        this.wakeUps.add(wake);
      });
    }
  }

  private async fail(item: WorkItem, err: unknown): Promise<void> {
    // Only reached for an outage while stopping: the entry goes back without being judged.
    const hopeless = !(err instanceof DatabaseUnavailableError) && (err instanceof MalformedEntryError || item.attempt >= this.deps.maxAttempts);
    if (hopeless) {
      try {
        await this.deps.store.deadLetter({
          position: item.entry.position,
          kind: item.entry.kind,
          body: item.entry.body,
          error: err instanceof Error ? err.message : String(err),
          attempts: item.attempt,
          at: new Date(this.deps.clock.now()).toISOString(),
        });
        await this.settleDead(item.entry);
        item.discard();
      } catch {
        item.retry(retryDelayMs(item.attempt, RETRY, Math.random()));
      }
    } else {
      item.retry(retryDelayMs(item.attempt, RETRY, Math.random()));
    }
    this.deps.observer?.failed(item.entry, err, hopeless);
  }

  /** A dead entry that names an order settles for the read models (they stop waiting for its holds). */
  private async settleDead(entry: LogEntry): Promise<void> {
    let event: HubEvent;
    try {
      event = parseEvent(entry);
    } catch {
      return;
    }
    if (!namesOrder(event)) return;
    await this.deps.store.eventBatch((tx) => tx.queueForLog('holds', 'settles', { holds: [], settles: [entry.position] }));
    this.deps.holdsQueued?.();
  }

  /** Applies entries in log order: runs of events in one transaction each, catalogue changes on their own. */
  async applyAll(entries: readonly LogEntry[]): Promise<void> {
    let run: LogEntry[] = [];
    for (const entry of entries) {
      if (entry.kind === 'inventory' || entry.kind === 'order') {
        run.push(entry);
        continue;
      }
      // Holds were committed to the shared state before they reached the log: nothing to apply.
      if (entry.kind === 'holds') continue;
      await this.applyEvents(run);
      run = [];
      await this.applyCatalog(entry);
    }
    await this.applyEvents(run);
  }

  private async applyEvents(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const started = process.hrtime.bigint();
    const events = entries.map((e) => parseEvent(e));
    let outcome: { applied: number; changes: number; holds: boolean } | undefined;
    // Orders a count concerns that shipped while the batch waited for its items are locked on the next try.
    for (let extra: string[] = []; !outcome; ) {
      try {
        outcome = await this.deps.store.eventBatch((tx) => this.applyInTransaction(tx, entries, events, extra));
      } catch (err) {
        if (!(err instanceof UnlockedOrdersError) || extra.length > 1000) throw err;
        extra = [...new Set([...extra, ...err.orderIds])];
      }
    }
    if (outcome.holds) this.deps.holdsQueued?.();
    this.deps.observer?.applied({
      entries: entries.length,
      events: outcome.applied,
      duplicates: entries.length - outcome.applied,
      changes: outcome.changes,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    });
  }

  private async applyInTransaction(
    tx: LedgerTransaction,
    entries: readonly LogEntry[],
    events: readonly HubEvent[],
    extraOrders: readonly string[],
  ): Promise<{ applied: number; changes: number; holds: boolean }> {
    const fresh = await tx.claim(events.map((e, i) => ({ source: e.source, id: e.id, seq: e.seq, position: entries[i]!.position })));
    const toApply = events.map((event, i) => ({ event, position: entries[i]!.position })).filter((_, i) => fresh[i]);
    // Every entry naming an order is settled for the read models, repeats included: a read model
    // may have taken the other copy of a repeated event for the fresh one.
    const settles = entries.filter((_, i) => namesOrder(events[i]!)).map((e) => e.position);
    if (toApply.length === 0) {
      if (settles.length > 0) await tx.queueForLog('holds', 'settles', { holds: [], settles });
      return { applied: 0, changes: 0, holds: settles.length > 0 };
    }
    const nowMs = this.deps.clock.now();
    const at = new Date(nowMs).toISOString();
    const applying = toApply.map((a) => a.event);
    const skus = [...new Set(applying.flatMap((e) => stockEffectsOf(e).map((m) => m.sku)))];
    // Orders before items (the lock order of every change to an existing order): the orders the
    // events name, and those with shipped units at the pairs the batch's counts cover.
    const counted = countedPairs(applying);
    const named = [...extraOrders, ...applying.flatMap(orderIdOf), ...(await tx.orders.unconfirmedAt(counted))];
    const work = await LockedOrderWork.open(tx, named, skus, nowMs, this.deps.ledger);
    // Orders that shipped from a counted item while the batch waited for its item locks: run again with them locked.
    // One asked for already and still not locked has no order to lock (an orphaned row): running
    // again would find it again, forever, so the count goes on without it.
    const locked = new Set(work.lockedIds());
    const asked = new Set(extraOrders);
    const unconfirmed = counted.length === 0 ? [] : await tx.orders.unconfirmedAt(counted);
    const missing = unconfirmed.filter((id) => !locked.has(id) && !asked.has(id));
    if (missing.length > 0) throw new UnlockedOrdersError(missing);
    const { ledger, book } = work.loaded;
    const effects = new WorkerEffects(work, at);
    for (const { event, position } of toApply) {
      effects.at(event, position);
      applyEvent(event, position, ledger, book.locations, effects);
    }
    const holds = await work.write(tx);
    const moved = work.touched.refresh(book, nowMs);
    await tx.savePositions([...ledger.dirtyPositions]);
    await tx.park(effects.parkedEvents);
    await tx.recordOvertaken(effects.overtakenCounts);
    await tx.appendChanges(byChannel(moved, entries[entries.length - 1]!.position, at));
    const queued = holds.length > 0 || settles.length > 0;
    if (queued) await tx.queueForLog('holds', holds[0]?.sku ?? 'settles', { holds, ...(settles.length > 0 ? { settles } : {}) });
    return { applied: toApply.length, changes: moved.length, holds: queued };
  }

  private async applyCatalog(entry: LogEntry): Promise<void> {
    let change: CatalogEntry;
    try {
      change = JSON.parse(entry.body) as CatalogEntry;
    } catch (err) {
      throw new MalformedEntryError(entry.position, (err as Error).message);
    }
    const at = new Date(this.deps.clock.now()).toISOString();
    await this.deps.store.catalogChange(async (tx) => {
      const nowMs = this.deps.clock.now();
      const moved: FigureChange[] = [];
      switch (change.kind) {
        case 'item':
          await tx.saveItem(change.item);
          return;
        case 'location': {
          const id = change.def.id;
          await tx.saveLocation(change.def);
          const released = await tx.unpark(id);
          const skus = new Set(await tx.skusAt([id]));
          for (const r of released) for (const m of stockEffectsOf(r.event)) skus.add(m.sku);
          const { ledger, book } = await loadItems(tx, [...skus], this.deps.ledger);
          const overtaken: OvertakenCount[] = [];
          applyLocationDefinition(book, ledger, change.def, released, skus, nowMs, moved, (snapshot, position, buckets) =>
            overtaken.push(overtakenCount(snapshot, position, buckets, at)),
          );
          await tx.savePositions([...ledger.dirtyPositions]);
          await tx.recordOvertaken(overtaken);
          break;
        }
        case 'channel': {
          await tx.saveChannel(change.channel);
          const skus = new Set([...(await tx.skusAt(change.channel.locations)), ...(await tx.skusPublished(change.channel.id))]);
          const { book } = await loadItems(tx, [...skus]);
          applyChannelDefinition(book, change.channel, skus, nowMs, moved);
          break;
        }
        default:
          throw new MalformedEntryError(entry.position, `unknown catalogue change '${(change as { kind: string }).kind}'`);
      }
      await tx.appendChanges(byChannel(moved, entry.position, at));
    });
  }

  /**
   * Records the figure changes that time alone causes (ETAs entering a channel's inbound
   * horizon), a slice of items per transaction. Returns how many figures moved.
   */
  async sweepInboundHorizons(position: number): Promise<number> {
    const skus = await this.deps.store.eventBatch((tx) => tx.skusWithDatedInbound());
    let moved = 0;
    for (let i = 0; i < skus.length; i += 1000) {
      const slice = skus.slice(i, i + 1000);
      moved += await this.deps.store.eventBatch(async (tx) => {
        await tx.lockItems(slice);
        const { book } = await loadItems(tx, slice);
        const nowMs = this.deps.clock.now();
        const changes: FigureChange[] = [];
        for (const rule of book.channels.values()) {
          if (rule.includeInbound) for (const sku of slice) book.refreshOne(rule, sku, nowMs, changes);
        }
        await tx.appendChanges(byChannel(changes, position, new Date(nowMs).toISOString()));
        return changes.length;
      });
    }
    return moved;
  }
}

function parseEvent(entry: LogEntry): HubEvent {
  let value: unknown;
  try {
    value = JSON.parse(entry.body);
  } catch (err) {
    throw new MalformedEntryError(entry.position, (err as Error).message);
  }
  if (!isValidEvent(value)) throw new MalformedEntryError(entry.position, 'not a valid event');
  const inventory = value.type === 'inventory.movement' || value.type === 'inventory.snapshot';
  if (inventory !== (entry.kind === 'inventory')) throw new MalformedEntryError(entry.position, `a '${value.type}' event in the ${entry.kind} lane`);
  return value;
}

/** What a batch's events did, as a worker writes it: orders changed through the batch's OrderWork, the rest written by its transaction. */
class WorkerEffects implements EventEffects {
  readonly parkedEvents: (ParkedEvent & { event: HubEvent })[] = [];
  readonly overtakenCounts: OvertakenCount[] = [];
  private event!: HubEvent;
  private position = 0;

  constructor(
    private readonly work: LockedOrderWork,
    private readonly parkedAt: string,
  ) {}

  at(event: HubEvent, position: number): void {
    this.event = event;
    this.position = position;
  }

  /** Items are known to the read models; the shared state needs no record of it. */
  itemNamed(): void {}

  moved(sku: string, location: string): void {
    this.work.touched.touch(sku, location);
  }

  parked(location: string, sku: string, reason: string): void {
    this.parkedEvents.push({ position: this.position, sku, location, reason, parkedAt: this.parkedAt, event: this.event });
  }

  overtaken(snapshot: InventoryEvent, buckets: readonly OvertakenBucket[]): void {
    this.overtakenCounts.push(overtakenCount(snapshot, this.position, buckets, this.parkedAt));
  }

  departed(orderId: string, sku: string, location: string, qty: number, event: InventoryEvent): void {
    noteDeparture(this.work, orderId, sku, location, qty, event);
  }

  counted(sku: string, location: string): void {
    noteCount(this.work, sku, location);
  }

  orderEvent(event: OrderEvent): void {
    receiveOrderEvent(this.work, { position: this.position, event, ...(event.correlationId !== undefined ? { correlationId: event.correlationId } : {}) });
  }
}

/**
 * A count confirmed shipments of orders the batch did not lock (they shipped while it waited for
 * its items): the batch is run again with them locked first.
 */
export class UnlockedOrdersError extends Error {
  constructor(readonly orderIds: string[]) {
    super(`orders ${orderIds.join(', ')} shipped from a counted item while the batch waited; run it again with them locked`);
    this.name = 'UnlockedOrdersError';
  }
}

/** The order an event names, if any (an order event, or stock leaving for an order). */
function orderIdOf(e: HubEvent): string[] {
  if (e.type === 'inventory.snapshot') return [];
  if (e.type === 'inventory.movement') return e.orderId !== undefined ? [e.orderId] : [];
  return [e.orderId];
}

/** The item × location pairs the batch's snapshots count. */
function countedPairs(events: readonly HubEvent[]): { sku: string; location: string }[] {
  const pairs = new Map<string, { sku: string; location: string }>();
  for (const e of events) if (e.type === 'inventory.snapshot') pairs.set(`${e.sku}\u001f${e.location}`, { sku: e.sku, location: e.location });
  return [...pairs.values()];
}
