/**
 * What the ledger should show, computed from the events the hub said it took, by the rules
 * docs/REFERENCE.md states: per source, item and location, the newest snapshot (by seq) plus the
 * movements after it; a snapshot at or below a seq already folded away (the hub keeps the last 64
 * movements apart) is stale. Duplicates (same source and id, or same source and seq) apply once.
 */
const TAIL_LIMIT = 64;

interface Track {
  snapSeq: number;
  foldedSeq: number;
  base: number;
  tail: { seq: number; qty: number }[];
}

export interface CandidateEvent {
  source: string;
  id: string;
  seq: number;
  type: string;
  sku: string;
  location: string;
  onHandDelta?: number;
  onHand?: number;
}

export class StockOracle {
  private readonly tracks = new Map<string, Track>();
  private readonly ids = new Set<string>();
  private readonly seqs = new Set<string>();

  /** True (and remembered) when the hub has not stored this source's id or seq before. */
  isNew(e: { source: string; id: string; seq: number }): boolean {
    const id = `${e.source}\u001f${e.id}`;
    const seq = `${e.source}\u001f${e.seq}`;
    if (this.ids.has(id) || this.seqs.has(seq)) return false;
    this.ids.add(id);
    this.seqs.add(seq);
    return true;
  }

  /** Applies a stored inventory event whose location is defined. */
  apply(e: CandidateEvent): void {
    const key = `${e.source}\u001f${e.sku}\u001f${e.location}`;
    let t = this.tracks.get(key);
    if (!t) this.tracks.set(key, (t = { snapSeq: -1, foldedSeq: -1, base: 0, tail: [] }));
    if (e.type === 'inventory.snapshot') {
      if (e.seq <= t.snapSeq || e.seq <= t.foldedSeq) return;
      t.snapSeq = e.seq;
      t.base = e.onHand ?? 0;
      t.tail = t.tail.filter((m) => m.seq > e.seq);
      return;
    }
    if (!e.onHandDelta || e.seq <= t.snapSeq) return;
    const at = t.tail.findIndex((m) => m.seq > e.seq);
    t.tail.splice(at < 0 ? t.tail.length : at, 0, { seq: e.seq, qty: e.onHandDelta });
    if (t.tail.length > TAIL_LIMIT) {
      const folded = t.tail.shift()!;
      t.base += folded.qty;
      t.foldedSeq = Math.max(t.foldedSeq, folded.seq);
    }
  }

  /** Expected onHand per source, item and location. */
  *figures(): IterableIterator<{ source: string; sku: string; location: string; onHand: number }> {
    for (const [key, t] of this.tracks) {
      const [source, sku, location] = key.split('\u001f') as [string, string, string];
      yield { source, sku, location, onHand: t.base + t.tail.reduce((n, m) => n + m.qty, 0) };
    }
  }
}
