/**
 * Every route of the API, read from GET /openapi.json, called four ways: without a key and with an
 * unknown key (401), with a key holding every scope but the route's (403), and with a key bound to
 * another channel than the resources named (403 or 404, never the resource). A route added without
 * a scope fails here unless it is listed below as public, with the reason. Run on both backends.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCOPES, CHANNEL_SCOPES, type Scope } from '../src/model/scopes.js';
import { embedded, scaleOut, skipReason, type Backend } from './support/backends.js';
import { startOrderHarness, type OrderHarness } from './support/order-hub.js';

/** Routes that take no API key by design. */
const PUBLIC: Record<string, string> = {
  'GET /healthz': 'load balancers and orchestrators probe it without credentials; it tells only whether the hub accepts work',
  'POST /hooks/{systemId}': 'webhooks from configured systems are authenticated by their HMAC signature, checked per system, not by an API key',
};

const SKU = 'ABC-100';

/** Channel-scoped routes that answer a key bound to another channel with what its own channel may see, rather than refusing. */
const BOUND_ANSWERS: Record<string, { reason: string; check(body: any): void }> = {
  'GET /v1/channels': {
    reason: 'lists the channels the key is bound to',
    check: (body) =>
      assert.deepEqual(
        body.channels.map((c: { id: string }) => c.id),
        ['amazon'],
      ),
  },
  'GET /v1/items/{sku}': { reason: 'items are shared by every channel', check: (body) => assert.equal(body.sku, SKU) },
  'GET /v1/items': {
    reason: 'items are shared by every channel',
    check: (body) => assert.ok(body.items.some((i: { sku: string }) => i.sku === SKU)),
  },
};

interface Operation {
  'x-scope'?: Scope;
  'x-channel-scoped'?: boolean;
  'x-system-scoped'?: boolean;
  parameters?: { in: string; name: string }[];
}

for (const backend of [embedded, scaleOut]) await routeAuthorization(backend);

