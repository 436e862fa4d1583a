/** Dead log entries on the scale-out backend: kept in the shared state, applied again by a worker's own code. */
import { NotFoundError } from '../../domain/errors.js';
import type { DeadEntry, LedgerStore } from '../../ports/ledger-store.js';
import type { EntryKind } from '../../ports/event-log.js';
import type { DeadLogEntries } from './dead-log-entries.js';
import type { LedgerWorker } from './ledger-worker.js';

export class WorkerDeadLogEntries implements DeadLogEntries {
  constructor(private readonly deps: { store: LedgerStore; worker: LedgerWorker }) {}

  list(limit: number): Promise<DeadEntry[]> {
    return this.deps.store.deadEntries(limit);
  }

  async retry(position: number): Promise<DeadEntry> {
    const dead = await this.deps.store.deadEntry(position);
    if (!dead) throw new NotFoundError('Dead log entry', String(position));
    // Applying twice is harmless (the inbox), so a retry racing a worker's redelivery is too.
    await this.deps.worker.applyAll([{ position, kind: dead.kind as EntryKind, body: dead.body }]);
    await this.deps.store.forgetDeadEntry(position);
    return dead;
  }
}
