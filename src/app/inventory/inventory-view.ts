/**
 * What the read side of the API needs of the live inventory state, whichever backend keeps it:
 * the embedded hub's InventoryState and a scale-out api process's read model both provide it.
 */
import type { SystemAccess } from '../../domain/access/system-access.js';
import type { AvailabilityBook } from '../../domain/inventory/availability-book.js';
import type { ChannelRule } from '../../domain/inventory/channel-availability.js';
import type { InventoryLedger } from '../../domain/inventory/inventory-ledger.js';
import type { IngestResult } from '../../model/inventory-event.js';
import type { Channel, ChannelInput, ItemInput, LocationInput } from '../../model/catalog.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { LoggedEvent, OvertakenCount, ParkedEvent, RecordedChange } from '../../ports/inventory-store.js';
import type { ItemRecord } from '../../ports/inventory-store.js';

export interface InventoryView {
  readonly ledger: InventoryLedger;
  readonly book: AvailabilityBook;
  readonly items: ReadonlyMap<string, ItemRecord | null>;
  /** The log position whose effects the figures include. */
  readonly position: number;
  isKnownSku(sku: string): boolean;
  /** What the channel may sell of the item at `nowMs`: 0 for an item it knows nothing of. */
  figure(rule: ChannelRule, sku: string, nowMs: number): number;
}

/** Takes a batch of events; resolves once the accepted ones are durable. */
export interface Ingest {
  /** `sender`: the systems the caller may send as (a key bound to systems); an event from another source is rejected on its own. */
  submit(values: readonly unknown[], payload?: string, correlationId?: string, sender?: SystemAccess): Promise<IngestResult>;
}

export interface LocationDefined {
  id: string;
  name: string;
  authority: string;
  released: number;
  created: boolean;
}

/** Master data that shapes availability. Throws InvalidInputError, StorageFailedError. */
export interface Catalog {
  defineLocation(id: string, input: LocationInput): Promise<LocationDefined>;
  defineChannel(id: string, input: ChannelInput): Promise<{ channel: Channel; created: boolean }>;
  defineItem(sku: string, input: ItemInput): Promise<{ created: boolean }>;
}

type Awaitable<T> = T | Promise<T>;

/** The log, the parked events and the change feed as the read routes see them. */
export interface InventoryReads {
  readEvents(afterPosition: number, limit: number): Awaitable<LoggedEvent[]>;
  eventAt(position: number): Awaitable<HubEvent | undefined>;
  parkedEvents(location: string | undefined, limit: number): Awaitable<ParkedEvent[]>;
  /** Counts the ledger could not apply exactly, in log order after `afterPosition`. */
  overtakenCounts(afterPosition: number, limit: number): Awaitable<OvertakenCount[]>;
  readChanges(channel: string, afterCursor: number, limit: number): Awaitable<RecordedChange[]>;
}
