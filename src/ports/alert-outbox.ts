/**
 * The alerts the hub owes SLA webhooks: one per breach exception, kind (breach or resolved) and
 * webhook, written once (a repeat is ignored) and kept until the webhook answers 2xx. A sender
 * claims due alerts for a while, so several processes never send one alert at the same time, and
 * an alert claimed by a process that died is sent by another once the claim runs out.
 */
import type { SlaAlertKind } from '../domain/sla/sla-rules.js';

type Awaitable<T> = T | Promise<T>;

export interface NewAlert {
  exceptionId: number;
  kind: SlaAlertKind;
  webhook: string;
  body: unknown;
  createdAt: string;
}

export interface StoredAlert extends NewAlert {
  id: number;
  attempts: number;
  /** When it may next be sent (or when its current claim runs out). */
  nextAt: string;
  deliveredAt: string | null;
  lastError: string | null;
}

export interface AlertOutbox {
  /** Adds the alerts whose (exception, kind, webhook) has none yet; returns how many were added. */
  add(alerts: readonly NewAlert[]): Awaitable<number>;
  /** `exceptionId/kind` of every alert already written for these exceptions. */
  written(exceptionIds: readonly number[]): Awaitable<Set<string>>;
  /** Undelivered alerts due at `nowIso`, oldest first, claimed until `untilIso`. */
  claimDue(nowIso: string, untilIso: string, limit: number): Awaitable<StoredAlert[]>;
  delivered(id: number, atIso: string): Awaitable<void>;
  /** A failed attempt: counted, with its error, tried again at `nextAtIso`. */
  failed(id: number, nextAtIso: string, error: string): Awaitable<void>;
  /** Newest first. */
  recent(limit: number): Awaitable<StoredAlert[]>;
  /**
   * Forgets the alerts of every exception whose story was told in full (a resolved alert among
   * them, every one delivered) before `beforeIso`; returns how many rows went. An alert still owed
   * is never forgotten, nor the breach of an exception still open (it would be announced again).
   */
  forgetSettled(beforeIso: string): Awaitable<number>;
}
