/**
 * The metrics to run the hub by, beyond throughput and latency (metrics.ts): messages waiting per
 * destination and lane, open exceptions by class, owner and status, SLA breaches (opened, and open
 * now per rule), and units oversold per location (must stay 0). Gauges are read at each scrape
 * from the shared state, so every process that serves /metrics reports the same figures.
 */
import { Counter, Gauge } from 'prom-client';
import type { ExceptionView } from '../../app/exceptions/exception-desk.js';
import type { HubException } from '../../domain/exceptions/exception-rules.js';
import { ruleOfKey, SLA_BREACH_CLASS } from '../../domain/sla/sla-rules.js';
import type { HubMetrics } from './metrics.js';

const PAGE = 500;
/** Open exceptions counted at most: a scrape must stay cheap whatever the backlog. */
const COUNTED = 10_000;

export interface OperationsSources {
  /** Messages waiting per destination and lane (DeliveryOperations.depths). */
  depths(): Promise<{ destination: string; lanes: Record<string, number> }[]>;
  /** A page of exceptions, newest first (ExceptionDesk.list). */
  exceptions(filter: { status: 'open' | 'acknowledged'; limit: number; beforeId?: number }): Promise<ExceptionView[]>;
}

/** Registers the gauges; returns what the exception desk calls when it opens exceptions. */
export function watchOperations(metrics: HubMetrics, sources: OperationsSources): { opened(exceptions: readonly HubException[]): void } {
  const registers = [metrics.registry];
  new Gauge({
    name: 'crossdock_outbox_depth',
    help: 'Messages waiting for a destination, by lane: outbox messages (orders) and channel figure changes (bulk), counted up to 10,000 each',
    labelNames: ['destination', 'lane'] as const,
    registers,
    async collect() {
      this.reset();
      for (const d of await sources.depths()) for (const [lane, n] of Object.entries(d.lanes)) this.set({ destination: d.destination, lane }, n);
    },
  });
  const live = async (): Promise<ExceptionView[]> => {
    const all: ExceptionView[] = [];
    for (const status of ['open', 'acknowledged'] as const) {
      for (let beforeId: number | undefined; all.length < COUNTED; ) {
        const page = await sources.exceptions({ status, limit: PAGE, ...(beforeId ? { beforeId } : {}) });
        all.push(...page);
        if (page.length < PAGE) break;
        beforeId = page[page.length - 1]!.id;
      }
    }
    return all;
  };
  let reading: Promise<ExceptionView[]> | undefined;
  // Both gauges are read in one scrape: one pass over the queue serves them.
  const once = () => {
    reading ??= live().finally(() => setImmediate(() => (reading = undefined)));
    return reading;
  };
  new Gauge({
    name: 'crossdock_exceptions_open',
    help: 'Exceptions open or acknowledged, by class, owner and status (counted up to 10,000 of each status)',
    labelNames: ['class', 'owner', 'status'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = new Map<string, { class: string; owner: string; status: string; n: number }>();
      for (const e of await once()) {
        const k = `${e.class}\u001f${e.owner}\u001f${e.status}`;
        const c = counts.get(k) ?? { class: e.class, owner: e.owner, status: e.status, n: 0 };
        c.n++;
        counts.set(k, c);
      }
      for (const c of counts.values()) this.set({ class: c.class, owner: c.owner, status: c.status }, c.n);
    },
  });
  new Gauge({
    name: 'crossdock_sla_breaches_open',
    help: 'SLA breaches open or acknowledged now, by rule',
    labelNames: ['rule'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const e of await once()) if (e.class === SLA_BREACH_CLASS) counts.set(ruleOfKey(e.key), (counts.get(ruleOfKey(e.key)) ?? 0) + 1);
      for (const [rule, n] of counts) this.set({ rule }, n);
    },
  });
  const opened = new Counter({
    name: 'crossdock_exceptions_opened_total',
    help: 'Exceptions opened by this process, by class (sum over processes: each problem is opened by one)',
    labelNames: ['class'] as const,
    registers,
  });
  const breaches = new Counter({
    name: 'crossdock_sla_breaches_total',
    help: 'SLA breaches opened by this process, by rule (sum over processes)',
    labelNames: ['rule'] as const,
    registers,
  });
  return {
    opened(exceptions) {
      for (const e of exceptions) {
        opened.inc({ class: e.class });
        if (e.class === SLA_BREACH_CLASS) breaches.inc({ rule: ruleOfKey(e.key) });
      }
    },
  };
}

/** Units held for orders beyond a location's sellable stock, read at each scrape (alert on anything above 0). */
export function watchOversell(metrics: HubMetrics, oversold: () => Map<string, number>): void {
  new Gauge({
    name: 'crossdock_oversold_units',
    help: 'Units reserved for orders beyond what the location has to sell (on hand less quality hold and damage); must stay 0',
    labelNames: ['location'] as const,
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [location, n] of oversold()) this.set({ location }, n);
    },
  });
}
