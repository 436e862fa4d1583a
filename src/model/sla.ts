/** The SLA rules, their webhooks and the alerts sent, as GET /v1/sla shows them. */
import { Type } from '@sinclair/typebox';
import { ExceptionSummary } from './exceptions.js';

export const SlaRuleView = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'order_in_erp, shipment_to_channels, channel_lag or exception_ack' }),
  minutes: Type.Number(),
  severity: Type.String(),
  destinations: Type.Optional(Type.Array(Type.String())),
  classes: Type.Optional(Type.Array(Type.String())),
  breaches: Type.Integer({ description: 'Breaches of this rule open or acknowledged now.' }),
});

export const SlaAlertView = Type.Object({
  id: Type.Integer(),
  exception: Type.Integer(),
  kind: Type.String({ description: 'breach or resolved' }),
  webhook: Type.String(),
  attempts: Type.Integer(),
  createdAt: Type.String(),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
});

export const SlaView = Type.Object({
  rules: Type.Array(SlaRuleView),
  webhooks: Type.Array(Type.Object({ id: Type.String(), host: Type.String({ description: 'Only the host: a webhook URL is a secret.' }) })),
  breaches: Type.Array(ExceptionSummary, { description: 'Breaches open or acknowledged now (exceptions of class sla_breach).' }),
  alerts: Type.Array(SlaAlertView, { description: 'The latest alerts, newest first.' }),
});
