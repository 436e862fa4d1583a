/** GET /v1/sla (admin): the SLA rules with their open breaches, the webhooks told, and the latest alerts. */
import type { FastifyInstance } from 'fastify';
import type { ExceptionDesk } from '../../../app/exceptions/exception-desk.js';
import type { SlaWatch } from '../../../app/sla/sla-alerts.js';
import { ruleOfKey, SLA_BREACH_CLASS } from '../../../domain/sla/sla-rules.js';
import { SlaView } from '../../../model/sla.js';

export function registerSlaRoutes(app: FastifyInstance, sla: SlaWatch, exceptions: ExceptionDesk): void {
  app.get(
    '/v1/sla',
    {
      config: { scope: 'admin' },
      schema: { tags: ['operations'], summary: 'The SLA rules, their breaches open now, the webhooks and the latest alerts', response: { 200: SlaView } },
    },
    async () => {
      const breaches = [
        ...(await exceptions.list({ class: SLA_BREACH_CLASS, status: 'open', limit: 500 })),
        ...(await exceptions.list({ class: SLA_BREACH_CLASS, status: 'acknowledged', limit: 500 })),
      ].sort((a, b) => b.id - a.id);
      const alerts = await sla.alerts.recent(50);
      return {
        rules: sla.rules.map((r) => ({ ...r, breaches: breaches.filter((b) => ruleOfKey(b.key) === r.id).length })),
        webhooks: sla.webhooks.map((w) => ({ id: w.id, host: new URL(w.url).host })),
        breaches: breaches.map(({ payload: _p, history: _h, key: _k, system: _s, ...summary }) => summary),
        alerts: alerts.map((a) => ({
          id: a.id,
          exception: a.exceptionId,
          kind: a.kind,
          webhook: a.webhook,
          attempts: a.attempts,
          createdAt: a.createdAt,
          deliveredAt: a.deliveredAt,
          nextAttemptAt: a.deliveredAt ? null : a.nextAt,
          lastError: a.lastError,
          text: String((a.body as { text?: unknown }).text ?? ''),
        })),
      };
    },
  );
}
