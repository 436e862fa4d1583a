/**
 * What one source says about one item at one location, kept so that arrival order does not
 * matter (docs/REFERENCE.md, "Order does not matter"). Each bucket remembers the last snapshot that set it and the
 * movements after that snapshot, so a late snapshot can cut exactly the movements it already
 * contains and a late movement lands on top of the right base.
 *
 * Bounded memory: a bucket keeps at most TAIL_LIMIT movements after its snapshot; older ones are
 * folded into the base. For a bucket with folded movements, a snapshot whose seq is at or below
 * the folded horizon is stale (it predates movements the hub can no longer separate out); buckets
 * are judged one by one, so the snapshot still sets the buckets it can.
 */
import { BUCKETS, PHYSICAL_BUCKETS, UNDATED, type Bucket } from './buckets.js';

export const TAIL_LIMIT = 64;

/**
 * Movements after the snapshot, ascending by seq, flattened as [seq, position, qty, ...] so a
 * busy ledger holds a few arrays rather than millions of small objects; `etas` runs alongside
 * (one ETA per movement) for the inbound bucket only.
 */
export interface BucketTrack {
  /** seq of the snapshot that last set this bucket; -1 when none has. */
  snapSeq: number;
  snapPosition: number;
  /** Quantity at the snapshot (plus folded movements), keyed by ETA; UNDATED for undated. */
  base: Record<string, number>;
  /** Movements with seq > snapSeq: [seq, position, qty] triples, ascending by seq. */
  tail: number[];
  /** ETA of each tail movement (inbound bucket only). */
  etas?: string[];
  /** Highest seq folded from tail into base; -1 when none. */
  foldedSeq: number;
  foldedCount: number;
  total: number;
}

export type ApplyOutcome = 'applied' | 'inside-snapshot' | 'stale';

export interface SnapshotInput {
  seq: number;
  position: number;
  onHand: number;
  qualityHold: number;
  damaged: number;
  /** ETA → qty, or undefined when the snapshot does not state inbound. */
  inbound?: Record<string, number>;
}

const emptyTrack = (dated = false): BucketTrack => ({
  snapSeq: -1,
  snapPosition: 0,
  base: {},
  tail: [],
  ...(dated ? { etas: [] } : {}),
  foldedSeq: -1,
  foldedCount: 0,
  total: 0,
});

export class StockPosition {
  readonly buckets: Record<Bucket, BucketTrack>;
  lastPosition = 0;
  /** occurredAt (UTC ISO-8601) of the last snapshot applied: stock shipped before it is inside the count. */
  countedAt: string | undefined;

  constructor(
    readonly source: string,
    readonly sku: string,
    readonly location: string,
    buckets?: Record<Bucket, BucketTrack>,
  ) {
    this.buckets = buckets ?? { onHand: emptyTrack(), qualityHold: emptyTrack(), damaged: emptyTrack(), inbound: emptyTrack(true) };
  }

  quantity(bucket: Bucket): number {
    return this.buckets[bucket].total;
  }

  /** Inbound expected at or before `limitIso` (ISO-8601 UTC); undated supply is never counted. */
  inboundDueBy(limitIso: string): number {
    const track = this.buckets.inbound;
    // Most positions never see inbound supply; skip walking an empty base.
    if (track.snapSeq < 0 && track.tail.length === 0 && track.foldedCount === 0) return 0;
    let due = 0;
    for (const eta in track.base) if (eta !== UNDATED && eta <= limitIso) due += track.base[eta]!;
    const etas = track.etas!;
    for (let i = 0; i < etas.length; i++) if (etas[i] !== UNDATED && etas[i]! <= limitIso) due += track.tail[i * 3 + 2]!;
    return Math.max(0, due);
  }

  /** Earliest dated inbound ETA strictly after `afterIso`, for knowing when a horizon figure changes. */
  nextInboundEtaAfter(afterIso: string): string | undefined {
    const track = this.buckets.inbound;
    let next: string | undefined;
    const consider = (eta: string) => {
      if (eta !== UNDATED && eta > afterIso && (next === undefined || eta < next)) next = eta;
    };
    for (const eta in track.base) consider(eta);
    for (const eta of track.etas!) consider(eta);
    return next;
  }

  hasDatedInbound(): boolean {
    const track = this.buckets.inbound;
    for (const eta in track.base) if (eta !== UNDATED && track.base[eta] !== 0) return true;
    return track.etas!.some((eta) => eta !== UNDATED);
  }

