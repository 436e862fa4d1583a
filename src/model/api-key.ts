/**
 * API keys managed through the API (`/v1/keys`): what a person asks for, and what the hub shows
 * back. The secret itself appears once, in the answer that creates it; the hub keeps its digest.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IDENTIFIER_FORMAT } from './formats.js';
import { SCOPES } from './scopes.js';

const ScopeName = Type.Union(
  SCOPES.map((s) => Type.Literal(s)),
  { description: `One of ${SCOPES.join(', ')}.` },
);

export const ApiKeyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, format: 'well-formed', description: 'Who or what uses the key (shown in listings and the write log).' }),
    scopes: Type.Array(ScopeName, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
    channels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description:
          'Bind the key to these channels: it sees and changes only their orders, availability and customers. Only availability:read, orders:read and orders:write may be bound. Leave out for every channel.',
      }),
    ),
    systems: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200, format: IDENTIFIER_FORMAT }), {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description:
          'Bind the key to these systems (an event\'s source, e.g. "wms-dal"): it may send events from them only; an event naming another source is rejected on its own. Only events:write may be bound to systems. Leave out for every system.',
      }),
    ),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'From this instant (RFC 3339, in the future) the key is refused with 401.' })),
    ratePerMinute: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000_000, description: "Requests a minute this key may make; default: the configuration's auth.perKeyPerMinute." }),
    ),
  },
  { additionalProperties: false },
);
export type ApiKeyInput = Static<typeof ApiKeyInput>;

export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to recognise it by.' }),
  scopes: Type.Array(Type.String()),
  channels: Type.Optional(Type.Array(Type.String())),
  systems: Type.Optional(Type.Array(Type.String())),
  expiresAt: Type.Optional(Type.String()),
  ratePerMinute: Type.Optional(Type.Integer()),
  createdAt: Type.String(),
  revokedAt: Type.Optional(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
});
export type ApiKeyView = Static<typeof ApiKeyView>;

export const ApiKeyCreated = Type.Composite([
  ApiKeyView,
  Type.Object({ key: Type.String({ description: 'The key itself: shown only in this answer, the hub keeps only its digest.' }) }),
]);
export type ApiKeyCreated = Static<typeof ApiKeyCreated>;
