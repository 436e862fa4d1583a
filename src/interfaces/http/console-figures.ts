/**
 * The figures the console's dashboard draws, sampled once a second while at least one console
 * listens (GET /v1/console/stream) and not at all otherwise: events taken and orders captured per
 * second, each destination's backlog and how old its oldest waiting message is (the lag of the
 * channel it serves), dead letters, and open exceptions by owner. Figures are this process's
 * view: on a scale-out hub each api process reports the events it took itself.
 */
import type { Logger } from 'pino';
import type { DeliveryOperations } from '../../app/delivery/delivery-engine.js';
import type { OrderDesk } from '../../app/orders/order-desk.js';
import type { ExceptionDesk } from '../../app/exceptions/exception-desk.js';
import type { Clock } from '../../ports/clock.js';
import type { HubMetrics } from './metrics.js';

export interface DestinationFigures {
  destination: string;
  circuit: string;
  /** Order-lane messages written for it and not delivered yet (counted up to BACKLOG_CAP). */
  backlog: number;
  /** Seconds since the oldest of them was written; 0 when none waits. */
  lagSeconds: number;
  deadLetters: number;
  lastSuccessAt: string | null;
  rateLimitUse: number | null;
}

export interface DashboardSample {
  at: string;
  position: number;
  eventsPerSecond: number;
  ordersPerSecond: number;
  destinations: DestinationFigures[];
  /** Open exceptions by owner team (absent on a process without the queue). */
  openExceptionsByOwner?: Record<string, number>;
}

export interface FigureSources {
  metrics: HubMetrics;
  state: { position: number };
  delivery: DeliveryOperations;
  orders?: OrderDesk;
  exceptions?: ExceptionDesk;
  clock: Clock;
  log: Logger;
}

const BACKLOG_CAP = 1000;
const SAMPLE_MS = 1000;

export class DashboardFigures {
  private readonly listeners = new Set<(s: DashboardSample) => void>();
  private timer: NodeJS.Timeout | undefined;
  private last: { at: number; events: number; sample?: DashboardSample } | undefined;
  private sampling = false;

  constructor(private readonly sources: FigureSources) {}

  /** Calls `listener` with the latest sample at once (when there is one) and with every new one; returns the unsubscribe. */
  subscribe(listener: (s: DashboardSample) => void): () => void {
    this.listeners.add(listener);
    if (this.last?.sample) listener(this.last.sample);
    if (!this.timer) {
      void this.tick();
      this.timer = setInterval(() => void this.tick(), SAMPLE_MS);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    // A slow store must not pile samples up behind each other.
    if (this.sampling) return;
    this.sampling = true;
    try {
      const sample = await this.sample();
      for (const l of this.listeners) l(sample);
    } catch (err) {
      this.sources.log.warn({ err }, 'console dashboard sample failed');
    } finally {
      this.sampling = false;
    }
  }

  private async sample(): Promise<DashboardSample> {
    const { metrics, delivery, orders, exceptions, clock } = this.sources;
    const now = clock.now();
    const events = await acceptedEvents(metrics);
    const previous = this.last;
    const seconds = previous ? Math.max(0.001, (now - previous.at) / 1000) : 1;
    const eventsPerSecond = previous ? Math.max(0, events - previous.events) / seconds : 0;
    let ordersPerSecond = 0;
    if (orders && previous) {
      const page = await orders.list({ since: new Date(previous.at).toISOString(), limit: 500 });
      ordersPerSecond = page.orders.length / seconds;
    }
    const destinations: DestinationFigures[] = [];
    for (const d of await delivery.status()) {
      const waiting = orders ? await orders.outbox(d.cursors.orders, BACKLOG_CAP, d.destination) : [];
      const oldest = waiting[0]?.createdAt;
      const dead = await delivery.deadLetters({ destination: d.destination, status: 'dead', limit: BACKLOG_CAP });
      destinations.push({
        destination: d.destination,
        circuit: d.circuit,
        backlog: waiting.length,
        lagSeconds: oldest ? Math.max(0, Math.round((now - Date.parse(oldest)) / 100) / 10) : 0,
        deadLetters: dead.length,
        lastSuccessAt: d.lastSuccessAt,
        rateLimitUse: d.rateLimitUse,
      });
    }
    const sample: DashboardSample = {
      at: new Date(now).toISOString(),
      position: this.sources.state.position,
      eventsPerSecond: round1(eventsPerSecond),
      ordersPerSecond: round1(ordersPerSecond),
      destinations,
    };
    if (exceptions) {
      const byOwner: Record<string, number> = {};
      for (const e of await exceptions.list({ status: 'open', limit: BACKLOG_CAP })) byOwner[e.owner] = (byOwner[e.owner] ?? 0) + 1;
      sample.openExceptionsByOwner = byOwner;
    }
    this.last = { at: now, events, sample };
    return sample;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function acceptedEvents(metrics: HubMetrics): Promise<number> {
  const { values } = await metrics.events.get();
  return values.find((v) => v.labels.outcome === 'accepted')?.value ?? 0;
}
