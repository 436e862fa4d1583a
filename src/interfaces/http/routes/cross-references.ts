/** Cross-reference routes: bulk upsert (admin; releases the documents parked for the new references), look up both ways, delete. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { CrossReferenceBatch, CrossReferenceResult, CrossReferenceView } from '../../../model/cross-reference.js';
import { Problem } from '../../../model/problem.js';
import { NotFoundError } from '../../../domain/errors.js';
import type { CrossReferences } from '../../../app/master-data/cross-references.js';
import type { XrefKind } from '../../../domain/master-data/cross-reference.js';

const Kind = Type.Union([Type.Literal('item'), Type.Literal('customer'), Type.Literal('location')]);
const Field = Type.String({ minLength: 1, maxLength: 200 });

export function registerCrossReferenceRoutes(app: FastifyInstance, xrefs: CrossReferences): void {
  app.put(
    '/v1/xrefs',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['master data'],
        summary: 'Add or replace cross-references (up to 10,000)',
        description:
          "Each is validated on its own (GTIN schemes UP, EN, UK... need a right check digit); the answer names each rejected one by index and field. One (kind, system, scheme, external) maps to one canonical id. Every document parked for a reference added here is taken again at once, oldest first ('replayed' counts those released).",
        body: CrossReferenceBatch,
        response: { 200: CrossReferenceResult, 400: Problem },
      },
    },
    async (request) => xrefs.define(request.body as unknown[]),
  );

  app.get(
    '/v1/xrefs',
    {
      config: { scope: 'availability:read' },
      schema: {
        tags: ['master data'],
        summary: "Look cross-references up: a system's id to the hub's (system, scheme, external) or the hub's id to every system's (id)",
        querystring: Type.Object({
          kind: Type.Optional(Kind),
          system: Type.Optional(Field),
          scheme: Type.Optional(Field),
          external: Type.Optional(Field),
          id: Type.Optional(Field),
          limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
        }),
        response: { 200: Type.Object({ xrefs: Type.Array(CrossReferenceView) }) },
      },
    },
    async (request) => {
      const q = request.query as { kind?: XrefKind; system?: string; scheme?: string; external?: string; id?: string; limit: number };
      return { xrefs: await xrefs.find(q) };
    },
  );

  app.delete(
    '/v1/xrefs/:kind/:system/:scheme/:external',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['master data'],
        summary: 'Remove one cross-reference',
        params: Type.Object({ kind: Kind, system: Field, scheme: Field, external: Field }),
        response: { 204: Type.Null(), 404: Problem },
      },
    },
    async (request, reply) => {
      const key = request.params as { kind: XrefKind; system: string; scheme: string; external: string };
      if (!(await xrefs.remove(key))) throw new NotFoundError('Cross-reference', `${key.kind}/${key.system}/${key.scheme}/${key.external}`);
      return reply.code(204).send();
    },
  );
}
