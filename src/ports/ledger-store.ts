/**
 * The inventory state the scale-out workers share: stock positions, published figures, the
 * change feed, parked events and the catalogue, with an inbox of applied events. Each batch of
 * log entries is applied in one transaction that also records its events in the inbox, so an
 * entry handed to a worker twice (its first worker died before acknowledging) changes nothing the
 * second time.
 *
 * Lock order (what keeps concurrent workers free of deadlocks): the catalogue lock (shared by
 * event batches, exclusive for catalogue changes), then inbox rows in key order, then item rows
 * in sku order, then channel cursors in channel order.
 */
import type { Channel } from '../model/catalog.js';
import type { HubEvent } from '../model/hub-event.js';
import type { LocationDef } from '../domain/inventory/availability-book.js';
import type { StockPosition } from '../domain/inventory/stock-position.js';
import type { ItemRecord, OvertakenCount, ParkedEvent, RecordedChange } from './inventory-store.js';
import type { OrderWrites } from './locking-order-store.js';

/** A StockPosition as its toJSON() gives it. */
export type PositionState = object;

export interface InboxClaim {
  source: string;
  id: string;
  seq: number;
  position: number;
}

export interface FigureRow {
  channel: string;
  sku: string;
  available: number;
}

export interface StockHold {
  sku: string;
  location: string;
  units: number;
}

export interface ChangeAppend {
  channel: string;
  position: number;
  at: string;
  changes: { sku: string; available: number; previous: number }[];
}

export interface LedgerTransaction {
  /** Order writes in this same transaction (order capture, release, cancellation). */
  readonly orders: OrderWrites;
  /** Records the events in the inbox; per event, true when neither its id nor its seq was applied before. */
  claim(events: readonly InboxClaim[]): Promise<boolean[]>;
  /** Locks the items' rows (creating them) until the transaction ends. */
  lockItems(skus: readonly string[]): Promise<void>;
  /** The catalogue and these items' positions, figures and holds, in one round trip. */
  itemsState(
    skus: readonly string[],
  ): Promise<{ locations: LocationDef[]; channels: Channel[]; positions: PositionState[]; figures: FigureRow[]; reserved: StockHold[] }>;
  /** Items with any position at one of these locations. */
  skusAt(locations: readonly string[]): Promise<string[]>;
  /** Queues an entry for the shared log, committed with this transaction (the log relay appends it); returns its outbox id. */
  queueForLog(kind: 'holds', key: string, body: object): Promise<number>;
  /** Records holds for orders (the items must be locked by this transaction). */
  addHolds(holds: readonly (StockHold & { orderId: string })[]): Promise<void>;
  /** Orders' holds, locked until the transaction ends. */
  holdsOf(orderIds: readonly string[]): Promise<(StockHold & { orderId: string })[]>;
  /** Items a channel has published a figure for. */
  skusPublished(channel: string): Promise<string[]>;
  savePositions(positions: readonly StockPosition[]): Promise<void>;
  /** Items with inbound that has an ETA somewhere (their figures move with time). */
  skusWithDatedInbound(): Promise<string[]>;
  /** Records figure changes: the published figures and the channels' feeds (dense cursors). */
  appendChanges(appends: readonly ChangeAppend[]): Promise<void>;
  park(parked: readonly (ParkedEvent & { event: HubEvent })[]): Promise<void>;
  /** Removes and returns the events parked for a location, in position order. */
  unpark(location: string): Promise<{ position: number; event: HubEvent }[]>;
  /** Keeps counts the ledger could not apply exactly (once per log position). */
  recordOvertaken(counts: readonly OvertakenCount[]): Promise<void>;
  saveLocation(def: LocationDef): Promise<void>;
  saveChannel(channel: Channel): Promise<void>;
  saveItem(item: ItemRecord): Promise<void>;
}

export interface QueuedEntry {
  id: number;
  kind: 'holds';
  key: string;
  body: object;
}

export interface DeadEntry {
  position: number;
  kind: string;
  body: string;
  error: string;
  attempts: number;
  at: string;
}

export interface LedgerStore {
  /** Runs an event batch in one transaction, holding the catalogue lock shared. */
  eventBatch<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T>;
  /** Runs a catalogue change in one transaction, holding the catalogue lock exclusively. */
  catalogChange<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T>;
  readChanges(channel: string, afterCursor: number, limit: number): Promise<RecordedChange[]>;
  parkedEvents(location: string | undefined, limit: number): Promise<ParkedEvent[]>;
  overtakenCounts(afterPosition: number, limit: number): Promise<OvertakenCount[]>;
  figure(channel: string, sku: string): Promise<number>;
  deadLetter(entry: DeadEntry): Promise<void>;
  /**
   * Takes up to `limit` queued log entries no other relay is taking, passes them to `append`,
   * and deletes them once it resolves (all in one transaction); returns how many.
   */
  relayToLog(limit: number, append: (entries: QueuedEntry[]) => Promise<void>): Promise<number>;
  deadEntries(limit: number): Promise<DeadEntry[]>;
  deadEntry(position: number): Promise<DeadEntry | undefined>;
  forgetDeadEntry(position: number): Promise<void>;
  close(): Promise<void>;
}
