/**
 * The inventory ledger: every source's stock position per item × location, the hub's own
 * reservations, and which seqs each source has already delivered. Pure and in memory; the
 * application layer makes it durable (event log + checkpoints) and rebuilds it on start.
 *
 * Held as item → location → entry so lookups on the hot paths build no composite keys.
 */
import type { InventoryEvent } from '../../model/inventory-event.js';
import { UNDATED } from './buckets.js';
import { SeenSequences } from './seen-sequences.js';
import { StockPosition, TAIL_LIMIT, type ApplyOutcome, type OvertakenBucket } from './stock-position.js';

/** What the hub knows of one item at one location. */
interface LocationEntry {
  /** One per reporting source; the location's authority is one of them (or none yet). */
  sources: StockPosition[];
  reserved: number;
}

export interface LedgerOptions {
  /** Movements each bucket keeps after its snapshot: the bound on late snapshots (TAIL_LIMIT unless set). */
  movementsKept?: number;
}

export class InventoryLedger {
  private readonly items = new Map<string, Map<string, LocationEntry>>();
  private readonly skusByLocation = new Map<string, Set<string>>();
  private readonly seen = new Map<string, SeenSequences>();
  /** Items with dated inbound somewhere: their horizon figures change as time passes. */
  readonly skusWithDatedInbound = new Set<string>();
  /** Positions changed since the last checkpoint. */
  readonly dirtyPositions = new Set<StockPosition>();
  readonly dirtySources = new Set<string>();

  constructor(private readonly options: LedgerOptions = {}) {}

  get movementsKept(): number {
    return this.options.movementsKept ?? TAIL_LIMIT;
  }

  /** True when this source already delivered this seq. */
  hasSeq(source: string, seq: number): boolean {
    return this.seen.get(source)?.has(seq) ?? false;
  }

  /** Records a delivered seq; false when it was a duplicate. */
  markSeq(source: string, seq: number): boolean {
    let set = this.seen.get(source);
    if (!set) {
      set = new SeenSequences();
      this.seen.set(source, set);
    }
    const added = set.add(seq);
    if (added) this.dirtySources.add(source);
    return added;
  }

  /**
   * Applies an already deduplicated event at its log position. Buckets a late snapshot could not
   * set exactly are pushed to `overtaken`.
   */
  apply(event: InventoryEvent, position: number, overtaken?: OvertakenBucket[]): ApplyOutcome {
    const pos = this.positionFor(event.source, event.sku, event.location);
    let outcome: ApplyOutcome;
    if (event.type === 'inventory.movement') {
      if (event.announced === true && event.delta.inbound !== undefined) pos.announces = true;
      outcome = pos.applyMovement(
        event.seq,
        position,
        event.delta,
        event.eta !== undefined && event.delta.inbound !== undefined ? normaliseInstant(event.eta) : UNDATED,
      );
    } else {
      const b = event.balance;
      outcome = pos.applySnapshot(
        {
          seq: event.seq,
          position,
          onHand: b.onHand,
          qualityHold: b.qualityHold ?? 0,
          damaged: b.damaged ?? 0,
          inbound: b.inbound === undefined ? undefined : inboundLines(b.inbound),
        },
        overtaken,
      );
      if (outcome === 'applied') {
        const at = normaliseInstant(event.occurredAt);
        if (pos.countedAt === undefined || at > pos.countedAt) pos.countedAt = at;
      }
    }
    if (outcome === 'applied') {
      this.dirtyPositions.add(pos);
      const touchesInbound = event.type === 'inventory.movement' ? event.delta.inbound !== undefined : event.balance.inbound !== undefined;
      if (touchesInbound && pos.hasDatedInbound()) this.skusWithDatedInbound.add(event.sku);
    }
    return outcome;
  }

  /**
   * What the hub holds of an item, by location (every source's position and the reservation),
   * or undefined when nothing was ever reported or reserved. One lookup in the big map per item.
   */
  stockOf(sku: string): ReadonlyMap<string, { sources: readonly StockPosition[]; reserved: number }> | undefined {
    return this.items.get(sku);
  }

