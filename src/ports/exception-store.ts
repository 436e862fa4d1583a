/**
 * The exception queue: one exception per problem a source reports, with its owner, status and
 * history. The records behind the problems (parked events, dead letters, ...) stay the source of
 * truth; this store keeps what people did about them. History is only ever appended.
 */
import type { ExceptionStatus, HistoryEntry, HubException } from '../domain/exceptions/exception-rules.js';

type Awaitable<T> = T | Promise<T>;

export type NewException = Omit<HubException, 'id' | 'status' | 'updatedAt' | 'history'> & { opened: HistoryEntry };

export interface ExceptionFilter {
  status?: ExceptionStatus;
  class?: string;
  owner?: string;
  /** `kind:id` */
  entity?: string;
  group?: string;
  /** Exceptions with a smaller id than this (newest first). */
  beforeId?: number;
  limit: number;
}

/** A change to one exception, applied only while its status is one of `whileStatus`. */
export interface ExceptionChange {
  status?: ExceptionStatus;
  owner?: string;
  payload?: unknown;
  error?: string;
  entry: HistoryEntry;
  whileStatus: readonly ExceptionStatus[];
}

export interface ExceptionStore {
  /** Opens an exception for each problem whose class and key have none yet; returns those opened. */
  open(problems: readonly NewException[]): Awaitable<HubException[]>;
  /** Which of these keys of the class have an exception, whatever its status. */
  known(cls: string, keys: readonly string[]): Awaitable<Set<string>>;
  /** Open and acknowledged exceptions, as class and key (to reconcile with the sources). */
  live(): Awaitable<{ id: number; class: string; key: string }[]>;
  get(id: number): Awaitable<HubException | undefined>;
  /** Newest first. */
  list(filter: ExceptionFilter): Awaitable<HubException[]>;
  /**
   * Applies the change and appends its history entry, atomically, if the exception's status is
   * still one of `whileStatus`; returns the changed exception, or undefined when it was not
   * (another process changed it first, or no such id).
   */
  change(id: number, change: ExceptionChange): Awaitable<HubException | undefined>;
}
