/** API key routes (admin): create a key (shown once), list keys without their secret, revoke one. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ApiKeyCreated, ApiKeyInput, ApiKeyView } from '../../../model/api-key.js';
import { Problem } from '../../../model/problem.js';
import type { ApiKeyAdmin } from '../../../app/keys/manage-api-keys.js';

export function registerKeyRoutes(app: FastifyInstance, keys: ApiKeyAdmin): void {
  app.post(
    '/v1/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'Create an API key',
        description:
          'The answer carries the key itself, once: the hub keeps only its digest. A key with `channels` sees and changes only those channels; ' +
          'with `expiresAt` it is refused from that instant; with `ratePerMinute` it has its own request limit.',
        body: ApiKeyInput,
        response: { 201: ApiKeyCreated, 400: Problem, 422: Problem },
      },
    },
    async (request, reply) => reply.code(201).send(await keys.create(request.body as ApiKeyInput)),
  );

  app.get(
    '/v1/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'The keys created through the API, revoked and expired ones too, without their secret',
        description: 'Keys from CROSSDOCK_ADMIN_KEY, the data directory and the configuration file are not listed: they are managed where they are set.',
        response: { 200: Type.Object({ keys: Type.Array(ApiKeyView) }) },
      },
    },
    async () => ({ keys: await keys.list() }),
  );

  app.delete(
    '/v1/keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'Revoke a key: 401 from then on',
        description: 'Takes effect at once in the process that answers, and in the other api processes of a scale-out hub within auth.keyRefreshMs.',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: ApiKeyView, 404: Problem },
      },
    },
    async (request) => keys.revoke((request.params as { id: string }).id),
  );
}
