/**
 * The inventory ledger: every source's stock position per item × location, the hub's own
 * reservations, and which seqs each source has already delivered. Pure and in memory; the
 * application layer makes it durable (event log + checkpoints) and rebuilds it on start.
 */
import type { InventoryEvent } from '../../model/inventory-event.js';
import { UNDATED } from './buckets.js';
import { SeenSequences } from './seen-sequences.js';
import { StockPosition, type ApplyOutcome } from './stock-position.js';

const SEP = '\u001f';
export const stockKey = (sku: string, location: string) => sku + SEP + location;

export class InventoryLedger {
  private readonly positions = new Map<string, StockPosition>();
  private readonly bySkuLocation = new Map<string, StockPosition[]>();
  private readonly skusByLocation = new Map<string, Set<string>>();
  private readonly reserved = new Map<string, number>();
  private readonly seen = new Map<string, SeenSequences>();
  /** Items with dated inbound somewhere: their horizon figures change as time passes. */
  readonly skusWithDatedInbound = new Set<string>();
  /** Positions changed since the last checkpoint. */
  readonly dirtyPositions = new Set<StockPosition>();
  readonly dirtySources = new Set<string>();
  readonly dirtyReservations = new Set<string>();

  /** True when this source already delivered this seq. */
  hasSeq(source: string, seq: number): boolean {
    return this.seen.get(source)?.has(seq) ?? false;
  }

  /** Records a delivered seq; false when it was a duplicate. */
  markSeq(source: string, seq: number): boolean {
    let set = this.seen.get(source);
    if (!set) { set = new SeenSequences(); this.seen.set(source, set); }
    const added = set.add(seq);
    if (added) this.dirtySources.add(source);
    return added;
  }

  /** Applies an already deduplicated event at its log position. */
  apply(event: InventoryEvent, position: number): ApplyOutcome {
    const pos = this.positionFor(event.source, event.sku, event.location);
    let outcome: ApplyOutcome;
    if (event.type === 'inventory.movement') {
      outcome = pos.applyMovement({
        seq: event.seq, position, delta: event.delta,
        eta: event.eta !== undefined && event.delta.inbound !== undefined ? normaliseInstant(event.eta) : UNDATED,
      });
    } else {
      const b = event.balance;
      outcome = pos.applySnapshot({
        seq: event.seq, position,
        onHand: b.onHand, qualityHold: b.qualityHold ?? 0, damaged: b.damaged ?? 0,
        inbound: b.inbound === undefined ? undefined : inboundLines(b.inbound),
      });
    }
    if (outcome === 'applied') {
      this.dirtyPositions.add(pos);
      if (pos.hasDatedInbound()) this.skusWithDatedInbound.add(event.sku);
    }
    return outcome;
  }

  position(source: string, sku: string, location: string): StockPosition | undefined {
    return this.positions.get(source + SEP + sku + SEP + location);
  }

  /** Every source's position for an item at a location (authoritative and shadows). */
  sourcesAt(sku: string, location: string): readonly StockPosition[] {
    return this.bySkuLocation.get(stockKey(sku, location)) ?? [];
  }

  skusAt(location: string): ReadonlySet<string> {
    return this.skusByLocation.get(location) ?? new Set();
  }

  reservedAt(sku: string, location: string): number {
    return this.reserved.get(stockKey(sku, location)) ?? 0;
  }

  /** Adds (or with a negative qty releases) the hub's reservation of an item at a location. */
  reserve(sku: string, location: string, qty: number): void {
    const key = stockKey(sku, location);
    const next = (this.reserved.get(key) ?? 0) + qty;
    if (next < 0) throw new RangeError(`reservation of ${sku} at ${location} would go negative (${next})`);
    if (next === 0) this.reserved.delete(key); else this.reserved.set(key, next);
    this.trackSku(sku, location);
    this.dirtyReservations.add(key);
  }

  allPositions(): IterableIterator<StockPosition> {
    return this.positions.values();
  }

  seenSequences(source: string): SeenSequences | undefined {
    return this.seen.get(source);
  }

  sources(): IterableIterator<[string, SeenSequences]> {
    return this.seen.entries();
  }

  /** Restores state saved by a checkpoint (not marked dirty). */
  restorePosition(p: StockPosition): void {
    this.index(p);
    if (p.hasDatedInbound()) this.skusWithDatedInbound.add(p.sku);
  }

  restoreSequences(source: string, spans: number[]): void {
    this.seen.set(source, new SeenSequences(spans));
  }

  restoreReservation(sku: string, location: string, qty: number): void {
    if (qty !== 0) this.reserved.set(stockKey(sku, location), qty);
    this.trackSku(sku, location);
  }

  reservations(): IterableIterator<[string, number]> {
    return this.reserved.entries();
  }

  private positionFor(source: string, sku: string, location: string): StockPosition {
    const key = source + SEP + sku + SEP + location;
    let pos = this.positions.get(key);
    if (!pos) {
      pos = new StockPosition(source, sku, location);
      this.index(pos);
    }
    return pos;
  }

  private index(p: StockPosition): void {
    this.positions.set(p.source + SEP + p.sku + SEP + p.location, p);
    const k = stockKey(p.sku, p.location);
    const list = this.bySkuLocation.get(k);
    if (list) list.push(p); else this.bySkuLocation.set(k, [p]);
    this.trackSku(p.sku, p.location);
  }

  private trackSku(sku: string, location: string): void {
    let set = this.skusByLocation.get(location);
    if (!set) { set = new Set(); this.skusByLocation.set(location, set); }
    set.add(sku);
  }
}

/** One instant, one spelling: ETAs compare as strings once normalised to UTC ISO-8601. */
export function normaliseInstant(iso: string): string {
  return new Date(iso).toISOString();
}

function inboundLines(inbound: number | { qty: number; eta?: string }[]): Record<string, number> {
  if (typeof inbound === 'number') return { [UNDATED]: inbound };
  const out: Record<string, number> = {};
  for (const line of inbound) {
    const eta = line.eta === undefined ? UNDATED : normaliseInstant(line.eta);
    out[eta] = (out[eta] ?? 0) + line.qty;
  }
  return out;
}
