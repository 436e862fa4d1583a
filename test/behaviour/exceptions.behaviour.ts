/**
 * The exception queue and the audit trail as both backends must show them: each class of problem
 * raised by driving the outside systems (simulators) or inputs into the fault, acted on through
 * /v1/exceptions, and resolved; a group acted on in one request; exceptions that resolve by
 * themselves once their cause is gone, saying why; actions that do not apply refused naming those
 * that do; and an audit entry for every API and CLI write with the right actor. Run by
 * exceptions-embedded.test.ts and exceptions-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookReceiver } from '../../sim/webhook-receiver.js';
import { runCli } from '../../src/interfaces/cli/main.js';
import { skipReason, type Backend } from '../support/backends.js';
import { fixture, fixturesSkip } from '../support/fixtures.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { ADMIN_KEY, movement, snapshot } from '../support/test-hub.js';
import { until } from '../support/until.js';

const OPS_KEY = 'ops-key-0123456789abcdef';
const SHOP_SECRET = 'exceptions-shop-secret';

interface Exception {
  id: number;
  class: string;
  status: string;
  owner: string;
  group: string;
  entity: { kind: string; id: string };
  error: string;
  actions: string[];
  payload?: { id?: string };
  history: { actor: string; action: string; note: string; status: string }[];
}

export async function exceptionsBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`the exception queue and audit trail on the ${backend.name} backend`, { skip }, () => {
    const receiver = new WebhookReceiver();
    let hub: OrderHarness;
    before(async () => {
      const url = await receiver.start();
      process.env.EXC_SHOP_SECRET = SHOP_SECRET;
      hub = await startOrderHarness(backend, {
        file: {
          systems: {
            shop: { type: 'webhook', url, channel: 'amazon', retry: { maxAttempts: 3, baseMs: 10, maxMs: 20 } },
            storefront: { type: 'shopify', channel: 'queued', customer: 'C-42', webhookSecretEnv: 'EXC_SHOP_SECRET' },
          },
          exceptions: {
            reconcileMs: 100,
            erpPendingMinutes: 0,
            owners: [
              { class: 'dead_letter', system: 'shop', owner: 'integrations' },
              { class: 'erp_pending', owner: 'finance-it' },
            ],
            defaultOwner: 'operations',
          },
        } as never,
        config: { apiKeys: [{ name: 'ops-key', key: OPS_KEY, scopes: ['admin'] }] },
      });
    });
    after(async () => {
      await hub?.stop();
      await receiver.close();
    });

    const list = async (query: string): Promise<Exception[]> => {
      const res = await hub.api('GET', `/v1/exceptions?${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.exceptions;
    };
    const audit = async (query: string) => {
      const res = await hub.api('GET', `/v1/audit?${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.entries;
    };
    const one = async (id: number): Promise<Exception> => (await hub.api('GET', `/v1/exceptions/${id}`)).body;
    const waitForExceptions = (what: string, query: string, count: number) =>
      until(
        what,
        () => list(query),
        (xs) => xs.length >= count,
        30_000,
      );
    const act = (id: number, action: string, body?: unknown, key = OPS_KEY) => hub.api('POST', `/v1/exceptions/${id}/actions/${action}`, body ?? {}, { key });
    const actOnGroup = (group: string, action: string, body?: unknown) =>
      hub.api('POST', `/v1/exception-groups/${encodeURIComponent(group)}/actions/${action}`, body ?? {}, { key: OPS_KEY });

    test('events parked for an undefined location: one group; refused actions name the allowed ones; defining the location resolves them', async () => {
      const events = [
        snapshot({ source: 'wms-rno', seq: 1, sku: 'EXP-1', location: 'RNO', onHand: 5 }),
        movement({ source: 'wms-rno', seq: 2, sku: 'EXP-2', location: 'RNO', delta: { onHand: 3 } }),
      ];
      assert.equal((await hub.api('POST', '/v1/events', events)).body.parked.length, 2);
      const parked = await waitForExceptions('two parked-event exceptions', 'class=parked_event&group=location:RNO', 2);
      assert.deepEqual(
        parked.map((e) => [e.status, e.owner, e.entity.kind]),
        [
          ['open', 'operations', 'item'],
          ['open', 'operations', 'item'],
        ],
      );
      assert.deepEqual(parked[0]!.actions, ['acknowledge', 'assign']);
      assert.ok((await one(parked[0]!.id)).payload, 'the parked event is shown whole');

      const refused = await act(parked[0]!.id, 'retry');
      assert.equal(refused.status, 409);
      assert.equal(refused.body.type, 'urn:crossdock:problem:action_not_allowed');
      assert.deepEqual(refused.body.allowed, ['acknowledge', 'assign']);
      assert.equal((await one(parked[0]!.id)).history.length, 1, 'a refused action leaves no history');

      const acked = await act(parked[0]!.id, 'acknowledge', { reason: 'asking the WMS team which site RNO is' });
      assert.equal(acked.status, 200, JSON.stringify(acked.body));
      assert.equal(acked.body.status, 'acknowledged');
      const assigned = await act(parked[1]!.id, 'assign', { owner: 'master-data' });
      assert.equal(assigned.body.owner, 'master-data');
      const noOwner = await act(parked[1]!.id, 'assign', {});
      assert.equal(noOwner.status, 400);
      assert.deepEqual(noOwner.body.errors, [{ path: '/owner', message: 'assign needs the new owner' }]);

      assert.equal((await hub.api('PUT', '/v1/locations/RNO', { name: 'Reno', authority: 'wms-rno' }, { key: OPS_KEY })).status, 201);
      const resolved = await until(
        'the parked-event exceptions to resolve',
        () => list('class=parked_event&group=location:RNO'),
        (xs) => xs.every((x) => x.status === 'auto_resolved'),
        30_000,
      );
      for (const e of resolved) {
        const last = (await one(e.id)).history.at(-1)!;
        assert.equal(last.actor, 'hub');
        assert.match(last.note, /location RNO was defined and the event applied/);
      }
      assert.equal((await hub.api('GET', '/v1/events/parked?location=RNO')).body.parked.length, 0, 'the events applied');
      assert.deepEqual(
        (await one(parked[0]!.id)).history.map((h) => h.action),
        ['opened', 'acknowledge', 'auto_resolved'],
      );
      const closed = await act(parked[0]!.id, 'acknowledge');
      assert.equal(closed.status, 409);
      assert.equal(closed.body.type, 'urn:crossdock:problem:exception_closed');
    });

    test('a destination refusing messages: one group, owned by its rule, retried in one action, resolved once delivered', async () => {
      receiver.faults.poisonKeys = ['EXD-1', 'EXD-2'];
      await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 9_000_001, sku: 'EXD-1', location: 'DAL', onHand: 10 })]);
      await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 9_000_002, sku: 'EXD-2', location: 'DAL', onHand: 20 })]);
      const dead = await waitForExceptions('two dead-letter exceptions', 'class=dead_letter', 2);
      assert.deepEqual(new Set(dead.map((e) => e.group)), new Set(['destination:shop']));
      assert.deepEqual(new Set(dead.map((e) => e.owner)), new Set(['integrations']));
      assert.match(dead[0]!.error, /422/);
      assert.ok(![...receiver.applied.values()].some((m) => m.key.startsWith('EXD-')), 'the refused messages were not applied');

      receiver.faults.poisonKeys = [];
      const group = await actOnGroup('destination:shop', 'retry');
      assert.equal(group.status, 200, JSON.stringify(group.body));
      assert.equal(group.body.results.length, 2);
      assert.ok(group.body.results.every((r: { ok: boolean }) => r.ok));
      await until(
        'the receiver to apply both',
        async () => [...receiver.applied.values()].map((m) => m.key),
        (keys) => keys.includes('EXD-1') && keys.includes('EXD-2'),
        30_000,
      );
      const resolved = await until(
        'the dead-letter exceptions to resolve',
        () => list('class=dead_letter'),
        (xs) => xs.every((x) => x.status === 'auto_resolved'),
        30_000,
      );
      for (const e of resolved) {
        const history = (await one(e.id)).history;
        assert.deepEqual(
          history.map((h) => [h.action, h.actor]),
          [
            ['opened', 'hub'],
            ['retry', 'ops-key'],
            ['auto_resolved', 'hub'],
          ],
        );
        assert.match(history.at(-1)!.note, /delivered on retry/);
      }
      assert.equal(receiver.duplicates, 0);
    });

    test('an illegal order event: a bad edit is refused naming the field and changes nothing; a corrected event resolves it', async () => {
      await hub.stock('EXO-1', 'DAL', 10);
      const captured = await hub.order({ channel: 'queued', externalId: 'EXO-ORDER-1', customer: 'C-42', lines: [{ sku: 'EXO-1', qty: 2 }] });
      assert.equal(captured.status, 201, JSON.stringify(captured.body));
      const orderId = captured.body.id as string;
      const event = (seq: number, qty: number, extra: Record<string, unknown> = {}) => ({
        id: `exo-ship-${seq}`,
        type: 'order.shipped',
        source: 'wms-dal',
        seq: 9_100_000 + seq,
        occurredAt: '2026-11-22T12:00:00Z',
        orderId,
        location: 'DAL',
        lines: [{ sku: 'EXO-1', qty }],
        ...extra,
      });
      await hub.api('POST', '/v1/events', [
        { id: 'exo-rel-1', type: 'order.released', source: 'erp-main', seq: 9_100_000, occurredAt: '2026-11-22T12:00:00Z', orderId },
        event(1, 5),
      ]);
      await hub.settled();
      const [x] = await waitForExceptions('the order exception', `class=order_exception&entity=order:${orderId}`, 1);
      assert.deepEqual(x!.actions, ['edit', 'discard', 'acknowledge', 'assign']);
      assert.equal((await one(x!.id)).payload?.id, 'exo-ship-1', 'the refused event is shown whole');

      const bad = await act(x!.id, 'edit', event(2, -1));
      assert.equal(bad.status, 422, JSON.stringify(bad.body));
      assert.ok(
        bad.body.errors.some((e: { path: string }) => e.path.startsWith('/lines/0/qty')),
        JSON.stringify(bad.body.errors),
      );
      const unchanged = await one(x!.id);
      assert.equal(unchanged.status, 'open');
      assert.equal(unchanged.history.length, 1);
      assert.equal((await hub.api('GET', `/v1/orders/${orderId}`)).body.lines[0].shipped, 0);

      const fixed = await act(x!.id, 'edit', event(3, 2));
      assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
      assert.equal(fixed.body.status, 'resolved');
      assert.match(fixed.body.history.at(-1).note, /corrected event was accepted/);
      await hub.settled();
      await until(
        'the corrected shipment to apply',
        async () => (await hub.api('GET', `/v1/orders/${orderId}`)).body.lines[0].shipped,
        (n) => n === 2,
      );

      // Another illegal event: discarded with a reason; the order exception itself stays on record.
      await hub.api('POST', '/v1/events', [event(4, 50)]);
      await hub.settled();
      const [y] = await until(
        'the second order exception',
        () => list(`class=order_exception&entity=order:${orderId}&status=open`),
        (xs) => xs.length === 1,
        30_000,
      );
      const noReason = await act(y!.id, 'discard', {});
      assert.equal(noReason.status, 400);
      assert.deepEqual(noReason.body.errors, [{ path: '/reason', message: 'discard needs a reason' }]);
      const discarded = await act(y!.id, 'discard', { reason: 'the WMS sent a test shipment' });
      assert.equal(discarded.body.status, 'resolved');
      assert.equal(discarded.body.history.at(-1).note, 'discarded: the WMS sent a test shipment');
      const records = (await hub.api('GET', '/v1/order-exceptions')).body.exceptions as { orderId: string }[];
      assert.equal(records.filter((r) => r.orderId === orderId).length, 2, '/v1/order-exceptions answers as before');
      assert.equal((await act(y!.id, 'acknowledge')).status, 409, 'a resolved exception takes no more actions');
    });

    test('an order the ERP has not taken: an exception of its own, retried, resolved once the ERP takes it', async () => {
      hub.erp.faults.outage = true;
      await hub.stock('EXE-1', 'DAL', 10);
      const captured = await hub.order({ channel: 'queued', externalId: 'EXE-ORDER-1', customer: 'C-42', lines: [{ sku: 'EXE-1', qty: 1 }] });
      assert.equal(captured.status, 202, JSON.stringify(captured.body));
      const orderId = captured.body.id as string;
      const [x] = await waitForExceptions('the ERP exception', `class=erp_pending&entity=order:${orderId}`, 1);
      assert.equal(x!.owner, 'finance-it');
      assert.equal(x!.group, 'erp');
      hub.erp.faults.outage = false;
      assert.equal((await act(x!.id, 'retry')).status, 200);
      const done = await until(
        'the ERP exception to resolve',
        () => one(x!.id),
        (e) => e.status === 'auto_resolved',
        30_000,
      );
      assert.match(done.history.at(-1)!.note, /the ERP took the order as /);
      assert.ok(
        [...hub.erp.orders.values()].some((o) => o.externalReference === orderId),
        'the ERP has the order',
      );
    });

    test('writes are in the audit trail with their actor, origin and before/after; reads and refusals are not', async () => {
      const put = (body: unknown) => hub.api('PUT', '/v1/customers/C-AUD', body, { key: OPS_KEY, headers: { 'x-correlation-id': 'audit-corr-1' } });
      assert.equal((await put({ name: 'Audit Ltd', active: true, creditHold: false })).status, 201);
      assert.equal((await put({ name: 'Audit Ltd', active: true, creditHold: true })).status, 200);
      assert.equal((await put({ name: 'Audit Ltd', active: 'yes' })).status, 400);
      await hub.api('GET', '/v1/customers/C-AUD', undefined, { key: OPS_KEY });
      const entries = await audit('entity=customer:C-AUD');
      assert.equal(entries.length, 2, JSON.stringify(entries));
      const [second, first] = entries;
      assert.equal(first.actor, 'ops-key');
      assert.equal(first.via, 'api');
      assert.equal(first.action, 'PUT /v1/customers/:id');
      assert.equal(first.origin, '127.0.0.1');
      assert.equal(first.correlationId, 'audit-corr-1');
      assert.equal(first.before, null);
      assert.equal(first.after.creditHold, false);
      assert.equal(second.before.creditHold, false);
      assert.equal(second.after.creditHold, true);

      const location = await audit('entity=location:RNO&actor=ops-key');
      assert.equal(location.length, 1);
      assert.equal(location[0].before, null);
      assert.equal(location[0].after.name, 'Reno');
      const actions = await audit('entity=exception&actor=ops-key');
      assert.ok(actions.some((e: { action: string }) => e.action === 'POST /v1/exceptions/:id/actions/:action'));
      assert.ok(
        actions.every((e: { status: number }) => e.status < 400),
        'refused actions are not writes',
      );
      const page = (await hub.api('GET', '/v1/audit?limit=1')).body;
      assert.equal(page.entries.length, 1);
      const next = (await hub.api('GET', `/v1/audit?limit=1&cursor=${page.next}`)).body;
      assert.notDeepEqual(next.entries[0], page.entries[0]);
      assert.equal((await hub.api('GET', '/v1/audit?since=yesterday')).status, 400);
    });

    test('a CLI write names the operator in the audit trail and in the exception history', async () => {
      await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-tah', seq: 1, sku: 'EXC-1', location: 'TAH', onHand: 1 })]);
      const [x] = await waitForExceptions('the parked-event exception', 'group=location:TAH', 1);
      process.env.CROSSDOCK_OPERATOR = 'alice';
      try {
        assert.equal(await runCli(['exceptions', 'act', String(x!.id), 'acknowledge', '--reason', 'on it', '--url', hub.url, '--key', ADMIN_KEY]), 0);
      } finally {
        delete process.env.CROSSDOCK_OPERATOR;
      }
      const after = await one(x!.id);
      assert.equal(after.status, 'acknowledged');
      assert.deepEqual([after.history.at(-1)!.actor, after.history.at(-1)!.note], ['operator:alice', 'acknowledged: on it']);
      const [entry] = await audit(`actor=operator:alice&entity=exception:${x!.id}`);
      assert.equal(entry.via, 'cli');
      assert.equal(entry.apiKey, 'admin');
    });

    test('storefront orders parked for one unknown item: one group; a bad edit changes nothing; one replay takes them all', {
      skip: fixturesSkip(),
    }, async () => {
      const { createHmac } = await import('node:crypto');
      const original = fixture('shopify/orders-create.webhook.json');
      const second = original.replaceAll('820982911946154508', '820982911946154599');
      const hook = (raw: string) =>
        fetch(`${hub.url}/hooks/storefront`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-shopify-topic': 'orders/create',
            'x-shopify-hmac-sha256': createHmac('sha256', SHOP_SECRET).update(raw).digest('base64'),
          },
          body: raw,
        }).then(async (r) => (await r.json()) as { status: string });
      await hub.stock('706405908216', 'DAL', 10);
      assert.equal((await hook(original)).status, 'parked');
      assert.equal((await hook(second)).status, 'parked');
      const parked = await waitForExceptions('two parked-inbound exceptions', 'class=parked_inbound', 2);
      assert.equal(new Set(parked.map((e) => e.group)).size, 1, JSON.stringify(parked.map((e) => e.group)));
      assert.equal(parked[0]!.group, 'inbound:storefront:sku=706405907431');

      const x = await one(parked[0]!.id);
      const bad = await act(x.id, 'edit', x.payload);
      assert.equal(bad.status, 422, JSON.stringify(bad.body));
      assert.ok(bad.body.errors.some((e: { path: string; message: string }) => e.path === '/lines/1/sku' && /706405907431/.test(e.message)));
      assert.equal((await one(x.id)).status, 'open');
      const stored = (await hub.api('GET', '/v1/inbound/parked?system=storefront')).body.parked;
      assert.deepEqual(
        stored.map((p: { body: string }) => p.body),
        [original, second],
        'the parked bodies are as they arrived',
      );

      await hub.stock('706405907431', 'ATL', 10);
      const replayed = await actOnGroup(parked[0]!.group, 'replay');
      assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
      assert.ok(
        replayed.body.results.every((r: { ok: boolean }) => r.ok),
        JSON.stringify(replayed.body),
      );
      for (const externalId of ['820982911946154508', '820982911946154599']) {
        const found = (await hub.api('GET', `/v1/orders?channel=queued&externalId=${externalId}`)).body.orders;
        assert.equal(found.length, 1, `order ${externalId} captured`);
      }
      const resolved = await until(
        'the parked-inbound exceptions to resolve',
        () => list('class=parked_inbound'),
        (xs) => xs.every((e) => e.status === 'auto_resolved'),
        30_000,
      );
      assert.match((await one(resolved[0]!.id)).history.at(-1)!.note, /^replayed: captured/);
    });
  });
}
