/**
 * Fault injection shared by the simulators: added latency, a share of 500 errors, bursts of 429
 * (the next N calls), and an outage (503). Set from code, or over each simulator's
 * PUT /_sim/faults admin route.
 */
export interface Faults {
  latencyMs: number;
  errorRate: number;
  tooManyRequests: number;
  retryAfterSeconds: number;
  outage: boolean;
}

export const NO_FAULTS: Faults = { latencyMs: 0, errorRate: 0, tooManyRequests: 0, retryAfterSeconds: 1, outage: false };

/** What the next call gets: an answer to send instead of serving it, or nothing (serve it, after the latency). */
export async function injectFault(
  f: Faults,
  random: () => number = Math.random,
): Promise<{ status: number; body: unknown; headers?: Record<string, string> } | undefined> {
  if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
  if (f.outage) return { status: 503, body: { error: 'down for maintenance (injected)' } };
  if (f.tooManyRequests > 0) {
    f.tooManyRequests--;
    return { status: 429, body: { error: 'too many requests (injected)' }, headers: { 'retry-after': String(f.retryAfterSeconds) } };
  }
  if (f.errorRate > 0 && random() < f.errorRate) return { status: 500, body: { error: 'internal error (injected)' } };
  return undefined;
}
