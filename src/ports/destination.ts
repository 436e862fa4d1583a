/**
 * Another system the hub delivers to (a webhook, a storefront's API, a file drop): it takes a
 * batch of messages and either accepts all of them or throws DeliveryFailedError saying whether a
 * retry can help and how long the receiver asked to wait. Each message carries an idempotency key
 * so the receiver can apply it once however often it arrives.
 */
export interface OutgoingMessage {
  /** Unique per message; the receiver dedupes on it. */
  idempotencyKey: string;
  topic: string;
  /** Messages with the same key are delivered in order (an order id, a SKU). */
  key: string;
  payload: unknown;
  /** The correlation id of the request or event that caused it, when known (sent as X-Correlation-Id). */
  correlationId?: string;
}

export interface Destination {
  readonly id: string;
  /** Most messages one call may carry (1 for APIs that take one at a time). */
  readonly maxBatch: number;
  send(messages: OutgoingMessage[]): Promise<void>;
  /** How many calls of the receiver's rate budget sending these takes (default 1). */
  cost?(messages: OutgoingMessage[]): number;
  close?(): void;
}