  /**
   * Applies a movement at `seq` (log `position`). `eta` is the normalised ISO instant of dated
   * inbound, UNDATED otherwise. Plain arguments, no input object: this runs for every movement.
   */
  applyMovement(seq: number, position: number, delta: Partial<Record<Bucket, number>>, eta: string): ApplyOutcome {
    const b = this.buckets;
    let applied = false;
    if (delta.onHand) applied = move(b.onHand, seq, position, delta.onHand, UNDATED) || applied;
    if (delta.qualityHold) applied = move(b.qualityHold, seq, position, delta.qualityHold, UNDATED) || applied;
    if (delta.damaged) applied = move(b.damaged, seq, position, delta.damaged, UNDATED) || applied;
    if (delta.inbound) applied = move(b.inbound, seq, position, delta.inbound, eta) || applied;
    if (applied && position > this.lastPosition) this.lastPosition = position;
    return applied ? 'applied' : 'inside-snapshot';
  }

  applySnapshot(s: SnapshotInput): ApplyOutcome {
    let applied = false;
    for (const bucket of PHYSICAL_BUCKETS) {
      applied = replace(this.buckets[bucket], s, { [UNDATED]: s[bucket] }) || applied;
    }
    if (s.inbound !== undefined) applied = replace(this.buckets.inbound, s, { ...s.inbound }) || applied;
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
      for (let i = 0; i < t.tail.length; i += 3) moves.set(t.tail[i + 1]!, t.tail[i]!);
      omitted = Math.max(omitted, t.foldedCount);
    }
    const ordered = [...moves.entries()].sort((a, b) => a[1] - b[1]).map(([p]) => p);
    return { positions: [...snaps].sort((a, b) => a - b).concat(ordered.filter((p) => !snaps.has(p))), omitted };
  }

  toJSON(): object {
    return { source: this.source, sku: this.sku, location: this.location, lastPosition: this.lastPosition, countedAt: this.countedAt, buckets: this.buckets };
  }

  static fromJSON(raw: {
    source: string;
    sku: string;
    location: string;
    lastPosition: number;
    countedAt?: string;
    buckets: Record<Bucket, BucketTrack>;
  }): StockPosition {
    const p = new StockPosition(raw.source, raw.sku, raw.location, raw.buckets);
    p.lastPosition = raw.lastPosition;
    p.countedAt = raw.countedAt;
    return p;
  }
}

function move(track: BucketTrack, seq: number, position: number, qty: number, eta: string): boolean {
  // At or before the snapshot that set this bucket: the snapshot already contains it.
  if (seq <= track.snapSeq) return false;
  insertBySeq(track, seq, position, qty, eta);
  track.total += qty;
  if (track.tail.length > TAIL_LIMIT * 3) fold(track);
  return true;
}

function replace(track: BucketTrack, s: SnapshotInput, base: Record<string, number>): boolean {
  // Older than the snapshot already applied, or than movements already folded: stale.
  if (s.seq <= track.snapSeq || s.seq <= track.foldedSeq) return false;
  track.snapSeq = s.seq;
  track.snapPosition = s.position;
  track.base = base;
  // Movements at or before the snapshot are inside it.
  let keepFrom = 0;
  while (keepFrom < track.tail.length && track.tail[keepFrom]! <= s.seq) keepFrom += 3;
  track.tail = track.tail.slice(keepFrom);
  if (track.etas) track.etas = track.etas.slice(keepFrom / 3);
  track.foldedCount = 0;
  let total = 0;
  for (const k in track.base) total += track.base[k]!;
  for (let i = 2; i < track.tail.length; i += 3) total += track.tail[i]!;
  track.total = total;
  return true;
}

function insertBySeq(track: BucketTrack, seq: number, position: number, qty: number, eta: string): void {
  const tail = track.tail;
  let i = tail.length;
  while (i > 0 && tail[i - 3]! > seq) i -= 3;
  if (i === tail.length) tail.push(seq, position, qty);
  else tail.splice(i, 0, seq, position, qty);
  if (track.etas) track.etas.splice(i / 3, 0, eta);
}

function fold(track: BucketTrack): void {
  const [seq, , qty] = track.tail.splice(0, 3) as [number, number, number];
  const eta = track.etas ? track.etas.shift()! : UNDATED;
  track.base[eta] = (track.base[eta] ?? 0) + qty;
  track.foldedSeq = Math.max(track.foldedSeq, seq);
  track.foldedCount++;
}
