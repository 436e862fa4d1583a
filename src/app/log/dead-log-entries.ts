/**
 * Log entries that could not be applied (the scale-out workers gave up on them, with the error):
 * listed for a person, and applied again once the cause is fixed. The embedded backend applies
 * events as it accepts them, so it never has any.
 */
import { NotFoundError } from '../../domain/errors.js';
import type { DeadEntry } from '../../ports/ledger-store.js';

export interface DeadLogEntries {
  list(limit: number): Promise<DeadEntry[]>;
  /** Applies the entry again and forgets it. Throws NotFoundError, or the reason it still cannot apply. */
  retry(position: number): Promise<DeadEntry>;
}

export const noDeadLogEntries: DeadLogEntries = {
  list: async () => [],
  retry: async (position) => {
    throw new NotFoundError('Dead log entry', String(position));
  },
};
