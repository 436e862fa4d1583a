/**
 * The webhook ids a system has sent (X-Shopify-Webhook-Id, a REST system's id header), so that a
 * webhook delivered again, by the sender's retry or by anyone replaying it, is taken once. An id
 * is claimed before its message is taken and released when taking it failed (the sender's retry
 * must then be taken); receipts older than the retention are forgotten, which is safe as long as
 * the retention outlasts the replay window on the sender's timestamp.
 */
type Awaitable<T> = T | Promise<T>;

export interface WebhookReceipts {
  /** True for the first claim of (system, webhookId) since it was last released or forgotten; false for a repeat. */
  claim(system: string, webhookId: string, receivedAt: string): Awaitable<boolean>;
  /** Forgets one claim (taking its message failed, so the sender's retry must be taken). */
  release(system: string, webhookId: string): Awaitable<void>;
  /** Forgets the receipts received before `before` (ISO 8601); returns how many. */
  forgetBefore(before: string): Awaitable<number>;
}
