/**
 * Idempotency keys on the scale-out backend: a key is claimed in PostgreSQL before anything else,
 * for as long as a capture may take, so a repeat is told it is in flight wherever it arrives. A
 * process that dies holding a claim without an order frees it when the claim runs out; one that
 * dies after the order was made leaves the key bound to it. Concurrent captures share their round
 * trips (claims and stored answers).
 */
import type { CaptureAnswer } from '../../../model/order.js';
import type { IdempotencyKeys, KeyClaim } from '../../../ports/idempotency-keys.js';
import type { LockingOrderStore } from '../../../ports/locking-order-store.js';
import { Batched } from '../../batched.js';

export class LeasedKeys implements IdempotencyKeys {
  private readonly claims = new Batched<{ key: string; fingerprint: string }, KeyClaim>((c) => this.orders.claimKeys(c, this.leaseMs()));
  private readonly answers = new Batched<{ key: string; statusCode: number; response: unknown }, void>(async (a) => {
    await this.orders.storeAnswers(a);
    return a.map(() => undefined);
  });

  /** `leaseMs`: how long a claim lasts (as long as a capture may take). */
  constructor(
    private readonly orders: LockingOrderStore,
    private readonly leaseMs: () => number,
  ) {}

  claim(key: string, fingerprint: string): Promise<KeyClaim> {
    return this.claims.call({ key, fingerprint });
  }

  drop(key: string): Promise<void> {
    return this.orders.dropKeyClaim(key);
  }

  answered(key: string, _fingerprint: string, answer: { statusCode: 201 | 202; body: CaptureAnswer }): Promise<void> {
    return this.answers.call({ key, statusCode: answer.statusCode, response: answer.body });
  }
}
