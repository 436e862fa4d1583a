import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookReceiver } from '../sim/webhook-receiver.js';
import { startOrderHub, type OrderHub } from './support/order-hub.js';

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

async function hubWith(receiver: WebhookReceiver, system: Record<string, unknown>): Promise<OrderHub> {
  const url = await receiver.start();
  return startOrderHub({ file: { systems: { shop: { type: 'webhook', url, channel: 'queued', ...system } } } as never });
}

let ext = 0;
async function shipSomething(hub: OrderHub, sku: string): Promise<string> {
  await hub.stock(sku, 'DAL', 100);
  const res = await hub.order({ channel: 'queued', externalId: `D-${++ext}`, customer: 'C-42', lines: [{ sku, qty: 1 }] });
  const id = res.body.id as string;
  await hub.api('POST', '/v1/events', [
    { id: `erp-${id}`, type: 'order.released', source: 'erp-main', seq: 9_000_000 + ext * 2, occurredAt: '2026-11-22T12:00:00Z', orderId: id },
    {
      id: `wms-${id}`,
      type: 'order.shipped',
      source: 'wms-dal',
      seq: 9_000_001 + ext * 2,
      occurredAt: '2026-11-22T12:01:00Z',
      orderId: id,
      location: 'DAL',
      lines: [{ sku, qty: 1 }],
    },
  ]);
  return id;
}

test('a channel outage of 30 s: the circuit opens and closes, the queue drains, nothing lost, nothing applied twice', { timeout: 90_000 }, async () => {
  const receiver = new WebhookReceiver();
  const hub = await hubWith(receiver, { circuitBreaker: { failures: 3, openSeconds: 2 }, retry: { maxAttempts: 1000, baseMs: 50, maxMs: 1000 } });
  try {
    const before = await shipSomething(hub, 'OUT-0');
    await waitFor('the first shipment confirmation', () => [...receiver.applied.values()].some((m) => m.topic === 'shipment.confirmed'));
    receiver.faults.outage = true;
    const during: string[] = [];
    for (let i = 1; i <= 20; i++) during.push(await shipSomething(hub, `OUT-${i}`));
    await waitFor('the circuit to open', async () => (await hub.api('GET', '/v1/deliveries')).body.destinations[0].circuit === 'open');
    await new Promise((r) => setTimeout(r, 30_000));
    receiver.faults.outage = false;
    await waitFor(
      'every confirmation',
      () =>
        during.every((id) => [...receiver.applied.values()].some((m) => m.topic === 'shipment.confirmed' && (m.payload as { orderId: string }).orderId === id)),
      30_000,
    );
    const status = (await hub.api('GET', '/v1/deliveries')).body.destinations[0];
    assert.equal(status.circuit, 'closed');
    assert.equal(receiver.duplicates, 0, 'nothing applied twice');
    assert.ok(receiver.calls.some((c) => c.status === 503));
    // While open, the breaker lets a probe through now and then rather than hammering the receiver.
    const failed = receiver.calls.filter((c) => c.status === 503).length;
    assert.ok(failed < 60, `${failed} calls during a 30 s outage`);
    assert.equal((await hub.api('GET', '/v1/dead-letters')).body.deadLetters.length, 0);
    assert.ok(before);
    // Availability of the channel went out too, coalesced per item.
    assert.ok([...receiver.applied.values()].some((m) => m.topic === 'availability.changed'));
  } finally {
    await hub.stop();
    await receiver.close();
  }
});

test('429 with Retry-After is honoured', async () => {
  const receiver = new WebhookReceiver();
  const hub = await hubWith(receiver, { retry: { maxAttempts: 20, baseMs: 10, maxMs: 100 } });
  try {
    await shipSomething(hub, 'RA-1');
    await waitFor('a first delivery', () => receiver.applied.size > 0);
    receiver.faults.tooManyRequests = 1;
    receiver.faults.retryAfterSeconds = 2;
    await shipSomething(hub, 'RA-2');
    const refused = () => receiver.calls.find((c) => c.status === 429);
    // The refused messages come back only after Retry-After.
    const retriedCall = () => {
      const r = refused();
      return r && receiver.calls.find((c) => c.arrivedAt > r.at && c.keys.some((k) => r.keys.includes(k)));
    };
    await waitFor('the refused messages to come back', () => retriedCall()?.status === 200, 10_000);
    const gap = retriedCall()!.arrivedAt - refused()!.at;
    assert.ok(gap >= 1900, `retried ${gap} ms after the 429; Retry-After said 2 s`);
    // And nothing else is sent meanwhile, once the hub has heard the 429 (a call already in flight aside).
    const meanwhile = receiver.calls.filter((c) => c.arrivedAt > refused()!.at + 100 && c.arrivedAt < refused()!.at + 1900);
    assert.deepEqual(meanwhile, []);
  } finally {
    await hub.stop();
    await receiver.close();
  }
});

