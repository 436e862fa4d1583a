/** Errors of the exception queue, each with the ids and choices a person needs to act. */
import { CrossdockError } from '../errors.js';

/** The action does not apply to this class of exception; `allowed` lists those that do. */
export class ActionNotAllowedError extends CrossdockError {
  readonly code = 'action_not_allowed';
  constructor(
    readonly exceptionClass: string,
    readonly action: string,
    readonly allowed: string[],
  ) {
    super(`'${action}' does not apply to a ${exceptionClass} exception; the actions that do are: ${allowed.join(', ')}.`);
  }
}

/** The exception is resolved already: nothing is left to act on. */
export class ExceptionClosedError extends CrossdockError {
  readonly code = 'exception_closed';
  constructor(
    readonly exceptionId: number,
    readonly status: string,
  ) {
    super(`Exception ${exceptionId} is ${status}; only open or acknowledged exceptions can be acted on.`);
  }
}

/** A dead log entry retried from the queue still cannot be applied; it stays dead. */
export class EntryCannotApplyError extends CrossdockError {
  readonly code = 'entry_cannot_apply';
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`Log entry ${position} still cannot be applied: ${reason}. It stays among the dead entries.`);
  }
}
