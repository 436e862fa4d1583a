/**
 * The metrics to run the hub by, as both backends must serve them: /metrics parsed with a
 * Prometheus text-format parser after driving a channel system through a delivery and an outage,
 * an SLA breach and an order: sync lag per channel, outbox depth per destination and lane, circuit
 * state, open exceptions by class and owner, SLA breaches, orders by status, and oversold units
 * at 0; and every series the shipped alert rules and dashboard query is one the hub serves.
 * Run by metrics-embedded.test.ts and metrics-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { WebhookReceiver } from '../../sim/webhook-receiver.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { until } from '../support/until.js';

const ROOT = new URL('../../../', import.meta.url);

/** The crossdock_ series a PromQL file or dashboard names, as metric families (histogram suffixes dropped). */
function seriesNamed(text: string): Set<string> {
  return new Set([...text.matchAll(/\bcrossdock_[a-z_]+/g)].map(([m]) => m.replace(/_(bucket|count|sum)$/, '')));
}

export async function metricsBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`/metrics on the ${backend.name} backend`, { skip }, () => {
    const shop = new WebhookReceiver();
    let hub: OrderHarness;
    before(async () => {
      const url = await shop.start();
      hub = await startOrderHarness(backend, {
        file: {
          systems: {
            shop: {
              type: 'webhook',
              url,
              channel: 'web',
              retry: { maxAttempts: 100_000, baseMs: 10, maxMs: 20 },
              circuitBreaker: { failures: 2, openSeconds: 0.2 },
            },
          },
          exceptions: { reconcileMs: 100, erpPendingMinutes: 600, owners: [{ class: 'sla_breach', owner: 'fulfilment' }] },
          sla: { rules: [{ id: 'erp-intake', kind: 'order_in_erp', minutes: 0 }] },
        } as never,
      });
    });
    after(async () => {
      await hub?.stop();
      await shop.close();
    });

    let lastText = '';
    const scrape = async (): Promise<Map<string, PromFamily>> => {
      const res = await hub.api('GET', '/metrics');
      assert.equal(res.status, 200);
      lastText = res.body as string;
      return new Map(parsePrometheusTextFormat(lastText).map((f) => [f.name, f]));
    };
    /**
     * A labelled histogram's `_count` or `_sum` (the parser merges the label sets of a histogram
     * family into one, so these are read from the text the parser accepted).
     */
    const histogram = (name: string, part: 'count' | 'sum', labels: Record<string, string>): number | undefined => {
      for (const line of lastText.split('\n')) {
        const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
        if (!m || m[1] !== `${name}_${part}`) continue;
        const have = Object.fromEntries([...m[2]!.matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
        if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
      }
      return undefined;
    };
    const sample = (families: Map<string, PromFamily>, name: string, labels: Record<string, string>) =>
      families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

    test('sync lag, outbox depth, circuit state, exceptions, SLA breaches, orders and oversold units are served and parse', async () => {
      // A channel system that is down: figures wait in its bulk lane and its circuit opens.
      shop.faults.outage = true;
      await hub.stock('MET-1', 'DAL', 40);
      await hub.settled();
      let families = await until(
        'the open circuit and the waiting figure',
        scrape,
        (f) =>
          Number(sample(f, 'crossdock_delivery_circuit_state', { destination: 'shop' })?.value) >= 1 &&
          Number(sample(f, 'crossdock_outbox_depth', { destination: 'shop', lane: 'bulk' })?.value) >= 1,
        30_000,
      );
      assert.equal(families.get('crossdock_outbox_depth')!.type, 'GAUGE');
      assert.equal(sample(families, 'crossdock_outbox_depth', { destination: 'shop', lane: 'orders' })?.value, '0');

      // An order the ERP does not take: an SLA breach, owned by the configured team.
      hub.erp.faults.outage = true;
      const captured = await hub.order({ channel: 'queued', externalId: 'MET-ORDER-1', customer: 'C-42', lines: [{ sku: 'MET-1', qty: 1 }] });
      assert.equal(captured.status, 202);
      families = await until(
        'the breach in the metrics',
        scrape,
        (f) => sample(f, 'crossdock_sla_breaches_open', { rule: 'erp-intake' })?.value === '1',
        30_000,
      );
      assert.equal(sample(families, 'crossdock_exceptions_open', { class: 'sla_breach', owner: 'fulfilment', status: 'open' })?.value, '1');
      assert.equal(sample(families, 'crossdock_orders_open', { status: 'pending_erp' })?.value, '1');
      assert.ok(Number(sample(families, 'crossdock_sla_breaches_total', { rule: 'erp-intake' })?.value) >= 1);

      // The system comes back: the figure is acknowledged, its lag observed, the circuit closes.
      shop.faults.outage = false;
      hub.erp.faults.outage = false;
      const seen = (f: Map<string, PromFamily>) => ({
        lagCount: f.has('crossdock_channel_sync_lag_seconds')
          ? histogram('crossdock_channel_sync_lag_seconds', 'count', { channel: 'web', destination: 'shop' })
          : undefined,
        circuit: sample(f, 'crossdock_delivery_circuit_state', { destination: 'shop' })?.value,
        bulk: sample(f, 'crossdock_outbox_depth', { destination: 'shop', lane: 'bulk' })?.value,
      });
      const recovered = await until(
        'the lag to be observed',
        async () => {
          const f = await scrape();
          return { f, seen: seen(f) };
        },
        ({ seen: s }) => Number(s.lagCount) >= 1 && s.circuit === '0' && s.bulk === '0',
        30_000,
      );
      families = recovered.f;
      assert.equal(families.get('crossdock_channel_sync_lag_seconds')!.type, 'HISTOGRAM');
      assert.ok(histogram('crossdock_channel_sync_lag_seconds', 'sum', { channel: 'web', destination: 'shop' })! > 0, 'the lag covers the outage');

      const oversold = families.get('crossdock_oversold_units')!;
      assert.ok(oversold.metrics.length >= 2, 'every location is reported');
      assert.ok(
        oversold.metrics.every((m) => m.value === '0'),
        JSON.stringify(oversold.metrics),
      );
    });

    test('every series the alert rules and the dashboard query is served', async () => {
      const families = await scrape();
      const rules = readFileSync(new URL('deploy/prometheus/crossdock-rules.yml', ROOT), 'utf8');
      const dashboard = readFileSync(new URL('deploy/grafana/crossdock-dashboard.json', ROOT), 'utf8');
      const exprs = (JSON.parse(dashboard) as { panels: { targets: { expr: string }[] }[] }).panels.flatMap((p) => p.targets.map((t) => t.expr));
      for (const name of new Set([...seriesNamed(rules), ...seriesNamed(exprs.join('\n'))])) assert.ok(families.has(name), `${name} is not served`);
    });
  });
}
