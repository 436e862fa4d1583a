/** Why a delivery to another system failed, and whether trying again can help. */
import { CrossdockError } from '../errors.js';

export class DeliveryFailedError extends CrossdockError {
  readonly code = 'delivery_failed';
  constructor(
    readonly destination: string,
    readonly reason: string,
    override readonly retryable: boolean,
    /** The receiver's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(`Delivery to ${destination} failed: ${reason}`);
  }
}
