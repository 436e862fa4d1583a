/** The exception queue (admin): list and inspect exceptions, act on one or on a whole group. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExceptionDesk, ExceptionView } from '../../../app/exceptions/exception-desk.js';
import type { ExceptionAction } from '../../../domain/exceptions/exception-rules.js';
import { ActionParams, ExceptionDetail, ExceptionQuery, ExceptionSummary, GroupResultView } from '../../../model/exceptions.js';
import { Problem } from '../../../model/problem.js';
import { actorOf } from '../audit-hook.js';
import { HttpProblem } from '../problem.js';

const summary = ({ payload: _p, history: _h, key: _k, system: _s, ...rest }: ExceptionView) => rest;

/** What an action needs from its body, checked here so a missing field is named before anything is done. */
function actionInput(
  request: FastifyRequest,
  action: ExceptionAction,
): { reason?: string; owner?: string; payload?: unknown; mapsTo?: { id: string; shipTo?: string } } {
  const body = request.body as unknown;
  if (action === 'edit') {
    if (body === undefined || body === null) throw bodyProblem('/', 'edit needs the new payload as the request body');
    return { payload: body };
  }
  if (action === 'add_xref') {
    const fields = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const extra = Object.keys(fields).find((k) => k !== 'id' && k !== 'shipTo');
    if (extra) throw bodyProblem(`/${extra}`, 'expected { id, shipTo? }');
    // The id's own rules (length, characters) are the cross-reference's: checked when it is added.
    if (typeof fields.id !== 'string' || fields.id === '') throw bodyProblem('/id', "add_xref needs the hub's id the reference stands for");
    if (fields.shipTo !== undefined && typeof fields.shipTo !== 'string') throw bodyProblem('/shipTo', 'must be a string');
    return { mapsTo: { id: fields.id, ...(typeof fields.shipTo === 'string' ? { shipTo: fields.shipTo } : {}) } };
  }
  const fields = (body ?? {}) as Record<string, unknown>;
  const unknownField = Object.keys(fields).find((k) => k !== 'reason' && k !== 'owner');
  if (typeof body !== 'object' || Array.isArray(body) || unknownField) throw bodyProblem(`/${unknownField ?? ''}`, 'expected { reason } or { owner }');
  const checked = fields as { reason?: unknown; owner?: unknown };
  const text = (v: unknown, name: string, max: number) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length < 1 || v.length > max) throw bodyProblem(`/${name}`, `must be a string of 1 to ${max} characters`);
    return v;
  };
  const reason = text(checked.reason, 'reason', 1000);
  const owner = text(checked.owner, 'owner', 200);
  if (action === 'discard' && !reason) throw bodyProblem('/reason', 'discard needs a reason');
  if (action === 'assign' && !owner) throw bodyProblem('/owner', 'assign needs the new owner');
  return { ...(reason ? { reason } : {}), ...(owner ? { owner } : {}) };
}

const bodyProblem = (path: string, message: string) =>
  new HttpProblem(400, 'invalid_input', 'Invalid input', 'The request body is not valid.', { errors: [{ path, message }] });

export function registerExceptionRoutes(app: FastifyInstance, desk: ExceptionDesk): void {
  app.get(
    '/v1/exceptions',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'The exception queue, newest first, with filters',
        querystring: ExceptionQuery,
        response: { 200: Type.Object({ exceptions: Type.Array(ExceptionSummary), next: Type.Union([Type.String(), Type.Null()]) }), 400: Problem },
      },
    },
    async (request) => {
      const q = request.query as ExceptionQuery;
      const page = await desk.list({
        ...(q.status ? { status: q.status } : {}),
        ...(q.class ? { class: q.class } : {}),
        ...(q.owner ? { owner: q.owner } : {}),
        ...(q.entity ? { entity: q.entity } : {}),
        ...(q.group ? { group: q.group } : {}),
        ...(q.cursor ? { beforeId: Number(q.cursor) } : {}),
        limit: q.limit,
      });
      return { exceptions: page.map(summary), next: page.length === q.limit ? String(page[page.length - 1]!.id) : null };
    },
  );

  app.get(
    '/v1/exceptions/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'One exception with its payload and history',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: ExceptionDetail, 404: Problem },
      },
    },
    async (request) => {
      const { key: _k, ...rest } = await desk.get((request.params as { id: number }).id);
      return rest;
    },
  );

  app.post(
    '/v1/exceptions/:id/actions/:action',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary:
          'Act on one exception: retry, replay, edit (body: the new payload), discard { reason }, acknowledge { reason? }, assign { owner }, add_xref { id, shipTo? }',
        description:
          'Each action is recorded in the history. An edit is checked as if the payload were new: one that does not pass is answered 422 naming the field, and nothing changes. An action that does not apply to the class is 409 naming those that do.',
        params: Type.Composite([Type.Object({ id: Type.Integer({ minimum: 1 }) }), ActionParams]),
        response: { 200: ExceptionDetail, 400: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const { id, action } = request.params as { id: number; action: ExceptionAction };
      const input = actionInput(request, action);
      const { key: _k, ...rest } = await desk.act(id, action, { actor: actorOf(request).actor, correlationId: request.id, ...input });
      return rest;
    },
  );

  app.post(
    '/v1/exception-groups/:group/actions/:action',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'The same action on every open or acknowledged exception of a group (one root cause), each recorded',
        params: Type.Composite([Type.Object({ group: Type.String({ minLength: 1 }) }), ActionParams]),
        response: { 200: GroupResultView, 400: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const { group, action } = request.params as { group: string; action: ExceptionAction };
      if (action === 'edit') throw bodyProblem('/', 'edit applies to one exception at a time');
      const input = actionInput(request, action);
      return desk.actOnGroup(group, action, { actor: actorOf(request).actor, correlationId: request.id, ...input });
    },
  );
}
