/**
 * Idempotency keys on the embedded hub: one process sees every request, so a key in flight is
 * claimed in memory; a key is stored with its order in the order's own commit, and its answer
 * follows the reply (until it is written, memory answers repeats).
 */
import type { CaptureAnswer } from '../../../model/order.js';
import type { IdempotencyKeys, KeyClaim } from '../../../ports/idempotency-keys.js';
import type { OrderStore } from '../../../ports/order-store.js';
import type { GroupCommit } from '../../group-commit.js';

export class InProcessKeys implements IdempotencyKeys {
  private readonly inFlight = new Set<string>();
  /** Answers given whose write has not reached the store yet, by key, with their request's fingerprint. */
  private readonly answering = new Map<string, { statusCode: 201 | 202; body: CaptureAnswer; fingerprint: string; createdAt: string }>();

  constructor(private readonly deps: { orders: OrderStore; commits: GroupCommit }) {}

  async claim(key: string): Promise<KeyClaim> {
    if (this.inFlight.has(key)) return { claimed: false, stored: undefined, inFlight: true };
    const answered = this.answering.get(key);
    if (answered) {
      const { fingerprint, statusCode, body, createdAt } = answered;
      return { claimed: false, inFlight: false, stored: { fingerprint, orderId: body.id, statusCode, response: body, createdAt } };
    }
    const stored = this.deps.orders.keyFor(key);
    if (stored) return { claimed: false, stored, inFlight: false };
    this.inFlight.add(key);
    return { claimed: true };
  }

  async drop(key: string): Promise<void> {
    this.inFlight.delete(key);
  }

  async answered(key: string, fingerprint: string, answer: { statusCode: 201 | 202; body: CaptureAnswer }): Promise<void> {
    this.answering.set(key, { ...answer, fingerprint, createdAt: new Date().toISOString() });
    this.inFlight.delete(key);
    this.deps.commits.later('the order answer', () => {
      this.deps.orders.storeAnswer(key, answer.statusCode, answer.body);
      this.answering.delete(key);
    });
  }
}
