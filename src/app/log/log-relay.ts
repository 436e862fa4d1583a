/**
 * The transactional outbox's relay: entries written to the shared state with the change they
 * report (holds for orders) are appended to the shared log, then deleted. A relay that dies after
 * appending but before deleting leaves them to be appended again: the same message id within the
 * log's duplicate window stores them once, and the read models drop a repeat by its outbox id.
 * Every process may run one; they take different entries.
 */
import type { EventLog } from '../../ports/event-log.js';
import type { LedgerStore } from '../../ports/ledger-store.js';

const BATCH = 500;

export class LogRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly deps: { store: LedgerStore; log: EventLog; onError?: (err: unknown) => void }) {}

  /** Appends everything queued now; resolves with how many entries went to the log. */
  async flush(): Promise<number> {
    if (this.running !== undefined) await this.running.catch(() => 0);
    this.running = this.drain();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.deps.store.relayToLog(BATCH, async (entries) => {
        await this.deps.log.append(
          entries.map((e) => ({
            kind: e.kind,
            key: e.key,
            dedupeId: `outbox:${e.id}`,
            body: JSON.stringify({ ...e.body, outboxId: e.id }),
          })),
        );
      });
      total += n;
      if (n < BATCH) return total;
    }
  }

  /** Relays every `intervalMs`, and at once when nudged. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  nudge(): void {
    if (this.running !== undefined) return;
    this.flush().catch((err) => this.deps.onError?.(err));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }
}
