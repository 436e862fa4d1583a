/**
 * What one accepted event does, the same on every backend: its stock effects applied to the
 * ledger (or the whole event parked while its location is undefined), stock the location's
 * authority shows leaving for an order, counts that may confirm shipments, and the order event
 * handed on for the order state machine. The embedded ingest, the scale-out workers and every
 * api process's read model call this and only persist or hold what it reports.
 */
import type { HubEvent } from '../../model/hub-event.js';
import type { InventoryEvent } from '../../model/inventory-event.js';
import type { OrderEvent } from '../../model/order-event.js';
import type { AvailabilityBook, FigureChange, LocationDef } from './availability-book.js';
import type { ChannelRule } from './channel-availability.js';
import type { InventoryLedger } from './inventory-ledger.js';
import type { OvertakenBucket } from './stock-position.js';
import { stockEffectsOf } from './stock-effects.js';

/** Where the effects of an event are reported; each caller keeps, writes or ignores them. */
export interface EventEffects {
  /** An inventory event named `sku`: the item is known from now on. */
  itemNamed(sku: string): void;
  /** Stock of `sku` at `location` changed: the channel figures it feeds must be recomputed. */
  moved(sku: string, location: string): void;
  /** The event waits, whole, until `location` is defined. */
  parked(location: string, sku: string, reason: string): void;
  /** The location's authority showed `qty` units of `sku` leaving `location` for an order. */
  departed(orderId: string, sku: string, location: string, qty: number, event: InventoryEvent): void;
  /** The location's authority counted `sku` at `location`: shipments before the count are inside it. */
  counted(sku: string, location: string): void;
  /**
   * A snapshot came after more of its source's later movements than the ledger keeps: these
   * buckets keep their figure and the count is reported, never dropped silently.
   */
  overtaken(snapshot: InventoryEvent, buckets: readonly OvertakenBucket[]): void;
  /** An order event, after its stock effect (a return's units), for the order state machine. */
  orderEvent(event: OrderEvent): void;
}

/** Why an accepted event waits: the same words on both backends, whatever the event. */
export function parkReason(location: string): string {
  return `location '${location}' is not defined; the event applies when it is (PUT /v1/locations/${location})`;
}

/**
 * Stock leaving for an order: a pick or ship movement carrying the order's id that takes units
 * off hand. It counts even when an earlier count already contains it (orderHolds takes the larger
 * of departures and counted shipments, never the sum).
 */
export function departureOf(event: HubEvent): { orderId: string; qty: number } | undefined {
  if (event.type !== 'inventory.movement' || event.orderId === undefined) return undefined;
  const left = -(event.delta.onHand ?? 0);
  return left > 0 && (event.reason === 'pick' || event.reason === 'ship') ? { orderId: event.orderId, qty: left } : undefined;
}

/** Applies one deduplicated event at its log position and reports its effects. */
export function applyEvent(
  event: HubEvent,
  position: number,
  ledger: InventoryLedger,
  locations: ReadonlyMap<string, LocationDef>,
  effects: EventEffects,
): void {
  const inventory = event.type === 'inventory.movement' || event.type === 'inventory.snapshot';
  if (inventory) {
    effects.itemNamed(event.sku);
    applyStock(event, event, position, ledger, locations, effects);
  } else {
    const stock = stockEffectsOf(event);
    const location = stock[0]?.location;
    if (location !== undefined && !locations.has(location)) effects.parked(location, stock[0]!.sku, parkReason(location));
    else for (const effect of stock) applyStock(event, effect, position, ledger, locations, effects);
    effects.orderEvent(event);
  }
}

