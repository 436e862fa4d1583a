/** RFC 9457 problem details, the one error shape of the HTTP API. */
import { Type } from '@sinclair/typebox';
import { ValidationIssue } from './inventory-event.js';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(ValidationIssue)),
    correlationId: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
