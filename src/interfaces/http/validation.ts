/**
 * Fastify route validation through the same compiled TypeBox validators as the rest of the hub,
 * so every validation error has one shape. Query strings and path parameters are converted from
 * text first ("10" → 10) and defaults applied.
 */
import type { FastifySchemaCompiler } from 'fastify';
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { compileValidator } from '../../model/validator.js';
import { InvalidInputError } from '../../domain/errors.js';

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = compileValidator(schema);
  const textual = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  const defaults = hasDefaults(schema);
  const mayBeAbsent = httpPart === 'body' && (schema as { [BODY_OPTIONAL]?: boolean })[BODY_OPTIONAL] === true;
  return (data: unknown) => {
    if ((data === undefined || data === null) && mayBeAbsent) return { value: undefined };
    // Most lookups pass as sent; conversion and defaults clone, so they run only when needed.
    if (!defaults && validator.check(data)) return { value: data };
    let value = data;
    if (textual) value = Value.Convert(schema, value);
    if (defaults) value = Value.Default(schema, value);
    if (validator.check(value)) return { value };
    return { error: Object.assign(new Error('invalid request', { cause: new InvalidInputError(validator.issues(value)) }), { validation: [] }) };
  };
};

const BODY_OPTIONAL = 'x-body-optional';

/** A request body that may be left out entirely (Fastify copies schemas, so the mark is a plain keyword). */
export function optionalBody<T extends TObject>(schema: T): T {
  return Type.Unsafe({ ...schema, [BODY_OPTIONAL]: true }) as unknown as T;
}

function hasDefaults(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  if ('default' in schema) return true;
  return Object.values(schema).some(hasDefaults);
}
