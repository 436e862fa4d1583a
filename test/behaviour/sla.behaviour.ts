/**
 * SLA rules as both backends must keep them: a promise broken by an outside system (the ERP
 * simulator down) opens one sla_breach exception and tells the configured webhook once, in
 * Slack-compatible JSON, even when the webhook itself is down at first; when the condition
 * clears the exception resolves by itself and the webhook hears that once. Run by
 * sla-embedded.test.ts and sla-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookReceiver } from '../../sim/webhook-receiver.js';
import { runCli } from '../../src/interfaces/cli/main.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { ADMIN_KEY } from '../support/test-hub.js';
import { until } from '../support/until.js';

interface Alert {
  text: string;
  kind: string;
  rule: string;
  exception: number;
  entity: { kind: string; id: string };
  correlationId: string | null;
  resolution?: string;
}

export async function slaBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`SLA rules and their alerts on the ${backend.name} backend`, { skip }, () => {
    const slack = new WebhookReceiver();
    let hub: OrderHarness;
    before(async () => {
      const url = await slack.start();
      hub = await startOrderHarness(backend, {
        file: {
          exceptions: { reconcileMs: 100, erpPendingMinutes: 600 },
          sla: {
            rules: [
              { id: 'erp-intake', kind: 'order_in_erp', minutes: 0, severity: 'critical' },
              { id: 'acks', kind: 'exception_ack', minutes: 600 },
            ],
            webhooks: [{ id: 'ops-slack', url }],
            retryMaxMs: 50,
          },
        } as never,
      });
    });
    after(async () => {
      await hub?.stop();
      await slack.close();
    });

    const alerts = () => slack.posts.map((p) => p.body as Alert);
    const alertsFor = (exception: number) => alerts().filter((a) => a.exception === exception);

    /** Captures an order while the ERP is down: it waits for the ERP, so the order_in_erp promise breaks at once. */
    const pendingOrder = async (externalId: string, correlationId: string): Promise<string> => {
      hub.erp.faults.outage = true;
      await hub.stock('SLA-1', 'DAL', 50);
      const res = await hub.api(
        'POST',
        '/v1/orders',
        { channel: 'queued', externalId, customer: 'C-42', lines: [{ sku: 'SLA-1', qty: 1 }] },
        { headers: { 'idempotency-key': `sla-${externalId}`, 'x-correlation-id': correlationId } },
      );
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };

    test('the rules are readable through the API and the CLI', async () => {
      const res = await hub.api('GET', '/v1/sla');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.rules.map((r: { id: string; kind: string; minutes: number; severity: string }) => [r.id, r.kind, r.minutes, r.severity]),
        [
          ['erp-intake', 'order_in_erp', 0, 'critical'],
          ['acks', 'exception_ack', 600, 'high'],
        ],
      );
      assert.equal(res.body.webhooks[0].id, 'ops-slack');
      assert.ok(!JSON.stringify(res.body.webhooks).includes('/hook'), 'the webhook URL (a secret) is not shown');
      const lines: string[] = [];
      const log = console.log;
      console.log = (line: string) => lines.push(line);
      try {
        assert.equal(await runCli(['sla', '--url', hub.url, '--key', ADMIN_KEY]), 0);
      } finally {
        console.log = log;
      }
      assert.ok(
        lines.some((l) => l.startsWith('erp-intake\torder_in_erp\t0 min')),
        lines.join('\n'),
      );
    });

    test('an order the ERP does not take in time: one breach exception, one alert (after the webhook recovers), then one resolution', async () => {
      slack.faults.outage = true;
      const orderId = await pendingOrder('SLA-ORDER-1', 'sla-corr-1');

      const [breach] = await until(
        'the SLA breach exception',
        async () =>
          (await hub.api('GET', `/v1/exceptions?class=sla_breach&entity=order:${orderId}`)).body.exceptions as {
            id: number;
            status: string;
            group: string;
            correlationId: string;
            error: string;
          }[],
        (xs) => xs.length === 1,
        30_000,
      );
      assert.equal(breach!.status, 'open');
      assert.equal(breach!.group, 'sla:erp-intake');
      assert.equal(breach!.correlationId, 'sla-corr-1', 'the breach carries the correlation id of the request that captured the order');
      assert.match(breach!.error, /^erp-intake: order .* is not in the ERP/);

      // The webhook is down: the alert waits, retried, and is listed with its last error.
      await until(
        'a failed attempt to send the alert',
        async () =>
          (await hub.api('GET', '/v1/sla')).body.alerts as { exception: number; attempts: number; lastError: string | null; deliveredAt: string | null }[],
        (as) => as.some((a) => a.exception === breach!.id && a.attempts >= 1 && a.lastError !== null && a.deliveredAt === null),
        30_000,
      );
      assert.equal(alertsFor(breach!.id).length, 0);
      slack.faults.outage = false;
      const [alert] = await until(
        'the breach alert',
        async () => alertsFor(breach!.id),
        (as) => as.length >= 1,
        30_000,
      );
      assert.equal(alert!.kind, 'breach');
      assert.equal(alert!.rule, 'erp-intake');
      assert.deepEqual(alert!.entity, { kind: 'order', id: orderId });
      assert.match(alert!.text, new RegExp(`SLA breached: erp-intake for order ${orderId} \\(critical, owner operations\\)`));
      assert.equal(alert!.correlationId, 'sla-corr-1');
      const post = slack.posts.find((p) => (p.body as Alert).exception === breach!.id)!;
      assert.equal(post.headers['x-correlation-id'], 'sla-corr-1');
      assert.match(String(post.headers['idempotency-key']), /^crossdock-sla-alert-\d+$/);

      // The ERP comes back: the order reaches it, the breach resolves by itself, the webhook hears it.
      hub.erp.faults.outage = false;
      const resolved = await until(
        'the resolution alert',
        async () => alertsFor(breach!.id),
        (as) => as.some((a) => a.kind === 'resolved'),
        30_000,
      );
      const resolution = resolved.find((a) => a.kind === 'resolved')!;
      assert.match(resolution.text, /SLA holds again: erp-intake/);
      assert.match(resolution.resolution!, /the ERP took order .* as .*resolved by itself/);
      const after = (await hub.api('GET', `/v1/exceptions/${breach!.id}`)).body;
      assert.equal(after.status, 'auto_resolved');
      assert.deepEqual(
        after.history.map((h: { action: string }) => h.action),
        ['opened', 'auto_resolved'],
      );

      // A second breach, alerted in its turn, proves the rounds went on after the first resolved:
      // the first breach was announced once and resolved once, no more.
      const second = await pendingOrder('SLA-ORDER-2', 'sla-corr-2');
      await until(
        'the second breach alert',
        async () => alerts().filter((a) => a.entity.id === second),
        (as) => as.length >= 1,
        30_000,
      );
      hub.erp.faults.outage = false;
      await until(
        'the second resolution alert',
        async () => alerts().filter((a) => a.entity.id === second && a.kind === 'resolved'),
        (as) => as.length >= 1,
        30_000,
      );
      assert.deepEqual(
        alertsFor(breach!.id).map((a) => a.kind),
        ['breach', 'resolved'],
      );
      assert.deepEqual(
        alerts()
          .filter((a) => a.entity.id === second)
          .map((a) => a.kind),
        ['breach', 'resolved'],
      );
    });
  });
}
