/**
 * Channel availability as the channels were last told it: the catalogue that shapes figures
 * (locations with their authority, channels with their rules, known items) and the published
 * figure per channel × item. Given ledger changes it decides which figures moved and returns
 * them as changes; the application layer records and delivers them.
 */
import { channelAvailable, explainChannelFigure, type ChannelFigure, type ChannelRule, type LocationStock } from './channel-availability.js';
import type { InventoryLedger } from './inventory-ledger.js';
import type { StockPosition } from './stock-position.js';

export interface LocationDef {
  id: string;
  name: string;
  authority: string;
}

export interface FigureChange {
  channel: string;
  sku: string;
  previous: number;
  available: number;
}

const DAY_MS = 86_400_000;

export class AvailabilityBook {
  readonly locations = new Map<string, LocationDef>();
  readonly channels = new Map<string, ChannelRule>();
  private readonly channelsByLocation = new Map<string, ChannelRule[]>();
  /** channel → sku → figure last published (absent means 0). */
  private readonly published = new Map<string, Map<string, number>>();
  /** channel → items whose published figure changed since the last checkpoint (may repeat). */
  readonly dirtyFigures = new Map<string, string[]>();
  /** Reused per location so computing a figure allocates nothing. */
  private readonly scratch: LocationStock[] = [];

  private horizonNow = NaN;
  private readonly horizons = new Map<ChannelRule, string | undefined>();

  constructor(private readonly ledger: InventoryLedger) {}

  /** The channel's inbound horizon at `nowMs`, computed once per instant rather than per item. */
  private horizonAt(rule: ChannelRule, nowMs: number): string | undefined {
    if (nowMs !== this.horizonNow) {
      this.horizons.clear();
      this.horizonNow = nowMs;
    }
    let limit = this.horizons.get(rule);
    if (limit === undefined && !this.horizons.has(rule)) {
      limit = horizon(rule, nowMs);
      this.horizons.set(rule, limit);
    }
    return limit;
  }

  defineLocation(def: LocationDef): void {
    this.locations.set(def.id, def);
  }

  defineChannel(rule: ChannelRule): void {
    this.channels.set(rule.id, rule);
    if (!this.published.has(rule.id)) this.published.set(rule.id, new Map());
    this.channelsByLocation.clear();
    for (const ch of this.channels.values()) {
      for (const loc of ch.locations) {
        const list = this.channelsByLocation.get(loc);
        if (list) list.push(ch);
        else this.channelsByLocation.set(loc, [ch]);
      }
    }
  }

  channelsAt(location: string): readonly ChannelRule[] {
    return this.channelsByLocation.get(location) ?? [];
  }

  /** The stock the channel may count at one location: the authority's figures and our reservations. */
  stockAt(sku: string, location: string, inboundLimitIso: string | undefined, into?: LocationStock): LocationStock {
    return this.fill(
      this.ledger.stockOf(sku),
      location,
      inboundLimitIso,
      into ?? { location, onHand: 0, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 0 },
    );
  }

  compute(rule: ChannelRule, sku: string, nowMs: number): number {
    const stock = this.ledger.stockOf(sku);
    // An item with no stock anywhere sells nothing, whatever the rule: skip the per-location terms.
    if (!stock) return 0;
    const limit = rule.includeInbound ? this.horizonAt(rule, nowMs) : undefined;
    const n = rule.locations.length;
    while (this.scratch.length < n) this.scratch.push({ location: '', onHand: 0, qualityHold: 0, damaged: 0, reserved: 0, inboundDue: 0 });
    for (let i = 0; i < n; i++) this.fill(stock, rule.locations[i]!, limit, this.scratch[i]!);
    return channelAvailable(rule, this.scratch, n);
  }

