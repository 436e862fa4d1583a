/**
 * The exception queue's rules: the classes of problem the hub raises, their statuses and how one
 * may move to another, the actions a person can take, and who owns an exception. Pure: the queue
 * itself is kept by an ExceptionStore, the problems by the records that hold them.
 */

/** Where a problem comes from: each class is one ExceptionSource over the record that holds it. */
export const EXCEPTION_CLASSES = [
  'parked_event',
  'parked_inbound',
  'unknown_cross_reference',
  'order_exception',
  'dead_letter',
  'dead_log_entry',
  'erp_pending',
  'sla_breach',
  'partner_rejection',
] as const;
export type ExceptionClass = (typeof EXCEPTION_CLASSES)[number] | (string & {});

export const EXCEPTION_STATUS = { open: 'open', acknowledged: 'acknowledged', resolved: 'resolved', auto_resolved: 'auto_resolved' } as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUS)[keyof typeof EXCEPTION_STATUS];
export const EXCEPTION_STATUSES = Object.values(EXCEPTION_STATUS);

/** Open and acknowledged exceptions still need someone; resolved ones are history. */
export const isLiveStatus = (s: ExceptionStatus): boolean => s === 'open' || s === 'acknowledged';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Actions carried out on the record behind the exception, by its source (add_xref: add the missing cross-reference, which replays what waits for it). */
export const SOURCE_ACTIONS = ['retry', 'replay', 'edit', 'discard', 'add_xref'] as const;
export type SourceAction = (typeof SOURCE_ACTIONS)[number];
/** Actions on the exception itself, open to every class. */
export const QUEUE_ACTIONS = ['acknowledge', 'assign'] as const;
export type QueueAction = (typeof QUEUE_ACTIONS)[number];
export type ExceptionAction = SourceAction | QueueAction;
export const EXCEPTION_ACTIONS: readonly ExceptionAction[] = [...SOURCE_ACTIONS, ...QUEUE_ACTIONS];

export const isSourceAction = (a: ExceptionAction): a is SourceAction => (SOURCE_ACTIONS as readonly string[]).includes(a);

export interface ExceptionEntity {
  /** item, order, customer, destination, document, location or event. */
  kind: string;
  id: string;
}

export interface HistoryEntry {
  at: string;
  /** Who acted: an API key's name, `operator:<name>` from the CLI, or `hub` for the hub's own checks. */
  actor: string;
  action: 'opened' | 'auto_resolved' | ExceptionAction;
  /** What happened, in words a person acts on (why it resolved, the reason given, the new owner). */
  note: string;
  status: ExceptionStatus;
}

export interface HubException {
  id: number;
  /** The source's own key for the problem (class-scoped): one exception per problem. */
  key: string;
  class: ExceptionClass;
  severity: Severity;
  status: ExceptionStatus;
  owner: string;
  entity: ExceptionEntity;
  /** The root cause it shares with others: one undefined location, one destination down. */
  group: string;
  correlationId: string | null;
  error: string;
  payload: unknown;
  /** The system the problem concerns (a destination, an inbound system), for owner rules. */
  system: string | null;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
}

/** A rule of the configuration's `exceptions.owners`: the first that matches names the owner. */
export interface OwnerRule {
  class?: string;
  system?: string;
  owner: string;
}

/** The team that owns a new exception: the first rule whose class and system match, else the default. */
export function ownerFor(rules: readonly OwnerRule[], fallback: string, exception: { class: string; system: string | null }): string {
  const rule = rules.find((r) => (r.class === undefined || r.class === exception.class) && (r.system === undefined || r.system === exception.system));
  return rule?.owner ?? fallback;
}

/** The status an action leaves an exception in, or undefined when it leaves it as it is. */
export function statusAfter(action: ExceptionAction, current: ExceptionStatus): ExceptionStatus {
  switch (action) {
    case 'acknowledge':
      return 'acknowledged';
    case 'discard':
      return 'resolved';
    case 'assign':
    case 'retry':
    case 'replay':
    case 'edit':
    case 'add_xref':
      return current;
  }
}
