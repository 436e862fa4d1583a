/**
 * Group commit for writes decided in memory: writes queued in the same turn of the event loop
 * run in one transaction, so one fsync serves every request waiting on it. If the transaction
 * fails, every waiter is told and `recover` rebuilds memory from the store, since memory already
 * reflects writes that did not commit.
 */
import { StorageFailedError } from '../domain/errors.js';

interface Pending {
  write: () => void;
  what: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly transaction: (fn: () => void) => void,
    private readonly recover: () => void,
  ) {}

  /** Queues `write` (synchronous store calls); resolves once it is durable. Throws StorageFailedError naming `what`. */
  commit(what: string, write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, what, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Queues `write` without waiting for it: for writes whose loss a restart repairs (the ERP's
   * answer, which the hub asks the ERP for again). A failure is reported to `recover` like any.
   */
  later(what: string, write: () => void): void {
    this.commit(what, write).catch(() => {
      /* recover() has rebuilt memory from the store */
    });
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      this.transaction(() => {
        for (const p of batch) p.write();
      });
    } catch (err) {
      for (const p of batch) p.reject(new StorageFailedError(p.what, err));
      this.recover();
      return;
    }
    for (const p of batch) p.resolve();
  }
}