  private fill(stock: ReturnType<InventoryLedger['stockOf']>, location: string, inboundLimitIso: string | undefined, s: LocationStock): LocationStock {
    const def = this.locations.get(location);
    const entry = def ? stock?.get(location) : undefined;
    let pos: StockPosition | undefined;
    // Supply suppliers announced for the location counts as its inbound while open (REFERENCE, EDI X12).
    let announced = 0;
    if (entry)
      for (const p of entry.sources) {
        if (p.source === def!.authority) pos = p;
        else if (p.announces && inboundLimitIso !== undefined) announced += p.openSupplyDueBy(inboundLimitIso);
      }
    s.location = location;
    s.onHand = pos ? pos.buckets.onHand.total : 0;
    s.qualityHold = pos ? pos.buckets.qualityHold.total : 0;
    s.damaged = pos ? pos.buckets.damaged.total : 0;
    s.reserved = entry ? entry.reserved : 0;
    s.inboundDue = (pos && inboundLimitIso !== undefined ? pos.inboundDueBy(inboundLimitIso) : 0) + announced;
    return s;
  }

  explain(rule: ChannelRule, sku: string, nowMs: number): ChannelFigure {
    const limit = horizon(rule, nowMs);
    return explainChannelFigure(
      rule,
      rule.locations.map((loc) => this.stockAt(sku, loc, limit)),
    );
  }

  publishedFigure(channel: string, sku: string): number {
    return this.published.get(channel)?.get(sku) ?? 0;
  }

  /** Recomputes the channels fed by `location` for `sku`; appends the figures that moved. */
  refreshAt(sku: string, location: string, nowMs: number, out: FigureChange[]): void {
    for (const rule of this.channelsAt(location)) this.refreshOne(rule, sku, nowMs, out);
  }

  /** Recomputes, once per channel, every channel fed by any of `locations` for `sku`. */
  refreshItem(sku: string, locations: readonly string[], nowMs: number, out: FigureChange[]): void {
    if (locations.length === 1) {
      this.refreshAt(sku, locations[0]!, nowMs, out);
      return;
    }
    const rules = new Set<ChannelRule>();
    for (const loc of locations) for (const rule of this.channelsAt(loc)) rules.add(rule);
    for (const rule of rules) this.refreshOne(rule, sku, nowMs, out);
  }

  refreshOne(rule: ChannelRule, sku: string, nowMs: number, out: FigureChange[]): void {
    const figures = this.published.get(rule.id)!;
    const previous = figures.get(sku) ?? 0;
    const available = this.compute(rule, sku, nowMs);
    if (available === previous) return;
    if (available === 0) figures.delete(sku);
    else figures.set(sku, available);
    this.markDirty(rule.id, sku);
    out.push({ channel: rule.id, sku, previous, available });
  }

  /** Every item a channel could sell: what its locations hold plus what it has published. */
  skusOf(rule: ChannelRule): Set<string> {
    const skus = new Set<string>(this.published.get(rule.id)?.keys() ?? []);
    for (const loc of rule.locations) for (const sku of this.ledger.skusAt(loc)) skus.add(sku);
    return skus;
  }

  private markDirty(channel: string, sku: string): void {
    // A plain list, deduplicated at checkpoint time: cheaper than a set on the ingest path.
    const skus = this.dirtyFigures.get(channel);
    if (skus) skus.push(sku);
    else this.dirtyFigures.set(channel, [sku]);
  }

  /** Restores a published figure; `unsaved` when it comes from after the last checkpoint. */
  restoreFigure(channel: string, sku: string, available: number, unsaved = false): void {
    if (unsaved) this.markDirty(channel, sku);
    let figures = this.published.get(channel);
    if (!figures) {
      figures = new Map();
      this.published.set(channel, figures);
    }
    if (available === 0) figures.delete(sku);
    else figures.set(sku, available);
  }

  publishedEntries(channel: string): IterableIterator<[string, number]> {
    return (this.published.get(channel) ?? new Map<string, number>()).entries();
  }
}

/** The latest ETA a channel counts at `nowMs`, or undefined when it counts no inbound. */
export function horizon(rule: ChannelRule, nowMs: number): string | undefined {
  return rule.includeInbound ? new Date(nowMs + rule.includeInbound.withinDays * DAY_MS).toISOString() : undefined;
}
