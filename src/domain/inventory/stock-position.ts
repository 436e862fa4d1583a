/**
 * What one source says about one item at one location, kept so that arrival order does not
 * matter (docs/REFERENCE.md, "Order does not matter"). Each bucket remembers the last snapshot that set it and the
 * movements after that snapshot, so a late snapshot can cut exactly the movements it already
 * contains and a late movement lands on top of the right base.
 *
 * Bounded memory: a bucket keeps at most `movementsKept` movements after its snapshot (64 unless
 * configured); older ones are folded into one sum. A late snapshot older than every folded
 * movement still applies exactly (all of them are after it). One that falls among the folded
 * movements cannot be applied exactly (the hub no longer knows which of them it contains): that
 * bucket is reported overtaken, with the count and the figure the hub keeps, never dropped
 * silently. Buckets are judged one by one, so the snapshot still sets the buckets it can.
 */
import { BUCKETS, PHYSICAL_BUCKETS, UNDATED, type Bucket } from './buckets.js';

/** Movements a bucket keeps after its snapshot unless configured otherwise. */
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
  /** Lowest seq folded since the snapshot; absent when nothing is folded (or in checkpoints from before it was kept). */
  foldedFromSeq?: number;
  /** What the folded movements add to the base, keyed like it; absent when nothing is folded (or unknown). */
  folded?: Record<string, number>;
  foldedCount: number;
  total: number;
}

export type ApplyOutcome = 'applied' | 'inside-snapshot' | 'stale';

/** A bucket a late snapshot could not set: what the count said and what the hub keeps instead. */
export interface OvertakenBucket {
  bucket: Bucket;
  counted: number;
  held: number;
  /** Movements folded since the bucket's last snapshot, some of which the count may contain. */
  foldedMovements: number;
}

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
  /** Movements each bucket keeps after its snapshot before folding the oldest (the ledger sets it). */
  movementsKept = TAIL_LIMIT;
  /**
   * The source announced supply here (a supplier's ship notice, `announced: true`): its inbound
   * counts as the location's inbound, less what the location's authority has received of it.
   */
  announces = false;
  /** Units of this source's announced inbound the location's authority has received, by ETA (closed lines). */
  supplyClosed: Record<string, number> = {};

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

  /** Inbound by ETA (UNDATED for undated): the snapshot's lines plus the movements after it. */
  inboundByEta(): Map<string, number> {
    const track = this.buckets.inbound;
    const lines = new Map<string, number>();
    for (const eta in track.base) lines.set(eta, (lines.get(eta) ?? 0) + track.base[eta]!);
    const etas = track.etas ?? [];
    for (let i = 0; i < etas.length; i++) lines.set(etas[i]!, (lines.get(etas[i]!) ?? 0) + track.tail[i * 3 + 2]!);
    return lines;
  }

  /** Announced supply still open, by ETA, earliest first and undated last: each line less what was received of it. */
  openSupply(): [string, number][] {
    const open: [string, number][] = [];
    for (const [eta, qty] of this.inboundByEta()) {
      const left = qty - (this.supplyClosed[eta] ?? 0);
      if (left > 0) open.push([eta, left]);
    }
    return open.sort(([a], [b]) => (a === b ? 0 : a === UNDATED ? 1 : b === UNDATED ? -1 : a < b ? -1 : 1));
  }

  /** Announced supply still open and expected at or before `limitIso`; undated supply is never counted. */
  openSupplyDueBy(limitIso: string): number {
    let due = 0;
    for (const [eta, qty] of this.openSupply()) if (eta !== UNDATED && eta <= limitIso) due += qty;
    return due;
  }

  /** A receipt of `qty` units closes open lines, earliest ETA first; returns how many it closed. */
  closeReceived(qty: number): number {
    let left = qty;
    for (const [eta, open] of this.openSupply()) {
      if (left <= 0) break;
      const n = Math.min(left, open);
      this.supplyClosed[eta] = (this.supplyClosed[eta] ?? 0) + n;
      left -= n;
    }
    return qty - left;
  }

  /** A count taken at `countedIso` contains every announced line due by then: those are closed. Returns true when it closed any. */
  closeDueBy(countedIso: string): boolean {
    let closed = false;
    for (const [eta, open] of this.openSupply()) {
      if (eta === UNDATED || eta > countedIso) continue;
      this.supplyClosed[eta] = (this.supplyClosed[eta] ?? 0) + open;
      closed = true;
    }
    return closed;
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
    const kept = this.movementsKept;
    if (delta.onHand) applied = move(b.onHand, seq, position, delta.onHand, UNDATED, kept) || applied;
    if (delta.qualityHold) applied = move(b.qualityHold, seq, position, delta.qualityHold, UNDATED, kept) || applied;
    if (delta.damaged) applied = move(b.damaged, seq, position, delta.damaged, UNDATED, kept) || applied;
    if (delta.inbound) applied = move(b.inbound, seq, position, delta.inbound, eta, kept) || applied;
    if (applied && position > this.lastPosition) this.lastPosition = position;
    return applied ? 'applied' : 'inside-snapshot';
  }

  /** Applies a snapshot bucket by bucket; buckets it cannot set exactly are pushed to `overtaken`. */
  applySnapshot(s: SnapshotInput, overtaken?: OvertakenBucket[]): ApplyOutcome {
    let applied = false;
    for (const bucket of PHYSICAL_BUCKETS) {
      applied = this.setBucket(bucket, s, { [UNDATED]: s[bucket] }, overtaken) || applied;
    }
    if (s.inbound !== undefined) applied = this.setBucket('inbound', s, { ...s.inbound }, overtaken) || applied;
    if (applied) this.lastPosition = Math.max(this.lastPosition, s.position);
    return applied ? 'applied' : 'stale';
  }

  private setBucket(bucket: Bucket, s: SnapshotInput, base: Record<string, number>, overtaken: OvertakenBucket[] | undefined): boolean {
    const track = this.buckets[bucket];
    const outcome = replace(track, s, base);
    if (outcome === 'overtaken') {
      let counted = 0;
      for (const k in base) counted += base[k]!;
      overtaken?.push({ bucket, counted, held: track.total, foldedMovements: track.foldedCount });
    }
    return outcome === 'applied';
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
    return {
      source: this.source,
      sku: this.sku,
      location: this.location,
      lastPosition: this.lastPosition,
      countedAt: this.countedAt,
      buckets: this.buckets,
      ...(this.announces ? { announces: true, supplyClosed: this.supplyClosed } : {}),
    };
  }

  static fromJSON(raw: {
    source: string;
    sku: string;
    location: string;
    lastPosition: number;
    countedAt?: string;
    buckets: Record<Bucket, BucketTrack>;
    announces?: boolean;
    supplyClosed?: Record<string, number>;
  }): StockPosition {
    const p = new StockPosition(raw.source, raw.sku, raw.location, raw.buckets);
    p.lastPosition = raw.lastPosition;
    p.countedAt = raw.countedAt;
    p.announces = raw.announces === true;
    p.supplyClosed = raw.supplyClosed ?? {};
    return p;
  }
}

