/**
 * Group commit for writes decided in memory: writes queued in the same turn of the event loop
 * run in one transaction, so one fsync serves every request waiting on it. If the transaction
 * fails, the group is retried without the write at fault, which alone is told (every waiter, when
 * the store itself fails); then `recover` rebuilds memory from the store, since memory already
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
    const failure = this.run(batch);
    if (failure === undefined) return;
    if (batch.length === 1) batch[0]!.reject(new StorageFailedError(batch[0]!.what, failure));
    else this.isolate(batch, failure);
    // Memory reflects the writes that failed as well: rebuild it from what did commit.
    this.recover();
  }

  /**
   * A group failed: its halves are committed on their own and a half that fails is split again,
   * so that a write the store cannot take fails alone and the others commit. When both halves
   * fail, the store itself is failing and every waiter is told.
   */
  private isolate(batch: Pending[], failure: unknown): void {
    if (batch.length === 1) {
      batch[0]!.reject(new StorageFailedError(batch[0]!.what, failure));
      return;
    }
    const middle = batch.length >> 1;
    const halves = [batch.slice(0, middle), batch.slice(middle)];
    const failures = halves.map((half) => this.run(half));
    if (failures[0] !== undefined && failures[1] !== undefined) {
      for (const p of batch) p.reject(new StorageFailedError(p.what, failure));
      return;
    }
    halves.forEach((half, k) => {
      if (failures[k] !== undefined) this.isolate(half, failures[k]);
    });
  }

  /** Runs the writes in one transaction and resolves their waiters; returns the error when it fails, telling no one. */
  private run(batch: Pending[]): unknown {
    try {
      this.transaction(() => {
        for (const p of batch) p.write();
      });
    } catch (err) {
      return err ?? new Error('the transaction failed');
    }
    for (const p of batch) p.resolve();
    return undefined;
  }
}
