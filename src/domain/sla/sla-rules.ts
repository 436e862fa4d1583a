/**
 * Service-level promises the hub watches (configuration `sla.rules`): what each kind of rule
 * promises, how a breach is named so that one breach is one exception however many processes
 * evaluate it, and the Slack-compatible message that tells people a promise broke or holds
 * again. Pure: the facts come from the sources, the clock from the caller.
 */
import type { Severity } from '../exceptions/exception-rules.js';

/** The promises the hub can watch. */
export const SLA_KINDS = {
  /** An order the hub accepted exists in the ERP within `minutes`. */
  order_in_erp: 'order_in_erp',
  /** A shipment confirmation reaches every system subscribed to it within `minutes`. */
  shipment_to_channels: 'shipment_to_channels',
  /** A channel's availability figure never trails the hub by more than `minutes`. */
  channel_lag: 'channel_lag',
  /** An exception is acknowledged (or resolved) by its owner within `minutes`. */
  exception_ack: 'exception_ack',
} as const;
export type SlaKind = (typeof SLA_KINDS)[keyof typeof SLA_KINDS];
export const SLA_KIND_VALUES = Object.values(SLA_KINDS);

export interface SlaRule {
  /** Unique among the rules; names the breach in exceptions and alerts. */
  id: string;
  kind: SlaKind;
  minutes: number;
  severity: Severity;
  /** channel_lag and shipment_to_channels: only these destinations (every one when absent). */
  destinations?: readonly string[];
  /** exception_ack: only these classes (every class but sla_breach when absent). */
  classes?: readonly string[];
}

/** One thing a rule's promise is broken for, now. */
export interface SlaBreach {
  rule: SlaRule;
  /** What the promise is broken for: an order, a destination, an exception. */
  entity: { kind: string; id: string };
  /** Since when the promise is broken (the moment the clock ran out). */
  since: string;
  /** What is late, in words. */
  detail: string;
  correlationId: string | null;
  system: string | null;
}

export const SLA_BREACH_CLASS = 'sla_breach';

/** One breach of one rule for one entity is one exception: its key. */
export const breachKey = (b: { rule: { id: string }; entity: { kind: string; id: string } }): string => `${b.rule.id}/${b.entity.kind}:${b.entity.id}`;

/** The rule id of an exception key made by breachKey. */
export const ruleOfKey = (key: string): string => key.slice(0, key.indexOf('/'));

/** When a promise made at `startedIso` runs out under `rule`. */
export const deadlineOf = (rule: SlaRule, startedIso: string): number => Date.parse(startedIso) + rule.minutes * 60_000;

/** Whether a promise made at `startedIso` is broken at `now`. */
export const isLate = (rule: SlaRule, startedIso: string, now: number): boolean => deadlineOf(rule, startedIso) <= now;

/** The moment a promise made at `startedIso` broke, as ISO-8601. */
export const brokeAt = (rule: SlaRule, startedIso: string): string => new Date(deadlineOf(rule, startedIso)).toISOString();

export const SLA_ALERT_KINDS = ['breach', 'resolved'] as const;
export type SlaAlertKind = (typeof SLA_ALERT_KINDS)[number];

/** What an alert says about one sla_breach exception. */
export interface SlaAlertFacts {
  kind: SlaAlertKind;
  exceptionId: number;
  rule: string;
  entity: { kind: string; id: string };
  severity: string;
  owner: string;
  error: string;
  /** Why it resolved (the exception's last history note), for a resolution. */
  resolution?: string;
  correlationId: string | null;
  at: string;
}

/** A Slack-compatible incoming-webhook body (`text`), with the facts as fields for other receivers. */
export function slaAlertBody(f: SlaAlertFacts): Record<string, unknown> {
  const what = `${f.entity.kind} ${f.entity.id}`;
  const text =
    f.kind === 'breach'
      ? `:rotating_light: SLA breached: ${f.rule} for ${what} (${f.severity}, owner ${f.owner}): ${f.error} [exception ${f.exceptionId}]`
      : `:white_check_mark: SLA holds again: ${f.rule} for ${what}: ${f.resolution ?? 'the condition cleared'} [exception ${f.exceptionId}]`;
  return {
    text,
    kind: f.kind,
    rule: f.rule,
    exception: f.exceptionId,
    entity: f.entity,
    severity: f.severity,
    owner: f.owner,
    error: f.error,
    ...(f.resolution !== undefined ? { resolution: f.resolution } : {}),
    correlationId: f.correlationId,
    at: f.at,
  };
}
