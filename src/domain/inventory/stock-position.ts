/**
 * What one source says about one item at one location, kept so that arrival order does not
 * matter (DESIGN.md guarantee 3). Each bucket remembers the last snapshot that set it and the
 * movements after that snapshot, so a late snapshot can cut exactly the movements it already
 * contains and a late movement lands on top of the right base.
 *
 * Bounded memory: a bucket keeps at most TAIL_LIMIT movements after its snapshot; older ones are
 * folded into the base. A snapshot whose seq is at or below the folded horizon is treated as
 * stale (it predates movements the hub can no longer separate out) and reported as such.
 */
import { BUCKETS, PHYSICAL_BUCKETS, UNDATED, type Bucket } from './buckets.js';

export const TAIL_LIMIT = 64;

export interface TailEntry { seq: number; position: number; qty: number; eta: string }

export interface BucketTrack {
  /** seq of the snapshot that last set this bucket; -1 when none has. */
  snapSeq: number;
  snapPosition: number;
  /** Quantity at the snapshot (plus folded movements), keyed by ETA; UNDATED for undated. */
  base: Record<string, number>;
  /** Movements with seq > snapSeq, ascending by seq. */
  tail: TailEntry[];
  /** Highest seq folded from tail into base; -1 when none. */
  foldedSeq: number;
  foldedCount: number;
  total: number;
}

export type ApplyOutcome = 'applied' | 'inside-snapshot' | 'stale';

export interface MovementInput {
  seq: number; position: number;
  delta: Partial<Record<Bucket, number>>;
  /** Normalised ISO timestamp (UTC) for dated inbound; UNDATED otherwise. */
  eta: string;
}

export interface SnapshotInput {
  seq: number; position: number;
  onHand: number; qualityHold: number; damaged: number;
  /** ETA → qty, or undefined when the snapshot does not state inbound. */
  inbound?: Record<string, number>;
}

const emptyTrack = (): BucketTrack => ({ snapSeq: -1, snapPosition: 0, base: {}, tail: [], foldedSeq: -1, foldedCount: 0, total: 0 });

export class StockPosition {
  readonly buckets: Record<Bucket, BucketTrack>;
  lastPosition = 0;

  constructor(readonly source: string, readonly sku: string, readonly location: string, buckets?: Record<Bucket, BucketTrack>) {
    this.buckets = buckets ?? { onHand: emptyTrack(), qualityHold: emptyTrack(), damaged: emptyTrack(), inbound: emptyTrack() };
  }

  quantity(bucket: Bucket): number {
    return this.buckets[bucket].total;
  }

  /** Inbound expected at or before `limitIso` (ISO-8601 UTC); undated supply is never counted. */
  inboundDueBy(limitIso: string): number {
    const track = this.buckets.inbound;
    let due = 0;
    for (const eta in track.base) if (eta !== UNDATED && eta <= limitIso) due += track.base[eta]!;
    for (const e of track.tail) if (e.eta !== UNDATED && e.eta <= limitIso) due += e.qty;
    return Math.max(0, due);
  }

  /** Earliest dated inbound ETA strictly after `afterIso`, for knowing when a horizon figure changes. */
  nextInboundEtaAfter(afterIso: string): string | undefined {
    const track = this.buckets.inbound;
    let next: string | undefined;
    const consider = (eta: string) => { if (eta !== UNDATED && eta > afterIso && (next === undefined || eta < next)) next = eta; };
    for (const eta in track.base) consider(eta);
    for (const e of track.tail) consider(e.eta);
    return next;
  }

  hasDatedInbound(): boolean {
    const track = this.buckets.inbound;
    for (const eta in track.base) if (eta !== UNDATED && track.base[eta] !== 0) return true;
    return track.tail.some((e) => e.eta !== UNDATED);
  }

  applyMovement(m: MovementInput): ApplyOutcome {
    let applied = false;
    for (const bucket of BUCKETS) {
      const qty = m.delta[bucket];
      if (qty === undefined || qty === 0) continue;
      const track = this.buckets[bucket];
      // At or before the snapshot that set this bucket: the snapshot already contains it.
      if (m.seq <= track.snapSeq) continue;
      insertBySeq(track.tail, { seq: m.seq, position: m.position, qty, eta: bucket === 'inbound' ? m.eta : UNDATED });
      track.total += qty;
      if (track.tail.length > TAIL_LIMIT) fold(track);
      applied = true;
    }
    if (applied) this.lastPosition = Math.max(this.lastPosition, m.position);
    return applied ? 'applied' : 'inside-snapshot';
  }

  applySnapshot(s: SnapshotInput): ApplyOutcome {
    let applied = false;
    for (const bucket of PHYSICAL_BUCKETS) {
      applied = replace(this.buckets[bucket], s, { [UNDATED]: s[bucket] }) || applied;
    }
    if (s.inbound !== undefined) applied = replace(this.buckets.inbound, s, s.inbound) || applied;
    if (applied) this.lastPosition = Math.max(this.lastPosition, s.position);
    return applied ? 'applied' : 'stale';
  }

  /** Positions of the events that make the current figures: snapshots first, then movements by seq. */
  contributingPositions(): { positions: number[]; omitted: number } {
    const snaps = new Set<number>();
    const moves = new Map<number, number>();
    let omitted = 0;
    for (const bucket of BUCKETS) {
      const t = this.buckets[bucket];
      if (t.snapPosition > 0) snaps.add(t.snapPosition);
      for (const e of t.tail) moves.set(e.position, e.seq);
      omitted = Math.max(omitted, t.foldedCount);
    }
    const ordered = [...moves.entries()].sort((a, b) => a[1] - b[1]).map(([p]) => p);
    return { positions: [...snaps].sort((a, b) => a - b).concat(ordered.filter((p) => !snaps.has(p))), omitted };
  }

  toJSON(): object {
    return { source: this.source, sku: this.sku, location: this.location, lastPosition: this.lastPosition, buckets: this.buckets };
  }

  static fromJSON(raw: { source: string; sku: string; location: string; lastPosition: number; buckets: Record<Bucket, BucketTrack> }): StockPosition {
    const p = new StockPosition(raw.source, raw.sku, raw.location, raw.buckets);
    p.lastPosition = raw.lastPosition;
    return p;
  }
}

function replace(track: BucketTrack, s: SnapshotInput, base: Record<string, number>): boolean {
  // Older than the snapshot already applied, or than movements already folded: stale.
  if (s.seq <= track.snapSeq || s.seq <= track.foldedSeq) return false;
  track.snapSeq = s.seq;
  track.snapPosition = s.position;
  track.base = { ...base };
  track.tail = track.tail.filter((e) => e.seq > s.seq);
  track.foldedCount = 0;
  let total = 0;
  for (const k in track.base) total += track.base[k]!;
  for (const e of track.tail) total += e.qty;
  track.total = total;
  return true;
}

function insertBySeq(tail: TailEntry[], entry: TailEntry): void {
  let i = tail.length;
  while (i > 0 && tail[i - 1]!.seq > entry.seq) i--;
  tail.splice(i, 0, entry);
}

function fold(track: BucketTrack): void {
  const oldest = track.tail.shift()!;
  track.base[oldest.eta] = (track.base[oldest.eta] ?? 0) + oldest.qty;
  track.foldedSeq = Math.max(track.foldedSeq, oldest.seq);
  track.foldedCount++;
}
