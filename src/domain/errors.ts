/**
 * One error class per condition the hub reports, each with a stable `code`, the ids a person
 * needs to act, and whether retrying can help. Interfaces map them to HTTP statuses and exit
 * codes in exactly one place each.
 */
export interface Issue {
  path: string;
  message: string;
}

export abstract class CrossdockError extends Error {
  abstract readonly code: string;
  /** True when the same request may succeed later unchanged. */
  readonly retryable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends CrossdockError {
  readonly code = 'invalid_input';
  constructor(
    readonly issues: Issue[],
    message = 'The request is not valid.',
  ) {
    super(message);
  }
}

export class UnknownChannelError extends CrossdockError {
  readonly code = 'unknown_channel';
  /** `path`: where a request body named the channel (a bad field, not a missing resource). */
  constructor(
    readonly channel: string,
    readonly path?: string,
  ) {
    super(`Channel '${channel}' is not defined; define it with PUT /v1/channels/${channel}.`);
  }
}

export class UnknownItemError extends CrossdockError {
  readonly code = 'unknown_item';
  constructor(readonly sku: string) {
    super(`Item '${sku}' is not known to the hub; define it with PUT /v1/items/${sku} or send an inventory event that names it.`);
  }
}

export class UnknownLocationError extends CrossdockError {
  readonly code = 'unknown_location';
  constructor(
    readonly location: string,
    readonly path: string,
  ) {
    super(`Location '${location}' is not defined; define it with PUT /v1/locations/${location} first.`);
  }
}

export class NotFoundError extends CrossdockError {
  readonly code = 'not_found';
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} '${id}' does not exist.`);
  }
}

/** The shared state has not caught up with what this request depends on (scale-out workers behind or stopped). */
export class WorkersBehindError extends CrossdockError {
  readonly code = 'workers_behind';
  override readonly retryable = true;
  constructor(
    readonly needed: number,
    readonly applied: number,
    waitedMs: number,
  ) {
    super(
      `The workers have applied the log through position ${applied}, and this request needs ${needed}; waited ${waitedMs} ms. Nothing was reserved; retry shortly, and check that worker processes are running (crossdock_log_lag_entries).`,
    );
  }
}

export class StorageFailedError extends CrossdockError {
  readonly code = 'storage_failed';
  override readonly retryable = true;
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`The hub could not make ${operation} durable; nothing was applied. Retry the request.`, { cause });
  }
}

/**
 * A submission the store could not take although it passed validation, found by committing its
 * group without it (the others committed). Retrying it unchanged fails the same way.
 */
export class UnstorableSubmissionError extends CrossdockError {
  readonly code = 'unstorable_submission';
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(
      `The hub could not store ${operation}, though the requests committed with it were stored; nothing of it was applied. Retrying it unchanged will fail the same way: the correlation id finds the cause in the logs.`,
      { cause },
    );
  }
}

/** The shared database refused or dropped a connection (down, restarting, out of connection slots). */
export class DatabaseUnavailableError extends CrossdockError {
  readonly code = 'database_unavailable';
  override readonly retryable = true;
  constructor(reason: string, cause: unknown) {
    super(
      `The hub's database is unavailable (${reason}). Retry shortly: a retry applies once (orders by their Idempotency-Key, events by source and id), whether or not this attempt reached the database. If it persists, check PostgreSQL and that every hub process together stays under its max_connections (scaleOut.connections).`,
      { cause },
    );
  }
}

export class ShuttingDownError extends CrossdockError {
  readonly code = 'shutting_down';
  override readonly retryable = true;
  constructor() {
    super('The hub is shutting down and accepts no more work; retry against another instance or after restart.');
  }
}

export class WebhookSignatureError extends CrossdockError {
  readonly code = 'bad_signature';
  constructor(readonly system: string) {
    super(`The webhook's signature does not match the secret configured for system '${system}'; it was not taken.`);
  }
}

/** The webhook's topic header says one thing and its signed body another (a replayed body under another topic). */
export class WebhookTopicMismatchError extends CrossdockError {
  readonly code = 'topic_mismatch';
  constructor(
    readonly system: string,
    readonly header: string,
    readonly topic: string,
    readonly reason: string,
  ) {
    super(`The webhook from '${system}' was not taken: its ${header} '${topic}' contradicts its body: ${reason}.`);
  }
}

/** The webhook's sender timestamp is outside the replay window (too old, or too far ahead), or unreadable. */
export class StaleWebhookError extends CrossdockError {
  readonly code = 'stale_webhook';
  constructor(
    readonly system: string,
    readonly header: string,
    readonly sentAt: string,
    readonly reason: string,
  ) {
    super(`The webhook from '${system}' was not taken: its ${header} '${sentAt}' ${reason}.`);
  }
}