test('a poison message becomes a dead letter with its error, the rest moves on, and it can be retried or discarded', async () => {
  const receiver = new WebhookReceiver();
  const hub = await hubWith(receiver, { retry: { maxAttempts: 3, baseMs: 10, maxMs: 50 } });
  try {
    await hub.stock('PZ-1', 'DAL', 100);
    const poisoned = await shipSomething(hub, 'PZ-2');
    receiver.faults.poisonKeys = [poisoned];
    const fine = await shipSomething(hub, 'PZ-3');
    await waitFor("the good order's confirmation", () => [...receiver.applied.values()].some((m) => (m.payload as { orderId?: string }).orderId === fine));
    let dead: any[] = [];
    await waitFor('the dead letter', async () => (dead = (await hub.api('GET', '/v1/dead-letters?destination=shop')).body.deadLetters).length > 0);
    // The poisoned order's messages (its shipment confirmation) are dead; nothing else.
    assert.ok(dead.every((d) => d.message.key === poisoned));
    assert.match(dead[0].lastError, /HTTP 422/);
    assert.equal(dead[0].attempts, 1, 'a refusal is not retried: it will not change');
    receiver.faults.poisonKeys = [];
    const retried = await hub.api('POST', `/v1/dead-letters/${dead[0].id}/retry`);
    assert.equal(retried.body.status, 'queued');
    await waitFor('the retried delivery', async () => (await hub.api('GET', `/v1/dead-letters/${dead[0].id}`)).body.status === 'delivered');
    assert.ok(receiver.applied.has(dead[0].message.idempotencyKey));
    if (dead.length > 1) {
      const discarded = await hub.api('POST', `/v1/dead-letters/${dead[1].id}/discard`, { reason: 'customer service re-sent it by hand' });
      assert.equal(discarded.body.status, 'discarded');
      assert.equal(discarded.body.note, 'customer service re-sent it by hand');
    }
    assert.equal((await hub.api('POST', `/v1/dead-letters/${dead[0].id}/discard`, { reason: 'x' })).status, 409);
    assert.equal((await hub.api('GET', '/v1/dead-letters/999999')).status, 404);
    const metrics = (await hub.api('GET', '/metrics')).body as string;
    assert.match(metrics, /crossdock_deliveries_total\{destination="shop",lane="orders",outcome="dead_letter"\} [1-9]/);
    assert.match(metrics, /crossdock_delivery_circuit_state\{destination="shop"\} 0/);
  } finally {
    await hub.stop();
    await receiver.close();
  }
});

test('a time range replays to one destination, and the dead-letter CLI lists and retries', async () => {
  const { execFile } = await import('node:child_process');
  const { CLI } = await import('./support/hub-process.js');
  const { ADMIN_KEY } = await import('./support/test-hub.js');
  const receiver = new WebhookReceiver();
  const hub = await hubWith(receiver, { retry: { maxAttempts: 2, baseMs: 10, maxMs: 50 } });
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, CROSSDOCK_URL: hub.url, CROSSDOCK_API_KEY: ADMIN_KEY } }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
  try {
    const from = new Date(Date.now() - 1000).toISOString();
    const id = await shipSomething(hub, 'RP-1');
    await waitFor('the confirmation', () => [...receiver.applied.values()].some((m) => (m.payload as { orderId?: string }).orderId === id));
    // The receiver loses what it had; the hub sends the range again.
    receiver.applied.clear();
    const replay = await hub.api('POST', '/v1/deliveries/shop/replay', { from, to: new Date(Date.now() + 1000).toISOString() });
    assert.ok(replay.body.queued >= 2, JSON.stringify(replay.body));
    await waitFor('the replayed confirmation', () =>
      [...receiver.applied.values()].some((m) => m.topic === 'shipment.confirmed' && (m.payload as { orderId: string }).orderId === id),
    );
    assert.ok(
      [...receiver.applied.values()].some((m) => m.topic === 'availability.changed' && (m.payload as { sku: string }).sku === 'RP-1'),
      'and the current figures of the range',
    );
    assert.equal((await hub.api('POST', '/v1/deliveries/nowhere/replay', { from, to: from })).status, 404);

    receiver.faults.poisonKeys = [await shipSomething(hub, 'RP-2')];
    await waitFor('a dead letter', async () => (await hub.api('GET', '/v1/dead-letters')).body.deadLetters.length > 0);
    const listed = await cli('dead-letters', 'list', '--destination', 'shop');
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /shipment\.confirmed/);
    receiver.faults.poisonKeys = [];
    const retried = await cli('dead-letters', 'retry-all');
    assert.match(retried.stdout, /[1-9]\d* queued/);
    await waitFor('the retried delivery', async () => (await hub.api('GET', '/v1/dead-letters')).body.deadLetters.length === 0);
    assert.equal((await cli('dead-letters', 'discard', '1')).code, 2, 'discard without --reason is a usage error');
  } finally {
    await hub.stop();
    await receiver.close();
  }
});

test('a system that names the topics it receives gets only those', async () => {
  const receiver = new WebhookReceiver();
  const url = await receiver.start();
  const hub = await startOrderHub({ file: { systems: { crm: { type: 'webhook', url, receives: ['order.delivered'] } } } as never });
  try {
    const id = await shipSomething(hub, 'RV-1');
    await hub.api('POST', '/v1/events', [
      { id: `dlv-${id}`, type: 'order.delivered', source: 'carrier-x', seq: 1, occurredAt: '2026-11-22T13:00:00Z', orderId: id },
    ]);
    await waitFor('the delivery notice', () => receiver.applied.size > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      [...receiver.applied.values()].map((m) => m.topic),
      ['order.delivered'],
      'the shipment confirmation addressed to crm was passed over',
    );
  } finally {
    await hub.stop();
    await receiver.close();
  }
});
