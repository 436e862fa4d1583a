/**
 * The one rule of system binding: a key bound to systems sends events only as those systems. The
 * event's `source` is what the ledger sequences and deduplicates by, so a key that could name any
 * source could overwrite another warehouse's counts; bound, it rejects such an event on its own.
 */
import type { ValidationIssue } from '../../model/validator.js';
import { CrossdockError } from '../errors.js';

export class SystemAccess {
  static readonly everySystem = new SystemAccess(undefined);

  private constructor(private readonly systems: ReadonlySet<string> | undefined) {}

  static of(systems: ReadonlySet<string> | undefined): SystemAccess {
    return systems === undefined ? SystemAccess.everySystem : new SystemAccess(systems);
  }

  covers(source: string): boolean {
    return this.systems === undefined || this.systems.has(source);
  }

  /** Why an event from `source` is refused, naming the field; undefined when the key may send it. */
  refusal(source: string): ValidationIssue | undefined {
    if (this.covers(source)) return undefined;
    const granted = [...this.systems!].sort().join(', ');
    return { path: '/source', message: `the API key is bound to the systems ${granted}; it may not send events from '${source}'` };
  }
}

/** A route that does not apply a key's system binding refused a key bound to systems. */
export class SystemBoundKeyError extends CrossdockError {
  readonly code = 'system_bound_key';
  constructor(readonly route: string) {
    super(`${route} is not among the routes a key bound to systems may use (it sends its systems' events); use a key not bound to systems.`);
  }
}
