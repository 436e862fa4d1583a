/**
 * Admin use cases that shape availability: defining a location (which releases the events parked
 * for it), a channel (which recomputes its figures) and an item. Each commits its change, the
 * figure changes it causes and a checkpoint in one transaction.
 */
import type { Channel, ChannelInput, ItemInput, LocationInput } from '../../model/catalog.js';
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import { InvalidInputError, StorageFailedError } from '../../domain/errors.js';
import { applyChannelDefinition, applyLocationDefinition } from '../../domain/inventory/event-application.js';
import type { Clock } from '../../ports/clock.js';
import type { InventoryStore, OvertakenCount } from '../../ports/inventory-store.js';
import { overtakenCount } from './overtaken-counts.js';
import type { InventoryState } from './inventory-state.js';
import type { Catalog, LocationDefined } from './inventory-view.js';
import type { AvailabilityBook } from '../../domain/inventory/availability-book.js';

export interface CatalogDeps {
  state: InventoryState;
  store: InventoryStore;
  clock: Clock;
}

/** Defines or redefines a location; parked events for a new one are applied. */
export function defineLocation(deps: CatalogDeps, id: string, input: LocationInput): LocationDefined {
  const { state, store, clock } = deps;
  const created = !state.book.locations.has(id);
  let released = 0;
  commitAdmin(deps, 'the location', () => {
    const def = { id, name: input.name, authority: input.authority };
    store.saveLocation(def);
    const parked = store.unparkLocation(id).flatMap((p) => {
      const event = store.eventAt(p.position);
      return event ? [{ event, position: p.position }] : [];
    });
    const nowMs = clock.now();
    const moved: FigureChange[] = [];
    const overtaken: OvertakenCount[] = [];
    const recordedAt = new Date(nowMs).toISOString();
    released = applyLocationDefinition(state.book, state.ledger, def, parked, state.ledger.skusAt(id), nowMs, moved, (snapshot, position, buckets) =>
      overtaken.push(overtakenCount(snapshot, position, buckets, recordedAt)),
    );
    store.recordOvertaken(overtaken);
    state.writeChanges(moved, nowMs);
  });
  return { id, name: input.name, authority: input.authority, released, created };
}

/** Defines or redefines a channel. Throws InvalidInputError naming a location that is not defined. */
export function defineChannel(deps: CatalogDeps, id: string, input: ChannelInput): { channel: Channel; created: boolean } {
  const { state, store, clock } = deps;
  checkChannelLocations(state.book, input);
  const channel = channelFromInput(id, input);
  const created = !state.book.channels.has(id);
  commitAdmin(deps, 'the channel', () => {
    store.saveChannel(channel);
    const nowMs = clock.now();
    const moved: FigureChange[] = [];
    applyChannelDefinition(state.book, channel, state.book.skusOf(channel), nowMs, moved);
    state.writeChanges(moved, nowMs);
  });
  return { channel, created };
}

/** Throws InvalidInputError naming each location of the channel that is not defined. */
export function checkChannelLocations(book: AvailabilityBook, input: ChannelInput): void {
  const missing = input.locations
    .map((loc, i) => ({ loc, i }))
    .filter(({ loc }) => !book.locations.has(loc))
    .map(({ loc, i }) => ({ path: `/locations/${i}`, message: `location '${loc}' is not defined; PUT /v1/locations/${loc} first` }));
  if (missing.length > 0) throw new InvalidInputError(missing, 'The channel names locations the hub does not know.');
}

/** The embedded catalogue behind the Catalog interface the routes use. */
export function embeddedCatalog(deps: CatalogDeps): Catalog {
  return {
    defineLocation: async (id, input) => defineLocation(deps, id, input),
    defineChannel: async (id, input) => defineChannel(deps, id, input),
    defineItem: async (sku, input) => defineItem(deps, sku, input),
  };
}

/** The channel rule an input describes, defaults applied. */
export function channelFromInput(id: string, input: ChannelInput): Channel {
  return {
    id,
    locations: input.locations,
    safetyStock: input.safetyStock ?? 0,
    ...(input.allocation ? { allocation: input.allocation } : {}),
    ...(input.includeInbound ? { includeInbound: input.includeInbound } : {}),
    onErpUnavailable: input.onErpUnavailable ?? 'queue',
    onCreditHold: input.onCreditHold ?? 'hold',
  };
}

export function defineItem(deps: CatalogDeps, sku: string, input: ItemInput): { created: boolean } {
  const { state, store } = deps;
  const created = !state.items.get(sku);
  const item = { sku, description: input.description, uom: input.uom ?? 'EA' };
  commitAdmin(deps, 'the item', () => {
    store.saveItem(item);
    state.items.set(sku, item);
  });
  return { created };
}

function commitAdmin(deps: CatalogDeps, what: string, change: () => void): void {
  try {
    deps.store.transaction(() => {
      change();
      deps.state.checkpoint();
    });
  } catch (err) {
    deps.state.reload();
    throw new StorageFailedError(what, err);
  }
}
