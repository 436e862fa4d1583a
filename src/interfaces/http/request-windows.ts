/**
 * Counts requests per key in fixed one-minute windows: the store behind @fastify/rate-limit (a
 * documented extension point: `incr`, `read`, `child`), shared with the availability fast path
 * and the per-address count of failed authentications, so that every path counts against one
 * figure. Synchronous, in this process's memory; the oldest counts go first beyond a cap, so a
 * flood of distinct addresses cannot fill the memory.
 */
export interface WindowCount {
  current: number;
  /** Milliseconds until the window ends. */
  ttl: number;
}

type Callback = (err: Error | null, result: WindowCount) => void;

const MAX_KEYS = 100_000;

export class RequestWindows {
  private readonly windows = new Map<string, { count: number; startedAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request under `key`; what the window holds now. */
  take(key: string, windowMs: number): WindowCount {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.startedAt + windowMs <= now) {
      if (w) this.windows.delete(key);
      else if (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value!);
      w = { count: 0, startedAt: now };
      this.windows.set(key, w);
    }
    w.count++;
    return { current: w.count, ttl: w.startedAt + windowMs - now };
  }

  /** What the window of `key` holds, without counting. */
  peek(key: string, windowMs: number): WindowCount {
    const w = this.windows.get(key);
    const now = this.now();
    if (!w || w.startedAt + windowMs <= now) return { current: 0, ttl: 0 };
    return { current: w.count, ttl: w.startedAt + windowMs - now };
  }

  // The @fastify/rate-limit store interface.
  incr(key: string, cb: Callback, timeWindow: number): void {
    cb(null, this.take(key, timeWindow));
  }

  read(key: string, cb: Callback, timeWindow: number): void {
    cb(null, this.peek(key, timeWindow));
  }

  child(): RequestWindows {
    return this;
  }
}
