/**
 * One class of problem, over the record that holds it (parked events, dead letters, ...): what is
 * wrong now, and the actions on that record. Adding a class of exception is one small adapter of
 * this port, registered with the exception desk.
 */
import type { ExceptionEntity, HubException, Severity, SourceAction } from '../domain/exceptions/exception-rules.js';

export interface CurrentProblem {
  /** Stable for as long as the problem lasts, unique within the class. */
  key: string;
  entity: ExceptionEntity;
  error: string;
  /** The root cause it shares with others (one undefined location, one destination down). */
  group: string;
  system: string | null;
  correlationId: string | null;
  /** When the record says it went wrong. */
  since: string;
  /** The record as a payload, when listing it costs nothing more (else read by `payload`). */
  payload?: unknown;
  /** When this problem is graver or lighter than its class (an SLA rule's own severity). */
  severity?: Severity;
}

/** Who acts and why, handed to a source so the record behind the exception can say it too. */
export interface ActionContext {
  actor: string;
  correlationId: string;
  /** discard: why. */
  reason?: string;
  /** edit: the new payload. */
  payload?: unknown;
  /** add_xref: the hub's id the missing reference stands for (and, for a customer, which ship-to). */
  mapsTo?: { id: string; shipTo?: string };
}

export interface ActionOutcome {
  note: string;
  /** The action settled the problem though its record stays (an order exception corrected by a new event). */
  resolves?: boolean;
}

export interface ExceptionSource {
  readonly class: string;
  readonly severity: Severity;
  /** The actions this source performs on its records. */
  readonly actions: readonly SourceAction[];
  /** Every problem of this class now. */
  current(): Promise<CurrentProblem[]>;
  /** The record behind a problem, as a person would edit it (read once, when its exception opens). */
  payload(key: string): Promise<unknown>;
  /** Why a problem that is no longer current went away, for the exception's history. */
  whyGone(exception: HubException): Promise<string>;
  /**
   * Performs the action on the record; returns what happened, in words. Throws the record's own
   * errors (InvalidInputError naming the field for an edit that does not validate; then nothing changed).
   */
  act(exception: HubException, action: SourceAction, ctx: ActionContext): Promise<ActionOutcome>;
}
