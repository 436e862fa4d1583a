/**
 * Compiles a schema once and turns failures into `{ path, message }` issues naming the field.
 * TypeBox's compiled checks measured several times faster than zod on event batches, which
 * matters when a batch holds 10,000 events.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, ValueErrorType } from '@sinclair/typebox/compiler';
import './formats.js';

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface Validator<T extends TSchema> {
  check(value: unknown): value is Static<T>;
  /** The issues of a value that failed `check` (at most `limit`). */
  issues(value: unknown, limit?: number): ValidationIssue[];
}

export function compileValidator<T extends TSchema>(schema: T): Validator<T> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<T> => compiled.Check(value),
    issues(value, limit = 20) {
      const out: ValidationIssue[] = [];
      const seen = new Set<string>();
      for (const e of compiled.Errors(value)) {
        // Unions report one error per branch; the first per path reads best.
        if (seen.has(e.path)) continue;
        seen.add(e.path);
        const allowed = allowedValues(e.schema);
        const format = e.type === ValueErrorType.StringFormat ? FORMAT_MESSAGES[(e.schema as { format?: string }).format ?? ''] : undefined;
        const message = allowed ? `must be one of ${allowed.join(', ')}` : (format ?? e.message);
        out.push({ path: e.path || '/', message });
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}

/** What a value failing each of formats.ts's formats must be, said plainly. */
const FORMAT_MESSAGES: Record<string, string | undefined> = {
  'date-time': 'must be a real date and time in RFC 3339, such as 2026-11-22T10:00:00Z (seconds 00-59, a day the month has, in UTC within the years 0001-9999)',
  date: 'must be a real date, YYYY-MM-DD',
  identifier: 'must be well-formed Unicode with no space at either end and no control character or * ~ > ^ (reserved by EDI X12) anywhere',
  reference: 'must be well-formed Unicode with no control character or * ~ > ^ (reserved by EDI X12)',
  'well-formed': 'must be well-formed Unicode (no lone UTF-16 surrogate) without U+0000',
};

/** The values an enumerated field admits (a union of literals), so a refusal can list them. */
function allowedValues(schema: TSchema): string[] | undefined {
  const options = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (!options || options.length === 0 || !options.every((o) => 'const' in o)) return undefined;
  return options.map((o) => String(o.const));
}
