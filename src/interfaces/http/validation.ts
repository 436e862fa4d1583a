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
  const convert = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  return (data: unknown) => {
    let value = data;
    if (convert) value = Value.Default(schema, Value.Convert(schema, data));
    if (validator.check(value)) return { value };
    return { error: Object.assign(new Error('invalid request', { cause: new InvalidInputError(validator.issues(value)) }), { validation: [] }) };
  };
};
