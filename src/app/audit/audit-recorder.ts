/**
 * Records writes in the audit trail without putting a store write on every request's path:
 * entries are queued and appended together a moment later (one transaction, one fsync for many
 * requests), and before every read of the trail, so a reader sees the writes this process answered.
 * What was queued is flushed on shutdown; a crash can lose the last few milliseconds of entries.
 */
import type { AuditEntry, AuditFilter, AuditTrail } from '../../ports/audit-trail.js';
import type { Clock } from '../../ports/clock.js';

const FLUSH_AFTER_MS = 20;
const MAX_QUEUED = 500;

export class AuditRecorder {
  private queued: Omit<AuditEntry, 'id'>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { trail: AuditTrail; clock: Clock; onError: (err: unknown, lost: number) => void }) {}

  record(entry: Omit<AuditEntry, 'id'>): void {
    this.queued.push(entry);
    if (this.queued.length >= MAX_QUEUED) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
  }

  /** Appends what is queued; resolves once every entry recorded so far is stored (or reported lost). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queued;
    this.queued = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.deps.trail.append(batch);
      } catch (err) {
        this.deps.onError(err, batch.length);
      }
    });
    return this.flushing;
  }

  /** Newest first, including what this process recorded a moment ago. */
  async entries(filter: AuditFilter): Promise<AuditEntry[]> {
    await this.flush();
    return this.deps.trail.entries(filter);
  }

  /** Drops entries older than the retention; returns how many. */
  async forgetOlderThan(retentionMs: number): Promise<number> {
    return this.deps.trail.forgetBefore(new Date(this.deps.clock.now() - retentionMs).toISOString());
  }
}
