/** The audit trail (admin): every write, newest first, by actor, entity and time. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditRecorder } from '../../../app/audit/audit-recorder.js';
import { AuditEntryView, AuditQuery } from '../../../model/exceptions.js';
import { Problem } from '../../../model/problem.js';

export function registerAuditRoutes(app: FastifyInstance, recorder: AuditRecorder): void {
  app.get(
    '/v1/audit',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'The audit trail: every write through the API and the CLI, newest first',
        querystring: AuditQuery,
        response: { 200: Type.Object({ entries: Type.Array(AuditEntryView), next: Type.Union([Type.String(), Type.Null()]) }), 400: Problem },
      },
    },
    async (request) => {
      const q = request.query as AuditQuery;
      const entries = await recorder.entries({
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.entity ? { entity: q.entity } : {}),
        ...(q.since ? { since: new Date(q.since).toISOString() } : {}),
        ...(q.until ? { until: new Date(q.until).toISOString() } : {}),
        ...(q.cursor ? { beforeId: Number(q.cursor) } : {}),
        limit: q.limit,
      });
      return { entries: entries.map(({ id: _id, ...e }) => e), next: entries.length === q.limit ? String(entries[entries.length - 1]!.id) : null };
    },
  );
}
