/**
 * Delivery operations for a person: each destination's state, replaying a time range to one
 * destination, and the dead letters (list, inspect, retry one or all, discard with a reason).
 * DeliveryEngine adds running the workers, for a backend whose one process delivers everything;
 * the scale-out backend runs the same operations while its workers hold destinations by lease.
 */
import { NotFoundError } from '../../domain/errors.js';
import { IllegalTransitionError } from '../../domain/orders/order-errors.js';
import type { DeadLetter, DeadLetterStatus, DeliveryLedger, Lane } from '../../ports/delivery-store.js';
import type { DestinationBacklog, DestinationWorker, WorkerStatus } from './destination-worker.js';

export class DeliveryOperations {
  /**
   * `replayers`: a worker per destination, used only to queue replays (any process may do that;
   * whoever delivers to the destination picks them up). `status`: the destinations' state.
   */
  constructor(
    private readonly replayers: readonly DestinationWorker[],
    private readonly deliveries: DeliveryLedger,
    private readonly state: () => WorkerStatus[] | Promise<WorkerStatus[]>,
    private readonly wake: () => void = () => {},
  ) {}

  async status(): Promise<WorkerStatus[]> {
    return this.state();
  }

  /** Messages waiting per destination and lane (outbox depth), from the shared state. */
  async depths(): Promise<{ destination: string; lanes: Record<Lane, number> }[]> {
    return Promise.all(this.replayers.map(async (w) => ({ destination: w.id, lanes: await w.depth() })));
  }

  /** What each destination still owes (shipments not delivered, channel figures not acknowledged), from the shared state. */
  async backlogs(): Promise<DestinationBacklog[]> {
    return Promise.all(this.replayers.map((w) => w.backlog()));
  }

  /** Sends a destination again what it got between two instants. Throws NotFoundError. */
  replay(destination: string, fromIso: string, toIso: string, limit = 100_000): Promise<number> {
    const worker = this.replayers.find((w) => w.id === destination);
    if (!worker) throw new NotFoundError('Destination', destination);
    return worker.replay(fromIso, toIso, limit);
  }

  async deadLetters(filter: { destination?: string; status?: DeadLetterStatus; afterId?: number; limit: number }): Promise<DeadLetter[]> {
    return this.deliveries.deadLetters(filter);
  }

  /** Throws NotFoundError. */
  async deadLetter(id: number): Promise<DeadLetter> {
    const d = await this.deliveries.deadLetter(id);
    if (!d) throw new NotFoundError('Dead letter', String(id));
    return d;
  }

  /** Queues a dead letter for another delivery. Throws NotFoundError, IllegalTransitionError (not dead). */
  async retry(id: number): Promise<DeadLetter> {
    const d = await this.deadLetter(id);
    if (d.status !== 'dead') throw new IllegalTransitionError(String(id), 'retry', `the dead letter is ${d.status}, not dead`);
    await this.deliveries.setDeadLetterStatus(id, 'queued');
    this.wake();
    return this.deadLetter(id);
  }

  /** Queues every dead letter (of one destination, or all); returns how many. */
  async retryAll(destination?: string): Promise<number> {
    let n = 0;
    for (let after = 0; ; ) {
      const page = await this.deliveries.deadLetters({ ...(destination ? { destination } : {}), status: 'dead', afterId: after, limit: 1000 });
      if (page.length === 0) break;
      for (const d of page) {
        await this.deliveries.setDeadLetterStatus(d.id, 'queued');
        n++;
      }
      after = page[page.length - 1]!.id;
    }
    this.wake();
    return n;
  }

  /** Gives up on a dead letter for good, saying why. Throws NotFoundError, IllegalTransitionError. */
  async discard(id: number, reason: string): Promise<DeadLetter> {
    const d = await this.deadLetter(id);
    if (d.status !== 'dead') throw new IllegalTransitionError(String(id), 'discard', `the dead letter is ${d.status}, not dead`);
    await this.deliveries.setDeadLetterStatus(id, 'discarded', reason);
    return this.deadLetter(id);
  }
}

/** One process delivering to every destination: the workers run here. */
export class DeliveryEngine extends DeliveryOperations {
  constructor(
    private readonly workers: DestinationWorker[],
    deliveries: DeliveryLedger,
  ) {
    super(
      workers,
      deliveries,
      () => workers.map((w) => w.status()),
      () => {
        for (const w of workers) w.nudge();
      },
    );
  }

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
}
