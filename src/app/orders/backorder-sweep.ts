/**
 * Keeps backorders filling without anyone asking: a fill runs when stock may have become free
 * (nudged by whoever applied it) and periodically, one at a time; a nudge during a fill runs one
 * more after it. The same on both backends.
 */
import type { OrderChanges } from '../../ports/order-changes.js';
import { fillBackorders } from './fill-backorders.js';

export class BackorderSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;

  constructor(
    private readonly changes: OrderChanges,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs a fill now, or once more after the one running. */
  nudge(): void {
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      let units = 0;
      try {
        do {
          this.again = false;
          units += await fillBackorders(this.changes);
        } while (this.again);
      } finally {
        this.running = undefined;
      }
      return units;
    })();
    this.running.catch((err) => this.onError(err));
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for the fill in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }
}
