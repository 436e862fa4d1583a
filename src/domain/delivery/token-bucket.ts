/**
 * A token bucket: `perSecond` tokens refill continuously up to `burst`. Pure: the caller passes
 * the time, so tests and the delivery engine agree on what "now" is.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.at = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.at) / 1000) * this.perSecond);
      this.at = nowMs;
    }
  }

  /** Takes `n` tokens if they are there and answers 0, or answers how many ms until they will be (taking nothing). */
  take(nowMs: number, n = 1): number {
    this.refill(nowMs);
    if (this.tokens >= n) {
      this.tokens -= n;
      return 0;
    }
    return Math.ceil(((n - this.tokens) / this.perSecond) * 1000);
  }

  /** The share of the burst spent at `nowMs` (0: full bucket, 1: none left), for operators to see how close a destination runs to its limit. */
  use(nowMs: number): number {
    this.refill(nowMs);
    return 1 - this.tokens / this.burst;
  }

  /** Empties the bucket: the receiver said 429, so what we thought we had is not there. */
  drain(nowMs: number): void {
    this.refill(nowMs);
    this.tokens = 0;
  }
}
