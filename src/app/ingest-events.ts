/**
 * Ingest: validate each event on its own, drop duplicates (by source + seq, and by source + id),
 * give the rest log positions, apply them to the ledger (or park them when their location is not
 * defined yet), recompute the channel figures they move, and commit log, parked list and change
 * feed in one transaction before anyone is answered.
 *
 * Group commit: submissions that arrive while a commit runs are taken together into the next
 * one, so an fsync is shared by every request waiting on it.
 */
import { eventIssues, isValidEvent } from '../model/event-validation.js';
import type { IngestResult, InventoryEvent } from '../model/inventory-event.js';
import type { FigureChange } from '../domain/inventory/availability-book.js';
import { ShuttingDownError, StorageFailedError } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { InventoryStore, ParkedEvent } from '../ports/inventory-store.js';
import type { InventoryState } from './inventory-state.js';

export interface IngestDeps { state: InventoryState; store: InventoryStore; clock: Clock; observer?: IngestObserver }

/** Hooks for metrics; the use case does not know about Prometheus. */
export interface IngestObserver {
  committed(stats: { accepted: number; duplicates: number; rejected: number; parked: number; changes: number; seconds: number }): void;
}

interface Submission {
  /** The payload as it arrived, kept in the log as is. */
  payload: string;
  valid: { index: number; event: InventoryEvent }[];
  total: number;
  acceptedIndexes: number[];
  result: IngestResult;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

const SEP = '\u001f';

export class EventIngest {
  private queue: Submission[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly deps: IngestDeps) {}

  /**
   * Ingests a batch; resolves once accepted events are durable. `payload` is the batch's JSON
   * text when the caller has it (saves serialising it again). Throws StorageFailedError, ShuttingDownError.
   */
  submit(values: readonly unknown[], payload?: string): Promise<IngestResult> {
    if (this.closed) return Promise.reject(new ShuttingDownError());
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [], parked: [], position: 0 };
    const valid: Submission['valid'] = [];
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      if (isValidEvent(value)) valid.push({ index, event: value });
      else result.rejected.push({ index, errors: eventIssues(value) });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ payload: payload ?? JSON.stringify(values), valid, total: values.length, acceptedIndexes: [], result, resolve, reject });
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
    const { state, store, clock } = this.deps;
    let changeCount = 0;
    try {
      const candidates: { sub: Submission; index: number; event: InventoryEvent; key: string }[] = [];
      const keys: string[] = [];
      for (const sub of subs) {
        for (const { index, event } of sub.valid) {
          if (state.ledger.hasSeq(event.source, event.seq)) { sub.result.duplicates++; continue; }
          const key = event.source + SEP + event.id;
          candidates.push({ sub, index, event, key });
          keys.push(key);
        }
      }
      let position = state.position;
      store.commitIngest(keys, (fresh) => {
        const nowMs = clock.now();
        const at = new Date(nowMs).toISOString();
        const parked: ParkedEvent[] = [];
        // sku → the location it moved at, or several when it moved at more than one.
        const touched = new Map<string, string | string[]>();
        for (const c of candidates) {
          // delete(): a second copy of the same id in this very batch is a duplicate too.
          if (!fresh.delete(c.key) || !state.ledger.markSeq(c.event.source, c.event.seq)) { c.sub.result.duplicates++; continue; }
          position++;
          c.sub.acceptedIndexes.push(c.index);
          c.sub.result.accepted++;
          c.sub.result.position = position;
          state.noteSku(c.event.sku);
          if (state.book.locations.has(c.event.location)) {
            if (state.ledger.apply(c.event, position) === 'applied') {
              const { sku, location } = c.event;
              const seen = touched.get(sku);
              if (seen === undefined) touched.set(sku, location);
              else if (typeof seen === 'string') { if (seen !== location) touched.set(sku, [seen, location]); }
              else if (!seen.includes(location)) seen.push(location);
            }
          } else {
            const reason = `location '${c.event.location}' is not defined; the event applies when it is (PUT /v1/locations/${c.event.location})`;
            parked.push({ position, sku: c.event.sku, location: c.event.location, reason, parkedAt: at });
            c.sub.result.parked.push({ index: c.index, position, reason });
          }
        }
        const moved: FigureChange[] = [];
        for (const [sku, where] of touched) {
          if (typeof where === 'string') state.book.refreshAt(sku, where, nowMs, moved);
          else state.book.refreshItem(sku, where, nowMs, moved);
        }
        changeCount = moved.length;
        let next = state.position + 1;
        const batches = subs.map((sub) => {
          const count = sub.acceptedIndexes.length;
          const all = count === sub.total;
          const batch = { firstPosition: next, count, payload: sub.payload, accepted: all ? null : sub.acceptedIndexes };
          next += count;
          return batch;
        });
        return { batches, parked, feed: state.recordChanges(moved, position, at), receivedAt: at };
      });
      state.position = position;
    } catch (err) {
      const failure = new StorageFailedError('the event batch', err);
      for (const sub of subs) sub.reject(failure);
      // Memory may be ahead of what committed: rebuild it from the store before anything reads it.
      // If even that fails the process stops, and a restart recovers from the log.
      state.reload();
      return;
    }
    let accepted = 0, duplicates = 0, rejected = 0, parkedCount = 0;
    for (const sub of subs) {
      if (sub.result.accepted === 0) sub.result.position = state.position;
      accepted += sub.result.accepted; duplicates += sub.result.duplicates;
      rejected += sub.result.rejected.length; parkedCount += sub.result.parked.length;
      sub.resolve(sub.result);
    }
    this.deps.observer?.committed({
      accepted, duplicates, rejected, parked: parkedCount, changes: changeCount,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    });
  }

  /** Stops taking work and commits what is queued. */
  close(): void {
    this.closed = true;
    this.flush();
  }
}
