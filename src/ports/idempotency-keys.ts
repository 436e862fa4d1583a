/**
 * Idempotency-Key semantics for order capture, whichever backend keeps the keys: a key is claimed
 * for one request at a time; a repeat with the same body gets the stored answer, with another body
 * a conflict. The embedded hub claims in memory (its one process sees every request); the
 * scale-out backend claims in PostgreSQL, for as long as a capture may take, wherever the repeat
 * arrives.
 */
import type { CaptureAnswer } from '../model/order.js';
import type { StoredKey } from './order-store.js';

export type KeyClaim =
  | { claimed: true }
  /** Someone holds the key: `inFlight` while its request still runs. */
  | { claimed: false; stored: StoredKey | undefined; inFlight: boolean };

export interface IdempotencyKeys {
  /** Claims `key` (as scoped to its API key) for a request whose body has `fingerprint`. */
  claim(key: string, fingerprint: string): Promise<KeyClaim>;
  /** The request made no order (it was refused): the key may be used again. */
  drop(key: string): Promise<void>;
  /** The answer given, kept for repeats of the request. */
  answered(key: string, fingerprint: string, answer: { statusCode: 201 | 202; body: CaptureAnswer }): Promise<void>;
}
