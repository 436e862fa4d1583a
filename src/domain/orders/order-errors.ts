/**
 * Why an order could not be captured or changed, one class per condition, each with the ids a
 * person needs. The HTTP layer maps them to statuses in problem.ts.
 */
import { CrossdockError, type Issue } from '../errors.js';
import type { Shortfall } from './source-order.js';

export class IdempotencyKeyMissingError extends CrossdockError {
  readonly code = 'idempotency_key_required';
  constructor(route = 'POST /v1/orders', why = 'a retried request cannot create a second order') {
    super(`${route} needs an Idempotency-Key header (1–255 printable characters), so ${why}.`);
  }
}

export class IdempotencyKeyInUseError extends CrossdockError {
  readonly code = 'idempotency_key_in_use';
  override readonly retryable = true;
  constructor(readonly key: string) {
    super(`A request with Idempotency-Key '${key}' is still being processed; retry after it finishes to get its answer.`);
  }
}

export class IdempotencyKeyReusedError extends CrossdockError {
  readonly code = 'idempotency_key_reused';
  /** `orderId` is absent when the caller may not see that order (another channel's, for a bound key). */
  constructor(
    readonly key: string,
    readonly orderId?: string,
    /** Where the key came from: the header, or (for a storefront's order) the order id in the body. */
    readonly field = 'headers/idempotency-key',
  ) {
    super(`Idempotency-Key '${key}' was already used for a different request${orderId ? ` (order ${orderId})` : ''}; use a new key for a new order.`);
  }

  /** The same refusal without the order it names. */
  concealed(): IdempotencyKeyReusedError {
    return new IdempotencyKeyReusedError(this.key, undefined, this.field);
  }
}

export class UnknownCustomerError extends CrossdockError {
  readonly code = 'unknown_customer';
  readonly issues: Issue[];
  constructor(readonly customer: string) {
    super(`Customer '${customer}' is not known to the hub; define it with PUT /v1/customers/${customer}.`);
    this.issues = [{ path: '/customer', message: this.message }];
  }
}

export class CustomerInactiveError extends CrossdockError {
  readonly code = 'customer_inactive';
  readonly issues: Issue[];
  constructor(readonly customer: string) {
    super(`Customer '${customer}' is inactive and cannot place orders.`);
    this.issues = [{ path: '/customer', message: this.message }];
  }
}

export class CreditHoldError extends CrossdockError {
  readonly code = 'credit_hold';
  constructor(
    readonly customer: string,
    readonly channel: string,
  ) {
    super(`Customer '${customer}' is on credit hold and channel '${channel}' rejects such orders (onCreditHold: reject).`);
  }
}

export class InsufficientStockError extends CrossdockError {
  readonly code = 'insufficient_stock';
  readonly issues: Issue[];
  constructor(
    readonly channel: string,
    readonly shortfalls: Shortfall[],
  ) {
    super(
      `Not enough stock on channel '${channel}' for ${shortfalls.map((s) => `${s.sku} (wanted ${s.requested}, available ${s.available})`).join(', ')}; nothing was reserved.`,
    );
    this.issues = shortfalls.map((s) => ({ path: `/lines/${s.index}/qty`, message: `wanted ${s.requested} of ${s.sku}, ${s.available} available` }));
  }
}

export class DuplicateOrderError extends CrossdockError {
  readonly code = 'duplicate_order';
  constructor(
    readonly channel: string,
    readonly externalId: string,
    readonly orderId: string,
  ) {
    super(`Channel '${channel}' order '${externalId}' was already captured as ${orderId} (under another Idempotency-Key).`);
  }
}

export class ErpUnavailableError extends CrossdockError {
  readonly code = 'erp_unavailable';
  override readonly retryable = true;
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super(`The ERP did not take order ${orderId} (${reason}); the channel's policy is to fail, so the reservation was released. Retry later.`);
  }
}

export class IllegalTransitionError extends CrossdockError {
  readonly code = 'illegal_transition';
  constructor(
    readonly orderId: string,
    readonly step: string,
    readonly reason: string,
  ) {
    super(`Order ${orderId}: ${step} is not allowed: ${reason}.`);
  }
}

/** An ERP call that did not answer with a result; `timedOut` means the ERP may still have acted on it. */
export class ErpCallError extends CrossdockError {
  readonly code = 'erp_call_failed';
  constructor(
    readonly operation: string,
    readonly reason: string,
    readonly timedOut: boolean,
    override readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`ERP ${operation} failed: ${reason}`, options);
  }
}