function move(track: BucketTrack, seq: number, position: number, qty: number, eta: string, kept: number): boolean {
  // At or before the snapshot that set this bucket: the snapshot already contains it.
  if (seq <= track.snapSeq) return false;
  insertBySeq(track, seq, position, qty, eta);
  track.total += qty;
  // A loop, not one fold: a bucket restored under a lowered bound holds more than it may keep.
  while (track.tail.length > kept * 3) fold(track);
  return true;
}

/**
 * Sets a bucket from a snapshot: 'stale' when a later snapshot already set it, 'overtaken' when
 * the snapshot falls among folded movements (it cannot be told which of them it contains).
 */
function replace(track: BucketTrack, s: SnapshotInput, base: Record<string, number>): 'applied' | 'stale' | 'overtaken' {
  if (s.seq <= track.snapSeq) return 'stale';
  if (s.seq <= track.foldedSeq) {
    // Every folded movement after the snapshot: they stay on top of it, as the tail does.
    if (track.folded === undefined || track.foldedFromSeq === undefined || s.seq >= track.foldedFromSeq) return 'overtaken';
    for (const k in track.folded) base[k] = (base[k] ?? 0) + track.folded[k]!;
  } else {
    track.foldedCount = 0;
    delete track.folded;
    delete track.foldedFromSeq;
  }
  track.snapSeq = s.seq;
  track.snapPosition = s.position;
  track.base = base;
  // Movements at or before the snapshot are inside it.
  let keepFrom = 0;
  while (keepFrom < track.tail.length && track.tail[keepFrom]! <= s.seq) keepFrom += 3;
  track.tail = track.tail.slice(keepFrom);
  if (track.etas) track.etas = track.etas.slice(keepFrom / 3);
  let total = 0;
  for (const k in track.base) total += track.base[k]!;
  for (let i = 2; i < track.tail.length; i += 3) total += track.tail[i]!;
  track.total = total;
  return 'applied';
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
  // Kept apart as well, so that a snapshot older than all of them can still be set under them.
  if (track.foldedCount === 0) {
    track.folded = {};
    track.foldedFromSeq = seq;
  }
  if (track.folded !== undefined && track.foldedFromSeq !== undefined) {
    track.folded[eta] = (track.folded[eta] ?? 0) + qty;
    track.foldedFromSeq = Math.min(track.foldedFromSeq, seq);
  }
  track.foldedSeq = Math.max(track.foldedSeq, seq);
  track.foldedCount++;
}