function applyStock(
  event: HubEvent,
  effect: InventoryEvent,
  position: number,
  ledger: InventoryLedger,
  locations: ReadonlyMap<string, LocationDef>,
  effects: EventEffects,
): void {
  const def = locations.get(effect.location);
  if (!def) {
    effects.parked(effect.location, effect.sku, parkReason(effect.location));
    return;
  }
  const overtaken: OvertakenBucket[] | undefined = effect.type === 'inventory.snapshot' ? [] : undefined;
  const applied = ledger.apply(effect, position, overtaken) === 'applied';
  if (applied) effects.moved(effect.sku, effect.location);
  if (overtaken !== undefined && overtaken.length > 0) effects.overtaken(effect, overtaken);
  // A return's units are the return's own business; only inventory events speak for the authority.
  if (effect !== event || effect.source !== def.authority) return;
  if (applied) closeAnnouncedSupply(effect, def.authority, ledger);
  const departure = departureOf(effect);
  if (departure) effects.departed(departure.orderId, effect.sku, effect.location, departure.qty, effect);
  else if (applied && effect.type === 'inventory.snapshot') effects.counted(effect.sku, effect.location);
}

/**
 * The authority's receipt closes the announced supply it fulfils: a receipt movement that puts
 * units on hand closes up to that many, a count closes every announced line due by its time.
 */
function closeAnnouncedSupply(effect: InventoryEvent, authority: string, ledger: InventoryLedger): void {
  if (effect.type === 'inventory.movement') {
    const received = effect.delta.onHand ?? 0;
    if (effect.reason === 'receipt' && received > 0) ledger.closeSupply(effect.sku, effect.location, authority, { received });
  } else ledger.closeSupply(effect.sku, effect.location, authority, { countedAt: effect.occurredAt });
}

/**
 * A parked event released by the definition of `location`: its stock effects there applied at
 * the event's own position. Returns the items whose stock it changed.
 */
export function applyReleased(
  event: HubEvent,
  position: number,
  location: string,
  ledger: InventoryLedger,
  onOvertaken?: (snapshot: InventoryEvent, buckets: readonly OvertakenBucket[]) => void,
): string[] {
  const skus: string[] = [];
  for (const effect of stockEffectsOf(event)) {
    if (effect.location !== location) continue;
    const overtaken: OvertakenBucket[] = [];
    if (ledger.apply(effect, position, overtaken) === 'applied') skus.push(effect.sku);
    if (overtaken.length > 0) onOvertaken?.(effect, overtaken);
  }
  return skus;
}

/** Effects a caller does not keep (rebuilding a ledger from the log keeps only the ledger). */
export const ignoredEffects: EventEffects = {
  itemNamed() {},
  moved() {},
  parked() {},
  departed() {},
  counted() {},
  overtaken() {},
  orderEvent() {},
};

/**
 * Defining a location, the same on every backend: the events parked for it apply at their own
 * log positions, then every figure of `skus` at the location is recomputed into `moved` (the
 * items the location holds and those the released events name). Released counts the ledger
 * cannot apply exactly go to `onOvertaken` with their positions. Returns how many events it released.
 */
export function applyLocationDefinition(
  book: AvailabilityBook,
  ledger: InventoryLedger,
  def: LocationDef,
  released: readonly { event: HubEvent; position: number }[],
  skus: Iterable<string>,
  nowMs: number,
  moved: FigureChange[],
  onOvertaken?: (snapshot: InventoryEvent, position: number, buckets: readonly OvertakenBucket[]) => void,
): number {
  book.defineLocation(def);
  const touched = new Set(skus);
  for (const r of released) {
    const overtaken = onOvertaken && ((snapshot: InventoryEvent, buckets: readonly OvertakenBucket[]) => onOvertaken(snapshot, r.position, buckets));
    for (const sku of applyReleased(r.event, r.position, def.id, ledger, overtaken)) touched.add(sku);
  }
  for (const sku of touched) book.refreshAt(sku, def.id, nowMs, moved);
  return released.length;
}

/** Defining or changing a channel: its figure of each of `skus` recomputed into `moved`. */
export function applyChannelDefinition(book: AvailabilityBook, channel: ChannelRule, skus: Iterable<string>, nowMs: number, moved: FigureChange[]): void {
  book.defineChannel(channel);
  const rule = book.channels.get(channel.id)!;
  for (const sku of skus) book.refreshOne(rule, sku, nowMs, moved);
}
