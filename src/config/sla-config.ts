/**
 * The `sla:` section of the configuration file: the promises the hub watches and the webhooks it
 * tells when one breaks and when it holds again (Slack-compatible JSON). Validated with the rest
 * of the file at start; settingsOf fills in the defaults.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SLA_KIND_VALUES, type SlaRule } from '../domain/sla/sla-rules.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

export const SlaSection = Type.Object(
  {
    rules: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Names the rule in exceptions and alerts; unique.' }),
            kind: Type.Union(
              SLA_KIND_VALUES.map((k) => Type.Literal(k)),
              {
                description:
                  "order_in_erp: an order the hub accepted exists in the ERP within `minutes`; shipment_to_channels: a shipment confirmation reaches every system it is addressed to within `minutes`; channel_lag: a channel system never trails the hub's availability figures by more than `minutes`; exception_ack: an exception is acknowledged or resolved within `minutes`.",
              },
            ),
            minutes: Type.Number({ minimum: 0, description: 'The promise, in minutes (fractions allowed).' }),
            severity: Type.Optional(
              Type.Union(
                SEVERITIES.map((s) => Type.Literal(s)),
                { default: 'high' },
              ),
            ),
            destinations: Type.Optional(
              Type.Array(Type.String({ minLength: 1 }), { description: 'channel_lag, shipment_to_channels: only these delivering systems (all when absent).' }),
            ),
            classes: Type.Optional(
              Type.Array(Type.String({ minLength: 1 }), { description: 'exception_ack: only exceptions of these classes (all but sla_breach when absent).' }),
            ),
          },
          { additionalProperties: false },
        ),
        { description: 'A breach opens an exception of class sla_breach (one per rule and entity) that resolves by itself when the condition clears.' },
      ),
    ),
    webhooks: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Names the webhook in GET /v1/sla.' }),
            url: Type.String({ pattern: '^https?://', description: 'A Slack incoming webhook or any receiver of JSON POSTs.' }),
          },
          { additionalProperties: false },
        ),
        { description: 'Told once when a breach opens and once when it resolves; retried until they answer 2xx, across restarts.' },
      ),
    ),
    retryMaxMs: Type.Optional(Type.Integer({ minimum: 10, default: 300_000, description: 'Longest wait between two attempts to notify a webhook.' })),
    alertRetentionDays: Type.Optional(
      Type.Number({
        minimum: 0.001,
        default: 30,
        description:
          'The alerts of a breach that resolved, every one delivered, are forgotten this long after the last went out (GET /v1/sla lists them until then).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SlaSection = Static<typeof SlaSection>;

export interface SlaSettings {
  rules: SlaRule[];
  webhooks: { id: string; url: string }[];
  retryMaxMs: number;
  alertRetentionMs: number;
}

/** The section with its defaults. Rule ids are unique (checked in loadHubFile's cross-checks via duplicateSlaRule). */
export function slaSettings(s: SlaSection): SlaSettings {
  return {
    rules: (s.rules ?? []).map((r) => ({
      id: r.id,
      kind: r.kind,
      minutes: r.minutes,
      severity: r.severity ?? 'high',
      ...(r.destinations ? { destinations: r.destinations } : {}),
      ...(r.classes ? { classes: r.classes } : {}),
    })),
    webhooks: s.webhooks ?? [],
    retryMaxMs: s.retryMaxMs ?? 300_000,
    alertRetentionMs: (s.alertRetentionDays ?? 30) * 86_400_000,
  };
}

/** The index of the first rule (or webhook) whose id repeats an earlier one's, for a ConfigError. */
export function duplicateSlaId(s: SlaSection): { field: string; id: string } | undefined {
  for (const [name, list] of [
    ['rules', s.rules ?? []],
    ['webhooks', s.webhooks ?? []],
  ] as const) {
    const seen = new Set<string>();
    for (const [i, x] of list.entries()) {
      if (seen.has(x.id)) return { field: `sla.${name}.${i}.id`, id: x.id };
      seen.add(x.id);
    }
  }
  return undefined;
}
