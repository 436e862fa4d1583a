/**
 * The correlation id of a request (docs/REFERENCE.md: x-correlation-id on every response): the caller's
 * own when it sent a usable one, so its logs and ours join up, else a new one.
 */
import { randomUUID } from 'node:crypto';

const USABLE = /^[\x21-\x7e]{1,200}$/;

export function correlationIdOf(sent: string | string[] | undefined): string {
  return typeof sent === 'string' && USABLE.test(sent) ? sent : randomUUID();
}
