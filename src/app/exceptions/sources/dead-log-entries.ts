/** Log entries the scale-out workers gave up on: retried once the cause is fixed (none on the embedded backend). */
import { EntryCannotApplyError } from '../../../domain/exceptions/exception-errors.js';
import { MalformedEntryError } from '../../log/ledger-worker.js';
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { DeadLogEntries } from '../../log/dead-log-entries.js';

const LIMIT = 10_000;

/**
 * The correlation id an entry's body names: an event carries its own, else its request's, stamped
 * when it was written to the log (publish-to-log.ts). None when the body is not such a record.
 */
export function correlationOfEntry(body: string): string | null {
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const id = (value as { correlationId?: unknown }).correlationId;
    return typeof id === 'string' && id !== '' ? id : null;
  } catch {
    return null;
  }
}

export function deadLogEntrySource(deps: { entries: DeadLogEntries }): ExceptionSource {
  return {
    class: 'dead_log_entry',
    severity: 'critical',
    actions: ['retry'],
    async current() {
      return (await deps.entries.list(LIMIT)).map((d) => ({
        key: String(d.position),
        entity: { kind: 'event', id: String(d.position) },
        error: d.error,
        group: `dead-log:${d.kind}`,
        system: null,
        correlationId: correlationOfEntry(d.body),
        since: d.at,
        payload: d.body,
      }));
    },
    payload: async (key) => (await deps.entries.list(LIMIT)).find((d) => String(d.position) === key)?.body ?? null,
    whyGone: async (e) => `log entry ${e.entity.id} was applied and left the dead entries`,
    async act(e, action) {
      if (action !== 'retry') throw new Error(`unreachable: ${action}`);
      const position = Number(e.entity.id);
      try {
        await deps.entries.retry(position);
      } catch (err) {
        if (err instanceof MalformedEntryError) throw new EntryCannotApplyError(position, err.message);
        throw err;
      }
      return { note: `log entry ${e.entity.id} applied again` };
    },
  };
}
