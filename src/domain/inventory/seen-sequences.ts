/**
 * The sequence numbers already accepted from one source, as sorted disjoint intervals. Sources
 * mostly send increasing, dense seqs, so this stays a handful of intervals however many events
 * arrive, and duplicate detection by source+seq costs no storage lookup.
 */
export class SeenSequences {
  /** Flattened [start0, end0, start1, end1, ...], inclusive, ascending, non-adjacent. */
  private spans: number[];

  constructor(spans: number[] = []) {
    this.spans = spans;
  }

  has(seq: number): boolean {
    const i = this.spanIndexAtOrBefore(seq);
    return i >= 0 && seq <= this.spans[i + 1]!;
  }

  /** Records `seq`; returns false when it was already there. */
  add(seq: number): boolean {
    const s = this.spans;
    const n = s.length;
    // The common case: the next seq after the last one.
    if (n > 0 && seq === s[n - 1]! + 1) {
      s[n - 1] = seq;
      return true;
    }
    if (n === 0 || seq > s[n - 1]! + 1) {
      s.push(seq, seq);
      return true;
    }
    const i = this.spanIndexAtOrBefore(seq);
    if (i >= 0 && seq <= s[i + 1]!) return false;
    const joinsLeft = i >= 0 && s[i + 1]! + 1 === seq;
    const nextStart = i + 2 < n ? s[i + 2]! : Infinity;
    const joinsRight = nextStart === seq + 1;
    if (joinsLeft && joinsRight) {
      s[i + 1] = s[i + 3]!;
      s.splice(i + 2, 2);
    } else if (joinsLeft) s[i + 1] = seq;
    else if (joinsRight) s[i + 2] = seq;
    else s.splice(i + 2, 0, seq, seq);
    return true;
  }

  toJSON(): number[] {
    return this.spans;
  }

  /** Index (even) of the last span starting at or before seq, or -2 when none. */
  private spanIndexAtOrBefore(seq: number): number {
    let lo = 0,
      hi = this.spans.length / 2 - 1,
      found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid * 2]! <= seq) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found * 2;
  }
}
