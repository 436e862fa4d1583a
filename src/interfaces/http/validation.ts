/**
 * Fastify route validation through the same compiled TypeBox validators as the rest of the hub,
 * so every validation error has one shape. Query strings and path parameters are converted from
 * text first ("10" → 10) and defaults applied.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { compileValidator } from '../../model/validator.js';
import { InvalidInputError } from '../../domain/errors.js';

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = compileValidator(schema);
  const textual = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  const defaults = hasDefaults(schema);
  return (data: unknown) => {
    // Most lookups pass as sent; conversion and defaults clone, so they run only when needed.
    if (!defaults && validator.check(data)) return { value: data };
    let value = data;
    if (textual) value = Value.Convert(schema, value);
    if (defaults) value = Value.Default(schema, value);
    if (validator.check(value)) return { value };
    return { error: Object.assign(new Error('invalid request', { cause: new InvalidInputError(validator.issues(value)) }), { validation: [] }) };
  };
};

function hasDefaults(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  if ('default' in schema) return true;
  return Object.values(schema).some(hasDefaults);
}
