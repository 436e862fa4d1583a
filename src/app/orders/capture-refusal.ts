/**
 * Which capture failures mean "this order cannot be taken as it is" (park it with the reason,
 * fix the cause, replay), as opposed to failures a retry fixes (storage, shutdown, ERP), which
 * must reach the sender so it sends again.
 */
import { CrossdockError, InvalidInputError, UnknownChannelError, type Issue } from '../../domain/errors.js';
import { CreditHoldError, CustomerInactiveError, InsufficientStockError, UnknownCustomerError } from '../../domain/orders/order-errors.js';

export function refusalOf(err: unknown): { reason: string; errors: Issue[] } | undefined {
  if (
    err instanceof InvalidInputError ||
    err instanceof UnknownCustomerError ||
    err instanceof CustomerInactiveError ||
    err instanceof InsufficientStockError
  ) {
    return { reason: err.message, errors: err.issues };
  }
  if (err instanceof CreditHoldError || err instanceof UnknownChannelError) return { reason: err.message, errors: [] };
  if (err instanceof CrossdockError && !err.retryable && err.code !== 'idempotency_key_reused') return { reason: err.message, errors: [] };
  return undefined;
}