async function routeAuthorization(backend: Backend): Promise<void> {
  describe(`route-by-route authorization on the ${backend.name} backend`, { skip: await skipReason(backend) }, () => {
    let hub: OrderHarness;
    let webOrder: string;
    let keyId: string;
    const lacking = new Map<Scope, string>();
    let bound: string;
    let systemBound: string;

    before(async () => {
      hub = await startOrderHarness(backend);
      await hub.stock(SKU, 'DAL', 20);
      await hub.api('PUT', '/v1/customers/C-WEB', { name: 'Web buyer' });
      const order = await hub.order({ channel: 'web', externalId: 'AUTH-1', customer: 'C-WEB', lines: [{ sku: SKU, qty: 1 }] });
      assert.equal(order.status, 201, JSON.stringify(order.body));
      webOrder = order.body.id;
      await hub.settled();
      for (const scope of SCOPES) {
        // admin also reads metrics, so the key lacking metrics lacks admin too.
        const scopes = SCOPES.filter((s) => s !== scope && !(scope === 'metrics' && s === 'admin'));
        const res = await hub.api('POST', '/v1/keys', { name: `all but ${scope}`, scopes });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        lacking.set(scope, res.body.key);
        keyId = res.body.id;
      }
      const res = await hub.api('POST', '/v1/keys', { name: 'amazon only', scopes: CHANNEL_SCOPES, channels: ['amazon'] });
      bound = res.body.key;
      const elsewhere = await hub.api('POST', '/v1/keys', { name: 'another warehouse', scopes: ['events:write'], systems: ['wms-elsewhere'] });
      assert.equal(elsewhere.status, 201, JSON.stringify(elsewhere.body));
      systemBound = elsewhere.body.key;
    });
    after(async () => {
      await hub?.stop();
    });

    /** The path with its parameters filled with the web channel's resources. */
    function fill(path: string, op: Operation): string {
      const id = path.startsWith('/v1/orders/')
        ? webOrder
        : path.startsWith('/v1/customers/')
          ? 'C-WEB'
          : path.startsWith('/v1/channels/')
            ? 'web'
            : path.startsWith('/v1/locations/')
              ? 'DAL'
              : path.startsWith('/v1/keys/')
                ? keyId
                : '1';
      const filled = path.replace(/\{sku\}/, SKU).replace(/\{[A-Za-z]+\}/, id);
      return (op.parameters ?? []).some((p) => p.in === 'query' && p.name === 'channel') ? `${filled}?channel=web` : filled;
    }

    /** A body that passes validation where a bound key gets past authorization, so that the channel rule is what answers. */
    function bodyFor(route: string): { body?: unknown; headers?: Record<string, string> } {
      if (route === 'POST /v1/events') {
        const at = new Date().toISOString();
        return {
          body: [
            {
              type: 'inventory.snapshot',
              id: 'auth-count',
              source: 'wms-dal',
              seq: 9_000_001,
              occurredAt: at,
              sku: SKU,
              location: 'DAL',
              balance: { onHand: 0 },
            },
          ],
        };
      }
      if (route === 'POST /v1/availability/query') return { body: { channel: 'web', skus: [SKU] } };
      if (route === 'POST /v1/orders')
        return { body: { channel: 'web', externalId: 'AUTH-2', customer: 'C-WEB', lines: [{ sku: SKU, qty: 1 }] }, headers: { 'idempotency-key': 'auth-2' } };
      if (route === 'POST /v1/orders/{id}/amendments') return { body: { lines: [{ sku: SKU, qty: 5 }] }, headers: { 'idempotency-key': 'auth-amend' } };
      return { body: {} };
    }

    test('every route needs a key with its scope, and a key bound to another channel never reaches the resource', async () => {
      const doc = (await hub.api('GET', '/openapi.json', undefined, { key: null })).body;
      const routes: [string, string, Operation][] = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => [method.toUpperCase(), path, op] as [string, string, Operation]),
      );
      assert.ok(routes.length >= 40, `${routes.length} routes in /openapi.json`);
      for (const route of Object.keys(PUBLIC))
        assert.ok(
          routes.some(([m, p]) => `${m} ${p}` === route),
          `${route} is still a route`,
        );

      const failures: string[] = [];
      const expect = (route: string, what: string, got: number, ok: (s: number) => boolean, body: unknown) => {
        if (!ok(got)) failures.push(`${route} ${what}: ${got} ${JSON.stringify(body).slice(0, 200)}`);
      };
      let checked = 0;
      for (const [method, path, op] of routes) {
        const route = `${method} ${path}`;
        if (PUBLIC[route]) continue;
        const scope = op['x-scope'];
        if (!scope) {
          failures.push(`${route} has no scope and is not listed as public`);
          continue;
        }
        const url = fill(path, op);
        const { body, headers } = bodyFor(route);
        const call = (key: string | null) =>
          hub.api(method, url, method === 'GET' || method === 'DELETE' ? undefined : body, { key, ...(headers ? { headers } : {}) });

        const none = await call(null);
        expect(route, 'without a key', none.status, (s) => s === 401, none.body);
        const unknown = await call('cdk_not-a-key-of-this-hub-000000000000');
        expect(route, 'with an unknown key', unknown.status, (s) => s === 401, unknown.body);
        const short = await call(lacking.get(scope)!);
        expect(route, `with a key lacking ${scope}`, short.status, (s) => s === 403 && short.body.requiredScope === scope, short.body);
        const other = await call(bound);
        const answer = BOUND_ANSWERS[route];
        if (op['x-channel-scoped'] && answer) {
          expect(route, 'with a key bound to amazon', other.status, (s) => s === 200, other.body);
          if (other.status === 200) answer.check(other.body);
        } else {
          expect(route, 'with a key bound to amazon', other.status, (s) => s === 403 || s === 404, other.body);
          // The detail may echo the id the caller sent (as for an order that does not exist); nothing else may name it.
          const { detail: _, ...rest } = other.body as Record<string, unknown>;
          if (JSON.stringify(rest).includes(webOrder)) failures.push(`${route} with a key bound to amazon names the web order`);
        }
        const warehouse = await call(systemBound);
        if (op['x-system-scoped'])
          expect(route, 'with a key bound to another system', warehouse.status, (s) => s === 200 && warehouse.body.accepted === 0, warehouse.body);
        else expect(route, 'with a key bound to another system', warehouse.status, (s) => s === 403, warehouse.body);
        checked++;
      }
      assert.deepEqual(failures, []);
      assert.ok(checked >= 38, `${checked} routes checked`);
      assert.equal((await hub.api('GET', `/v1/orders/${webOrder}`)).body.status, 'accepted', 'the web order was not cancelled by any refused call');
      assert.equal(await hub.available(SKU), 19, 'no refused count reached the ledger');
    });
  });
}
