/**
 * Declarative mappings in JSONata files: a system's own JSON in, the hub's canonical order or
 * events out. Compiled once at start (a syntax error stops the hub naming the file and
 * position); every result is validated against the canonical schema, so a mapping that produces
 * something wrong says which field.
 */
import { readFileSync } from 'node:fs';
import jsonata from 'jsonata';
import type { Issue } from '../../domain/errors.js';
import { OrderRequest } from '../../model/order.js';
import { compileValidator } from '../../model/validator.js';
import { eventIssues, isValidEvent } from '../../model/event-validation.js';
import type { HubEvent } from '../../model/hub-event.js';

export type Produces = 'order' | 'events';

export type MappingResult =
  | { ok: true; produces: 'order'; order: OrderRequest }
  | { ok: true; produces: 'events'; events: HubEvent[] }
  | { ok: false; errors: Issue[] };

export class MappingError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'MappingError';
  }
}

const orderValidator = compileValidator(OrderRequest);

export class JsonataMapping {
  private readonly expression: jsonata.Expression;

  /** Throws MappingError when the file cannot be read or does not compile. */
  constructor(
    readonly file: string,
    readonly produces: Produces,
  ) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (err) {
      throw new MappingError(file, `cannot be read: ${(err as Error).message}`);
    }
    try {
      this.expression = jsonata(source);
    } catch (err) {
      const e = err as { message: string; position?: number };
      throw new MappingError(file, `does not compile${e.position !== undefined ? ` at character ${e.position}` : ''}: ${e.message}`);
    }
  }

  /** Maps one input document; errors name the field of the canonical result, or the JSONata failure. */
  async map(input: unknown): Promise<MappingResult> {
    let out: unknown;
    try {
      out = await this.expression.evaluate(input);
    } catch (err) {
      const e = err as { message: string; position?: number };
      return {
        ok: false,
        errors: [{ path: '/', message: `the mapping failed${e.position !== undefined ? ` at character ${e.position}` : ''}: ${e.message}` }],
      };
    }
    // JSONata sequences are arrays with extra properties: make them plain values.
    out = out === undefined ? undefined : JSON.parse(JSON.stringify(out));
    if (this.produces === 'order') {
      if (orderValidator.check(out)) return { ok: true, produces: 'order', order: out };
      return { ok: false, errors: out === undefined ? [{ path: '/', message: 'the mapping produced nothing' }] : orderValidator.issues(out) };
    }
    const list = Array.isArray(out) ? out : out === undefined ? [] : [out];
    const errors: Issue[] = [];
    list.forEach((e, i) => {
      if (!isValidEvent(e)) for (const x of eventIssues(e)) errors.push({ path: `/${i}${x.path === '/' ? '' : x.path}`, message: x.message });
    });
    if (list.length === 0) errors.push({ path: '/', message: 'the mapping produced no events' });
    return errors.length > 0 ? { ok: false, errors } : { ok: true, produces: 'events', events: list as HubEvent[] };
  }
}
