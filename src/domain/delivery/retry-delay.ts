/**
 * How long to wait before the next attempt: exponential backoff with full jitter (so many queued
 * deliveries do not hit a recovering receiver at the same instant), never sooner than the
 * receiver's Retry-After. Pure: the random draw is passed in.
 */
export interface RetryPolicy { baseMs: number; maxMs: number; maxAttempts: number }

export function retryDelayMs(attempt: number, policy: RetryPolicy, random: number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const jittered = Math.round(ceiling / 2 + (random * ceiling) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
