/**
 * The delivery engine: one worker per configured destination system, each with its lanes, plus
 * the dead-letter operations (list, inspect, retry one or all, discard with a reason).
 */
import { NotFoundError } from '../../domain/errors.js';
import { IllegalTransitionError } from '../../domain/orders/order-errors.js';
import type { DeadLetter, DeadLetterStatus, DeliveryStore } from '../../ports/delivery-store.js';
import type { DestinationWorker, WorkerStatus } from './destination-worker.js';

export class DeliveryEngine {
  constructor(private readonly workers: DestinationWorker[], private readonly deliveries: DeliveryStore) {}

  start(): void {
    for (const w of this.workers) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /** New outbox messages or figure changes were committed: wake the idle workers. */
  nudge(): void {
    for (const w of this.workers) w.nudge();
  }

  /** Sends a destination again what it got between two instants. Throws NotFoundError. */
  replay(destination: string, fromIso: string, toIso: string, limit = 100_000): Promise<number> {
    const worker = this.workers.find((w) => w.id === destination);
    if (!worker) throw new NotFoundError('Destination', destination);
    return worker.replay(fromIso, toIso, limit);
  }

  status(): WorkerStatus[] {
    return this.workers.map((w) => w.status());
  }

  deadLetters(filter: { destination?: string; status?: DeadLetterStatus; afterId?: number; limit: number }): DeadLetter[] {
    return this.deliveries.deadLetters(filter);
  }

  /** Throws NotFoundError. */
  deadLetter(id: number): DeadLetter {
    const d = this.deliveries.deadLetter(id);
    if (!d) throw new NotFoundError('Dead letter', String(id));
    return d;
  }

  /** Queues a dead letter for another delivery. Throws NotFoundError, IllegalTransitionError (not dead). */
  retry(id: number): DeadLetter {
    const d = this.deadLetter(id);
    if (d.status !== 'dead') throw new IllegalTransitionError(String(id), 'retry', `the dead letter is ${d.status}, not dead`);
    this.deliveries.setDeadLetterStatus(id, 'queued');
    this.nudge();
    return this.deadLetter(id);
  }

  /** Queues every dead letter (of one destination, or all); returns how many. */
  retryAll(destination?: string): number {
    let n = 0;
    for (let after = 0; ;) {
      const page = this.deliveries.deadLetters({ ...(destination ? { destination } : {}), status: 'dead', afterId: after, limit: 1000 });
      if (page.length === 0) break;
      for (const d of page) { this.deliveries.setDeadLetterStatus(d.id, 'queued'); n++; }
      after = page[page.length - 1]!.id;
    }
    this.nudge();
    return n;
  }

  /** Gives up on a dead letter for good, saying why. Throws NotFoundError, IllegalTransitionError. */
  discard(id: number, reason: string): DeadLetter {
    const d = this.deadLetter(id);
    if (d.status !== 'dead') throw new IllegalTransitionError(String(id), 'discard', `the dead letter is ${d.status}, not dead`);
    this.deliveries.setDeadLetterStatus(id, 'discarded', reason);
    return this.deadLetter(id);
  }
}
