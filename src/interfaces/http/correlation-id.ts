/**
 * The correlation id of a request (docs/REFERENCE.md: x-correlation-id on every response): the caller's
 * own when it sent a usable one, so its logs and ours join up, else a new one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id of the request being served, for everything that runs on its behalf: the
 * hub's logger adds it to every line written while it is set (a pino mixin), so a request's log
 * lines join up without each call site passing it.
 */
export const correlationScope = new AsyncLocalStorage<string>();

const USABLE = /^[\x21-\x7e]{1,200}$/;

export function correlationIdOf(sent: string | string[] | undefined): string {
  return typeof sent === 'string' && USABLE.test(sent) ? sent : randomUUID();
}
