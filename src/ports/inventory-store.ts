/**
 * What the inventory services need from storage: the durable event log (accepted events in
 * batches, with the ids already seen), parked events, the channel change feed, checkpoints of the
 * in-memory ledger, and the catalogue. One ingest is one `commitIngest` call: the store keeps the
 * log, the parked list and the feed in one transaction, so an acknowledged batch is all there or
 * not at all.
 *
 * Synchronous on purpose: the embedded backend (better-sqlite3) commits inside one call, which is
 * what lets group commit run without interleaving. The scale-out backend will need an
 * asynchronous counterpart of commitIngest with the same decide-then-commit shape.
 */
import type { HubEvent } from '../model/hub-event.js';
import type { Channel } from '../model/catalog.js';
import type { LocationDef } from '../domain/inventory/availability-book.js';
import type { OvertakenBucket } from '../domain/inventory/stock-position.js';

export interface LoggedEvent {
  position: number;
  event: HubEvent;
}

export interface ParkedEvent {
  position: number;
  sku: string;
  location: string;
  reason: string;
  parkedAt: string;
  /** The event's own correlation id, else that of the request that submitted it. */
  correlationId?: string;
}

/**
 * A count that came after more of its source's later movements than the ledger keeps: the
 * buckets it could not set, with what it counted and the figure the hub kept.
 */
export interface OvertakenCount {
  position: number;
  source: string;
  seq: number;
  sku: string;
  location: string;
  /** The snapshot's occurredAt. */
  countedAt: string;
  buckets: OvertakenBucket[];
  recordedAt: string;
}

export interface RecordedChange {
  channel: string;
  cursor: number;
  sku: string;
  available: number;
  previous: number;
  position: number;
  at: string;
}

/**
 * One submission's accepted events as the log keeps them: the payload as it arrived (JSON array)
 * and, when not every element was accepted, the indexes of those that were, in position order.
 */
export interface LogBatch {
  firstPosition: number;
  count: number;
  payload: string;
  accepted: number[] | null;
}

/** Figure changes of one channel in one commit; cursors run from firstCursor on. */
export interface FeedAppend {
  channel: string;
  firstCursor: number;
  position: number;
  at: string;
  changes: { sku: string; available: number; previous: number }[];
}

export interface IngestRecord {
  batches: LogBatch[];
  parked: ParkedEvent[];
  overtaken: OvertakenCount[];
  feed: FeedAppend[];
  receivedAt: string;
}

export interface Checkpoint {
  position: number;
  positions: { key: string; state: string }[];
  sequences: { source: string; spans: number[] }[];
  figures: { channel: string; sku: string; available: number }[];
  feedCursors: Record<string, number>;
}

export interface SavedCheckpoint {
  position: number;
  positions: Iterable<string>;
  sequences: Iterable<{ source: string; spans: number[] }>;
  figures: Iterable<{ channel: string; sku: string; available: number }>;
  feedCursors: Record<string, number>;
}

export interface ItemRecord {
  sku: string;
  description: string;
  uom: string;
}

export interface InventoryStore {
  /**
   * Runs one ingest: records the candidate ids (source + id) and passes the ones never seen before
   * to `decide`, which returns what to write; all of it commits together or not at all.
   */
  commitIngest(candidateKeys: string[], decide: (newKeys: Set<string>) => IngestRecord | undefined): void;
  /** Runs `fn` in one transaction (admin changes with their checkpoint). */
  transaction<T>(fn: () => T): T;

  headPosition(): number;
  readEvents(afterPosition: number, limit: number): LoggedEvent[];
  eventAt(position: number): HubEvent | undefined;

  parkEvents(parked: ParkedEvent[]): void;
  parkedEvents(location?: string, limit?: number): ParkedEvent[];
  unparkLocation(location: string): ParkedEvent[];

  /** Keeps counts the ledger could not apply exactly (once per log position). */
  recordOvertaken(counts: readonly OvertakenCount[]): void;
  overtakenCounts(afterPosition: number, limit: number): OvertakenCount[];

  appendChanges(feed: FeedAppend[]): void;
  readChanges(channel: string, afterCursor: number, limit: number): RecordedChange[];
  lastCursors(): Record<string, number>;

  saveCheckpoint(c: Checkpoint): void;
  loadCheckpoint(): SavedCheckpoint;

  saveLocation(def: LocationDef): void;
  loadLocations(): LocationDef[];
  saveChannel(channel: Channel): void;
  loadChannels(): Channel[];
  saveItem(item: ItemRecord): void;
  loadItems(): ItemRecord[];

  close(): void;
}
