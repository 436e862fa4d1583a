/**
 * Work that must run in one process at a time on the scale-out backend. Delivery: every worker
 * process offers to deliver to every destination, and whichever holds a destination's lease runs
 * its DestinationWorker (its lanes, cursors and rate budget) until it stops or loses the lease;
 * another process takes the lease within `retryMs` of its holder dying. Cursors advance only
 * after delivery, and every message carries its idempotency key, so a message sent just before
 * its holder died and sent again by the next holder is applied once by the receiver. The same
 * holds a 3PL's file drop folder: one api process takes its files at a time.
 */
import type { DestinationLeases } from '../../ports/destination-leases.js';
import type { DestinationWorker } from './destination-worker.js';

/** What runs while its lease is held. */
export interface LeasedWork {
  start(): void;
  stop(): Promise<void>;
  nudge?(): void;
}

export interface LeasedDestination<W extends LeasedWork = DestinationWorker> {
  id: string;
  worker: () => W;
}

export class LeasedDeliveries<W extends LeasedWork = DestinationWorker> {
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly stopping = new Promise<void>((resolve) => {
    this.wake = resolve;
  });
  private readonly running = new Map<string, W>();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly deps: {
      destinations: LeasedDestination<W>[];
      leases: DestinationLeases;
      retryMs: number;
      log: (level: 'info' | 'warn', msg: string, fields?: object) => void;
    },
  ) {}

  start(): void {
    this.loops = this.deps.destinations.map((d) => this.hold(d));
  }

  /** The destinations this process delivers to now. */
  held(): string[] {
    return [...this.running.keys()];
  }

  /** The work running here now. */
  workers(): W[] {
    return [...this.running.values()];
  }

  nudge(): void {
    for (const w of this.running.values()) w.nudge?.();
  }

  private async hold(d: LeasedDestination<W>): Promise<void> {
    while (!this.stopped) {
      const lease = await this.deps.leases.tryAcquire(d.id).catch((err: unknown) => {
        this.deps.log('warn', `could not ask for the lease of ${d.id}: ${(err as Error).message}`, { destination: d.id });
        return undefined;
      });
      if (!lease) {
        // The wait ends with the stop, and its timer with it: a stopping process is not kept alive for retryMs.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise((r) => (timer = setTimeout(r, this.deps.retryMs))), this.stopping]);
        clearTimeout(timer);
        continue;
      }
      const worker = d.worker();
      this.running.set(d.id, worker);
      this.deps.log('info', `holding ${d.id}`, { destination: d.id });
      worker.start();
      await Promise.race([lease.lost, this.stopping]);
      this.running.delete(d.id);
      await worker.stop();
      await lease.release();
      if (!this.stopped) this.deps.log('warn', `lost the lease of ${d.id}; asking again`, { destination: d.id });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await Promise.all(this.loops);
    await this.deps.leases.close();
  }
}
