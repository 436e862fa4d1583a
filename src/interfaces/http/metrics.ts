/** Prometheus metrics of the hub (GET /metrics); one registry per hub so tests can run several. */
import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestObserver } from '../../app/inventory/ingest-events.js';

export class HubMetrics implements IngestObserver {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'crossdock_events_total',
    help: 'Inventory events by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: 'crossdock_ingest_commit_seconds',
    help: 'Time to validate, apply and durably commit one group of event batches',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly figureChanges = new Counter({
    name: 'crossdock_channel_figure_changes_total',
    help: 'Channel availability changes recorded in the change feed',
    registers: [this.registry],
  });
  readonly httpSeconds = new Histogram({
    name: 'crossdock_http_request_seconds',
    help: 'HTTP API latency',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly fileFaults = new Counter({
    name: 'crossdock_inbound_file_faults_total',
    help: 'Files in a partner folder the poller could not take as they stood (vanished, transient, failed, stuck), by system',
    labelNames: ['system', 'fault'] as const,
    registers: [this.registry],
  });
  readonly syncLag = new Histogram({
    name: 'crossdock_channel_sync_lag_seconds',
    help: "Time from a change of a channel's figure (the source event accepted) to the channel system acknowledging the new figure, by channel and system",
    labelNames: ['channel', 'destination'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  readonly fileRows = new Counter({
    name: 'crossdock_inbound_file_rows_total',
    help: 'Rows of the stock files taken, by system and outcome (taken, skipped: nothing to take such as a blank quantity; refused: a wrong value)',
    labelNames: ['system', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly logPosition = new Gauge({ name: 'crossdock_event_log_position', help: 'Position of the last event in the log', registers: [this.registry] });

  readonly deliveries = new Counter({
    name: 'crossdock_deliveries_total',
    help: 'Messages delivered, failed attempts and dead letters, by destination and lane',
    labelNames: ['destination', 'lane', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Circuit state per destination (0 closed, 1 half-open, 2 open) and dead letters waiting, read at each scrape. */
  watchDeliveries(engine: {
    status(): Promise<{ destination: string; circuit: string }[]>;
    deadLetters(f: { status: 'dead'; limit: number }): Promise<unknown[]>;
  }): void {
    new Gauge({
      name: 'crossdock_delivery_circuit_state',
      help: 'Circuit breaker per destination: 0 closed, 1 half-open, 2 open',
      labelNames: ['destination'] as const,
      registers: [this.registry],
      async collect() {
        for (const s of await engine.status()) this.set({ destination: s.destination }, s.circuit === 'open' ? 2 : s.circuit === 'half_open' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'crossdock_dead_letters',
      help: 'Dead letters waiting for someone to retry or discard them (counted up to 10,000)',
      registers: [this.registry],
      async collect() {
        this.set((await engine.deadLetters({ status: 'dead', limit: 10_000 })).length);
      },
    });
  }

  /** Open orders by status (and, where order events apply, events waiting on them), read at each scrape. */
  watchOrders(orders: { openByStatus(): Map<string, number> | Promise<Map<string, number>>; waitingTotal?(): number }): void {
    new Gauge({
      name: 'crossdock_orders_open',
      help: 'Orders that hold stock, owe units or wait for the ERP, by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await orders.openByStatus();
        this.reset();
        for (const [status, n] of counts) this.set({ status }, n);
      },
    });
    if (orders.waitingTotal) {
      const waiting = orders.waitingTotal.bind(orders);
      new Gauge({
        name: 'crossdock_order_events_waiting',
        help: 'Order events waiting for their precondition',
        registers: [this.registry],
        collect() {
          this.set(waiting());
        },
      });
    }
  }

  private readonly httpRoutes = new Map<string, (method: string, status: number, seconds: number) => void>();

  /**
   * The latency recorder of one route. Label children are cached per method and status, so a
   * lookup answered thousands of times a second builds no label strings.
   */
  httpRoute(route: string): (method: string, status: number, seconds: number) => void {
    let recorder = this.httpRoutes.get(route);
    if (recorder) return recorder;
    const children = new Map<string, Map<number, { observe(v: number): void }>>();
    recorder = (method, status, seconds) => {
      let byStatus = children.get(method);
      if (!byStatus) {
        byStatus = new Map();
        children.set(method, byStatus);
      }
      let child = byStatus.get(status);
      if (!child) {
        child = this.httpSeconds.labels({ route, method, status: String(status) });
        byStatus.set(status, child);
      }
      child.observe(seconds);
    };
    this.httpRoutes.set(route, recorder);
    return recorder;
  }

  /** Records one HTTP answer. */
  observeHttp(route: string, method: string, status: number, seconds: number): void {
    this.httpRoute(route)(method, status, seconds);
  }

  readonly workerEntries = new Counter({
    name: 'crossdock_worker_entries_total',
    help: 'Log entries a scale-out worker handled, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly databaseWaits = new Counter({
    name: 'crossdock_database_unavailable_total',
    help: 'Times a scale-out worker found PostgreSQL refusing connections and held its log entries to try again',
    registers: [this.registry],
  });
  readonly workerSeconds = new Histogram({
    name: 'crossdock_worker_batch_seconds',
    help: 'Time a scale-out worker took to apply one batch of events in one transaction',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** How far a scale-out process trails the shared log (read model, or the worker group's backlog), read at each scrape. */
  watchLogLag(lag: () => Promise<{ readModel?: number; orderHolds?: number; workBacklog?: number }>): void {
    new Gauge({
      name: 'crossdock_log_lag_entries',
      help: "Log entries this process has not caught up with: its read model (api), entries naming orders whose holds its read model awaits (api), the workers' backlog (worker)",
      labelNames: ['of'] as const,
      registers: [this.registry],
      async collect() {
        const l = await lag().catch(() => ({}) as { readModel?: number; orderHolds?: number; workBacklog?: number });
        if (l.readModel !== undefined) this.set({ of: 'read_model' }, l.readModel);
        if (l.orderHolds !== undefined) this.set({ of: 'order_holds' }, l.orderHolds);
        if (l.workBacklog !== undefined) this.set({ of: 'workers' }, l.workBacklog);
      },
    });
  }

  /** What a scale-out worker reports of its batches. */
  readonly worker = {
    applied: (s: { events: number; duplicates: number; changes: number; seconds: number }) => {
      this.workerEntries.inc({ outcome: 'applied' }, s.events);
      this.workerEntries.inc({ outcome: 'duplicate' }, s.duplicates);
      this.figureChanges.inc(s.changes);
      this.workerSeconds.observe(s.seconds);
    },
    failed: (_entry: unknown, _err: unknown, deadLettered: boolean) => {
      this.workerEntries.inc({ outcome: deadLettered ? 'dead_lettered' : 'retried' });
    },
    databaseUnavailable: () => {
      this.databaseWaits.inc();
    },
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'crossdock_process_' });
  }

  committed(s: { accepted: number; duplicates: number; rejected: number; parked: number; changes: number; seconds: number }): void {
    this.events.inc({ outcome: 'accepted' }, s.accepted);
    this.events.inc({ outcome: 'duplicate' }, s.duplicates);
    this.events.inc({ outcome: 'rejected' }, s.rejected);
    this.events.inc({ outcome: 'parked' }, s.parked);
    this.figureChanges.inc(s.changes);
    this.ingestSeconds.observe(s.seconds);
  }
}