  position(source: string, sku: string, location: string): StockPosition | undefined {
    const sources = this.items.get(sku)?.get(location)?.sources;
    if (!sources) return undefined;
    for (const p of sources) if (p.source === source) return p;
    return undefined;
  }

  /**
   * The location's authority received `sku`: the suppliers' announced supply it fulfils is closed,
   * so it is not counted twice (once on hand, once inbound). A receipt movement closes up to its
   * units; a count closes every announced line due by the time it was taken. Suppliers are taken
   * in id order, each earliest ETA first. Returns true when any supply was closed.
   */
  closeSupply(sku: string, location: string, authority: string, by: { received: number } | { countedAt: string }): boolean {
    const sources = this.items.get(sku)?.get(location)?.sources;
    if (!sources) return false;
    const suppliers = sources.filter((p) => p.announces && p.source !== authority).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    let closedAny = false;
    let left = 'received' in by ? by.received : 0;
    for (const p of suppliers) {
      let closed: boolean;
      if ('received' in by) {
        if (left <= 0) break;
        const n = p.closeReceived(left);
        left -= n;
        closed = n > 0;
      } else closed = p.closeDueBy(normaliseInstant(by.countedAt));
      if (closed) {
        this.dirtyPositions.add(p);
        closedAny = true;
      }
    }
    return closedAny;
  }

  /** Every source's position for an item at a location (authoritative and shadows). */
  sourcesAt(sku: string, location: string): readonly StockPosition[] {
    return this.items.get(sku)?.get(location)?.sources ?? [];
  }

  skusAt(location: string): ReadonlySet<string> {
    return this.skusByLocation.get(location) ?? new Set();
  }

  reservedAt(sku: string, location: string): number {
    return this.items.get(sku)?.get(location)?.reserved ?? 0;
  }

  /** Adds (or with a negative qty releases) the hub's reservation of an item at a location. */
  reserve(sku: string, location: string, qty: number): void {
    const entry = this.entryFor(sku, location);
    const next = entry.reserved + qty;
    if (next < 0) throw new RangeError(`reservation of ${sku} at ${location} would go negative (${next})`);
    entry.reserved = next;
  }

  /** Every non-zero reservation: [sku, location, units]. */
  *reservations(): IterableIterator<[string, string, number]> {
    for (const [sku, byLocation] of this.items) for (const [loc, entry] of byLocation) if (entry.reserved !== 0) yield [sku, loc, entry.reserved];
  }

  *allPositions(): IterableIterator<StockPosition> {
    for (const byLocation of this.items.values()) for (const entry of byLocation.values()) yield* entry.sources;
  }

  seenSequences(source: string): SeenSequences | undefined {
    return this.seen.get(source);
  }

  /** Restores state saved by a checkpoint (not marked dirty). */
  restorePosition(p: StockPosition): void {
    p.movementsKept = this.movementsKept;
    this.entryFor(p.sku, p.location).sources.push(p);
    if (p.hasDatedInbound()) this.skusWithDatedInbound.add(p.sku);
  }

  restoreSequences(source: string, spans: number[]): void {
    this.seen.set(source, new SeenSequences(spans));
  }

  private positionFor(source: string, sku: string, location: string): StockPosition {
    const entry = this.entryFor(sku, location);
    for (const p of entry.sources) if (p.source === source) return p;
    const pos = new StockPosition(source, sku, location);
    pos.movementsKept = this.movementsKept;
    entry.sources.push(pos);
    return pos;
  }

  private entryFor(sku: string, location: string): LocationEntry {
    let byLocation = this.items.get(sku);
    if (!byLocation) {
      byLocation = new Map();
      this.items.set(sku, byLocation);
    }
    let entry = byLocation.get(location);
    if (!entry) {
      entry = { sources: [], reserved: 0 };
      byLocation.set(location, entry);
      let skus = this.skusByLocation.get(location);
      if (!skus) {
        skus = new Set();
        this.skusByLocation.set(location, skus);
      }
      skus.add(sku);
    }
    return entry;
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
