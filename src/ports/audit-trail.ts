/**
 * The audit trail: every write made through the API or the CLI, who made it, from where, and
 * for master data and configuration what it was before and after. Append-only: entries are
 * never changed, only dropped whole once older than the retention.
 */
type Awaitable<T> = T | Promise<T>;

export interface AuditEntry {
  id: number;
  at: string;
  /** The API key's name, or `operator:<name>` when the CLI says who runs it. */
  actor: string;
  /** The API key that authenticated the write (also when an operator is named). */
  apiKey: string | null;
  /** The caller's address. */
  origin: string;
  /** `api` or `cli`. */
  via: string;
  /** The method and route, e.g. `PUT /v1/locations/:id`. */
  action: string;
  entity: { kind: string; id: string } | null;
  status: number;
  before?: unknown;
  after?: unknown;
  correlationId: string;
}

export interface AuditFilter {
  actor?: string;
  /** `kind:id`, or `kind` alone. */
  entity?: string;
  since?: string;
  until?: string;
  /** Entries with a smaller id than this (newest first). */
  beforeId?: number;
  limit: number;
}

export interface AuditTrail {
  /** Appends entries in one write, in order. */
  append(entries: readonly Omit<AuditEntry, 'id'>[]): Awaitable<void>;
  /** Newest first. */
  entries(filter: AuditFilter): Awaitable<AuditEntry[]>;
  /** Drops entries older than `beforeIso`; returns how many. */
  forgetBefore(beforeIso: string): Awaitable<number>;
}
