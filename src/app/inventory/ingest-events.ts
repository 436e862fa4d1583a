/**
 * Ingest: validate each event on its own, drop duplicates (by source + seq, and by source + id),
 * give the rest log positions, apply them with the one event-application step both backends share
 * (or park them when their location is not defined yet), recompute the channel figures they move, and commit log, parked list and change
 * feed in one transaction before anyone is answered.
 *
 * Group commit: submissions that arrive while a commit runs are taken together into the next
 * one, so an fsync is shared by every request waiting on it. A group that fails is retried
 * without the submission at fault, which alone gets the error.
 */
import { SystemAccess } from '../../domain/access/system-access.js';
import { eventIssues, isValidEvent } from '../../model/event-validation.js';
import type { IngestResult, InventoryEvent } from '../../model/inventory-event.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { OrderEvent } from '../../model/order-event.js';
import { applyEvent, type EventEffects } from '../../domain/inventory/event-application.js';
import type { OpenOrders } from '../orders/open-orders.js';
import { liveOrderWork } from '../orders/order-changes/event-loop-order-changes.js';
import { fillBackordersIn } from '../orders/fill-backorders.js';
import { noteCount, noteDeparture, receiveOrderEvent } from '../orders/apply-order-events.js';
import type { OrderWork } from '../../ports/order-changes.js';
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import { ShuttingDownError, StorageFailedError, UnstorableSubmissionError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { IngestRecord, InventoryStore, OvertakenCount, ParkedEvent } from '../../ports/inventory-store.js';
import type { OvertakenBucket } from '../../domain/inventory/stock-position.js';
import { overtakenCount } from './overtaken-counts.js';
import type { InventoryState } from './inventory-state.js';

export interface IngestDeps {
  state: InventoryState;
  store: InventoryStore;
  clock: Clock;
  /** Takes order events and hears of stock leaving for orders; without it order events are only logged. */
  orders?: OpenOrders;
  /** Rebuilds memory from the store after a failed commit (default: the inventory state alone). */
  recover?: () => void;
  observer?: IngestObserver;
}

/** Hooks for metrics; the use case does not know about Prometheus. */
export interface IngestObserver {
  committed(stats: { accepted: number; duplicates: number; rejected: number; parked: number; changes: number; seconds: number }): void;
}

interface Submission {
  /** The payload as it arrived, kept in the log as is. */
  payload: string;
  /** The valid events and their indexes in the payload (parallel arrays: no object per event). */
  validEvents: HubEvent[];
  validIndexes: number[];
  total: number;
  correlationId: string | undefined;
  acceptedIndexes: number[];
  result: IngestResult;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

const SEP = '\u001f';

/** Clears what an earlier attempt to commit a submission counted (its validation refusals stand). */
function startOver(sub: Submission): void {
  sub.acceptedIndexes = [];
  sub.result.accepted = 0;
  sub.result.duplicates = 0;
  sub.result.parked = [];
  sub.result.position = 0;
}

interface Candidates {
  subs: Submission[];
  indexes: number[];
  events: HubEvent[];
  keys: string[];
}

export class EventIngest {
  private queue: Submission[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly deps: IngestDeps) {}

  /**
   * Ingests a batch; resolves once accepted events are durable. `payload` is the batch's JSON
   * text when the caller has it (saves serialising it again). Throws StorageFailedError, ShuttingDownError.
   */
  submit(values: readonly unknown[], payload?: string, correlationId?: string, sender = SystemAccess.everySystem): Promise<IngestResult> {
    if (this.closed) return Promise.reject(new ShuttingDownError());
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [], parked: [], position: 0 };
    const validEvents: HubEvent[] = [],
      validIndexes: number[] = [];
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      const refused = isValidEvent(value) ? sender.refusal(value.source) : undefined;
      if (isValidEvent(value) && refused === undefined) {
        validEvents.push(value);
        validIndexes.push(index);
      } else result.rejected.push({ index, errors: refused ? [refused] : eventIssues(value) });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        payload: payload ?? JSON.stringify(values),
        validEvents,
        validIndexes,
        total: values.length,
        correlationId,
        acceptedIndexes: [],
        result,
        resolve,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued now (tests and shutdown call it directly). */
  flush(): void {
    this.scheduled = false;
    const subs = this.queue;
    if (subs.length === 0) return;
    this.queue = [];
    const started = process.hrtime.bigint();
    const failure = this.commit(subs, started);
    if (failure === undefined) return;
    if (subs.length === 1) subs[0]!.reject(new StorageFailedError('the event batch', failure));
    else this.isolate(subs, failure, started);
  }

  /**
   * A group failed to commit: its halves are committed on their own and a half that fails is split
   * again, so that a submission the store cannot take fails alone (about ten more commits in a group
   * of 600) and the others are stored. When both halves fail, the store itself is failing: everyone
   * is told to retry.
   */
  private isolate(subs: Submission[], failure: unknown, started: bigint): void {
    if (subs.length === 1) {
      subs[0]!.reject(new UnstorableSubmissionError('this event batch', failure));
      return;
    }
    const middle = subs.length >> 1;
    const halves = [subs.slice(0, middle), subs.slice(middle)];
    const failures = halves.map((half) => this.commit(half, started));
    if (failures[0] !== undefined && failures[1] !== undefined) {
      for (const sub of subs) sub.reject(new StorageFailedError('the event batch', failure));
      return;
    }
    halves.forEach((half, k) => {
      if (failures[k] !== undefined) this.isolate(half, failures[k], started);
    });
  }

  /** Commits the submissions in one transaction and answers them; on failure rebuilds memory and returns the error, answering no one. */
  private commit(subs: Submission[], started: bigint): unknown {
    const { state, store } = this.deps;
    for (const sub of subs) startOver(sub);
    let changes = 0;
    try {
      const candidates = this.candidatesOf(subs);
      let position = state.position;
      store.commitIngest(candidates.keys, (fresh) => {
        const decided = this.decide(subs, candidates, fresh);
        position = decided.position;
        changes = decided.changes;
        return decided.record;
      });
      state.position = position;
    } catch (err) {
      // Memory may be ahead of what committed: rebuild it from the store before anything reads it.
      // If even that fails the process stops, and a restart recovers from the log.
      (this.deps.recover ?? (() => state.reload()))();
      return err ?? new Error('the commit failed');
    }
    this.answer(subs, changes, started);
    return undefined;
  }

  /** Events not already known by source + seq, as parallel arrays (no object per event). */
  private candidatesOf(subs: Submission[]): Candidates {
    const c: Candidates = { subs: [], indexes: [], events: [], keys: [] };
    for (const sub of subs) {
      for (let i = 0; i < sub.validEvents.length; i++) {
        const event = sub.validEvents[i]!;
        if (this.deps.state.ledger.hasSeq(event.source, event.seq)) {
          sub.result.duplicates++;
          continue;
        }
        c.subs.push(sub);
        c.indexes.push(sub.validIndexes[i]!);
        c.events.push(event);
        c.keys.push(event.source + SEP + event.id);
      }
    }
    return c;
  }

  /**
   * Inside the commit: accepts the candidates whose ids are fresh, gives them positions, applies
   * or parks them (domain/inventory/event-application.ts), and recomputes the figures they move.
   * Returns what the store must write.
   */
  private decide(subs: Submission[], c: Candidates, fresh: Set<string>): { record: IngestRecord; position: number; changes: number } {
    const { state, clock } = this.deps;
    const nowMs = clock.now();
    const at = new Date(nowMs).toISOString();
    const effects = new IngestEffects(state, this.deps.orders, nowMs, at);
    let position = state.position;
    for (let k = 0; k < c.keys.length; k++) {
      const event = c.events[k]!,
        sub = c.subs[k]!;
      // delete(): a second copy of the same id in this very batch is a duplicate too.
      if (!fresh.delete(c.keys[k]!) || !state.ledger.markSeq(event.source, event.seq)) {
        sub.result.duplicates++;
        continue;
      }
      position++;
      const index = c.indexes[k]!;
      sub.acceptedIndexes.push(index);
      sub.result.accepted++;
      sub.result.position = position;
      effects.at(sub, index, position, event.correlationId);
      applyEvent(event, position, state.ledger, state.book.locations, effects);
    }
    const moved = effects.finish(nowMs);
    // Each submission's accepted events hold consecutive positions, in submission order.
    let next = state.position + 1;
    const batches = subs.map((sub) => {
      const count = sub.acceptedIndexes.length;
      const batch = { firstPosition: next, count, payload: sub.payload, accepted: count === sub.total ? null : sub.acceptedIndexes };
      next += count;
      return batch;
    });
    const record = {
      batches,
      parked: effects.parkedEvents,
      overtaken: effects.overtakenCounts,
      feed: state.recordChanges(moved, position, at),
      receivedAt: at,
    };
    return { record, position, changes: moved.length };
  }

  private answer(subs: Submission[], changes: number, started: bigint): void {
    let accepted = 0,
      duplicates = 0,
      rejected = 0,
      parked = 0;
    for (const sub of subs) {
      if (sub.result.accepted === 0) sub.result.position = this.deps.state.position;
      accepted += sub.result.accepted;
      duplicates += sub.result.duplicates;
      rejected += sub.result.rejected.length;
      parked += sub.result.parked.length;
      sub.resolve(sub.result);
    }
    this.deps.observer?.committed({ accepted, duplicates, rejected, parked, changes, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  }

  /** Stops taking work and commits what is queued. */
  close(): void {
    this.closed = true;
    this.flush();
  }
}

/** What one commit's events did, as the embedded hub keeps it: the open orders change at once, the rest is written by the commit. */
class IngestEffects implements EventEffects {
  readonly parkedEvents: ParkedEvent[] = [];
  readonly overtakenCounts: OvertakenCount[] = [];
  /** sku → the location it moved at, or several when it moved at more than one. */
  private readonly touched = new Map<string, string | string[]>();
  private restocked: Set<string> | undefined;
  /** The live orders as OrderWork, made on first use (most commits touch no order). */
  private work: OrderWork | undefined;
  private sub!: Submission;
  private index = 0;
  private position = 0;
  /** The event's own correlation id, else its request's: a parked event keeps it for its exception. */
  private correlationId: string | undefined;

  constructor(
    private readonly state: InventoryState,
    private readonly orders: OpenOrders | undefined,
    private readonly nowMs: number,
    private readonly parkedAt: string,
  ) {}

  private orderWork(): OrderWork {
    return (this.work ??= liveOrderWork({ state: this.state, openOrders: this.orders! }, this.touch, this.nowMs));
  }

  /** The event about to be applied: its submission, index there and log position. */
  at(sub: Submission, index: number, position: number, own: string | undefined): void {
    this.sub = sub;
    this.index = index;
    this.position = position;
    this.correlationId = own ?? sub.correlationId;
  }

  readonly touch = (sku: string, location: string): void => {
    const seen = this.touched.get(sku);
    if (seen === undefined) this.touched.set(sku, location);
    else if (typeof seen === 'string') {
      if (seen !== location) this.touched.set(sku, [seen, location]);
    } else if (!seen.includes(location)) seen.push(location);
  };

  itemNamed(sku: string): void {
    this.state.noteSku(sku);
  }

  moved(sku: string, location: string): void {
    this.touch(sku, location);
    if (this.orders?.owes(sku)) (this.restocked ??= new Set()).add(sku);
  }

  parked(location: string, sku: string, reason: string): void {
    this.parkedEvents.push({
      position: this.position,
      sku,
      location,
      reason,
      parkedAt: this.parkedAt,
      ...(this.correlationId !== undefined ? { correlationId: this.correlationId } : {}),
    });
    this.sub.result.parked.push({ index: this.index, position: this.position, reason });
  }

  overtaken(snapshot: InventoryEvent, buckets: readonly OvertakenBucket[]): void {
    this.overtakenCounts.push(overtakenCount(snapshot, this.position, buckets, this.parkedAt));
  }

  departed(orderId: string, sku: string, location: string, qty: number, event: InventoryEvent): void {
    if (this.orders) noteDeparture(this.orderWork(), orderId, sku, location, qty, event);
  }

  counted(sku: string, location: string): void {
    if (this.orders) noteCount(this.orderWork(), sku, location);
  }

  orderEvent(event: OrderEvent): void {
    // The event's own correlation id (the system that sent it), else the request's: as on the scale-out backend.
    const correlationId = event.correlationId ?? this.sub.correlationId;
    if (this.orders) receiveOrderEvent(this.orderWork(), { position: this.position, event, ...(correlationId !== undefined ? { correlationId } : {}) });
  }

  /** Fills backorders from stock that arrived, then recomputes every touched figure; returns the ones that moved. */
  finish(nowMs: number): FigureChange[] {
    if (this.restocked) {
      const skus = [...this.restocked];
      fillBackordersIn(this.orderWork(), this.orders!.owing(Number.MAX_SAFE_INTEGER, skus), skus);
    }
    const moved: FigureChange[] = [];
    for (const [sku, where] of this.touched) {
      if (typeof where === 'string') this.state.book.refreshAt(sku, where, nowMs, moved);
      else this.state.book.refreshItem(sku, where, nowMs, moved);
    }
    return moved;
  }
}
