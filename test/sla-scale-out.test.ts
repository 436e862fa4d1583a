import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slaBehaviour } from './behaviour/sla.behaviour.js';
import { WebhookReceiver } from '../sim/webhook-receiver.js';
import { startScaleOutHub } from '../src/wiring/scale-out-hub.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { orderNetwork, startOrderHarness } from './support/order-hub.js';
import { tempDataDir, testConfig } from './support/test-hub.js';
import { until } from './support/until.js';

await slaBehaviour(scaleOut);

test('two api processes evaluating the same rules open each breach once and alert it once each way', { skip: await skipReason(scaleOut) }, async () => {
  const slack = new WebhookReceiver();
  const url = await slack.start();
  const file = {
    exceptions: { reconcileMs: 50, erpPendingMinutes: 600 },
    sla: { rules: [{ id: 'erp-intake', kind: 'order_in_erp', minutes: 0 }], webhooks: [{ id: 'ops-slack', url }], retryMaxMs: 50 },
  } as never;
  const first = await startOrderHarness(scaleOut, { file });
  const second = await startScaleOutHub({
    config: testConfig(tempDataDir(), orderNetwork(first.erpUrl, { file }), {
      backend: 'scale-out',
      scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'api', namespace: first.namespace! },
    }),
    logger: false,
  });
  try {
    const alerts = () => slack.posts.map((p) => p.body as { kind: string; exception: number; entity: { id: string } });
    const breachAndResolve = async (externalId: string) => {
      first.erp.faults.outage = true;
      await first.stock('SLA-2P', 'DAL', 10);
      const res = await first.order({ channel: 'queued', externalId, customer: 'C-42', lines: [{ sku: 'SLA-2P', qty: 1 }] });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const orderId = res.body.id as string;
      await until(
        'the breach alert',
        async () => alerts().filter((a) => a.entity.id === orderId),
        (as) => as.length >= 1,
        30_000,
      );
      first.erp.faults.outage = false;
      await until(
        'the resolution alert',
        async () => alerts().filter((a) => a.entity.id === orderId && a.kind === 'resolved'),
        (as) => as.length >= 1,
        30_000,
      );
      return orderId;
    };
    const one = await breachAndResolve('SLA-2P-1');
    // The second breach's alerts prove both processes went on evaluating after the first resolved.
    const two = await breachAndResolve('SLA-2P-2');
    for (const orderId of [one, two]) {
      assert.deepEqual(
        alerts()
          .filter((a) => a.entity.id === orderId)
          .map((a) => a.kind),
        ['breach', 'resolved'],
      );
    }
    const exceptions = (await first.api('GET', '/v1/exceptions?class=sla_breach')).body.exceptions as { entity: { id: string } }[];
    assert.deepEqual(exceptions.map((e) => e.entity.id).sort(), [one, two].sort(), 'one exception per breach');
  } finally {
    await second.close();
    await first.stop();
    await slack.close();
  }
});
