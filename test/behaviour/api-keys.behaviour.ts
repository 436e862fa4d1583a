/**
 * API keys as both backends must show them: created through the API and shown once (the store
 * holds only a digest), listed without their secret, refused from their revocation or expiry on,
 * validated field by field; and a key bound to a channel sees and changes only that channel's
 * orders, availability and customers (another channel's order answers 404, and an Idempotency-Key
 * refusal never names another channel's order). Run by api-keys-embedded.test.ts and
 * api-keys-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DATABASE_URL, skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';

export async function apiKeyBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`API keys on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    before(async () => {
      hub = await startOrderHarness(backend, { clock });
      await hub.stock('ABC-100', 'DAL', 10);
      await hub.stock('XYZ-200', 'DAL', 50);
    });
    after(async () => {
      await hub?.stop();
    });

    const create = (body: unknown) => hub.api('POST', '/v1/keys', body);
    const as = (key: string) => (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      hub.api(method, path, body, { key, ...(headers ? { headers } : {}) });

    /** Everything the hub stored, as text: the data directory's files, or the namespace's key table. */
    async function storedText(): Promise<string> {
      if (!hub.namespace)
        return readdirSync(hub.dataDir, { recursive: true, withFileTypes: true })
          .filter((f) => f.isFile())
          .map((f) => readFileSync(join(f.parentPath, f.name)).toString('latin1'))
          .join('\n');
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT id || digest || record::text AS row FROM "${hub.namespace}".api_keys`);
        return rows.map((r) => r.row).join('\n');
      } finally {
        await client.end();
      }
    }

    test('a key is shown once, stored as its digest, listed without its secret, works for its scopes and is refused once revoked', async () => {
      const created = await create({ name: 'pos terminal', scopes: ['availability:read'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { id, key } = created.body;
      assert.match(key, /^cdk_[A-Za-z0-9_-]{32}$/);
      assert.equal(created.body.status, 'active');
      assert.equal(created.body.prefix, key.slice(0, 10));
      const stored = await storedText();
      assert.ok(stored.includes(id), 'the key is stored');
      assert.ok(!stored.includes(key.slice(4)), 'the key itself is not');
      const listed = (await hub.api('GET', '/v1/keys')).body.keys.find((k: { id: string }) => k.id === id);
      assert.deepEqual(Object.keys(listed).sort(), ['createdAt', 'id', 'name', 'prefix', 'scopes', 'status']);

      const reader = as(key);
      assert.equal((await reader('GET', '/v1/availability/ABC-100?channel=web')).status, 200, 'fast path');
      assert.equal((await reader('GET', '/v1/availability/ABC-100/explain?channel=web')).status, 200, 'through Fastify');
      assert.equal((await reader('GET', '/v1/orders')).status, 403);
      assert.equal((await reader('POST', '/v1/keys', { name: 'escalate', scopes: ['admin'] })).status, 403);

      const revoked = await hub.api('DELETE', `/v1/keys/${id}`);
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.status, 'revoked');
      assert.ok(revoked.body.revokedAt);
      assert.equal((await reader('GET', '/v1/availability/ABC-100?channel=web')).status, 401, 'the fast path refuses it at once');
      assert.equal((await reader('GET', '/v1/channels')).status, 401);
      assert.equal((await hub.api('DELETE', `/v1/keys/${id}`)).body.revokedAt, revoked.body.revokedAt, 'revoking again changes nothing');
      assert.equal((await hub.api('DELETE', '/v1/keys/key_nope')).status, 404);
      assert.equal((await hub.api('GET', '/v1/keys')).body.keys.find((k: { id: string }) => k.id === id).status, 'revoked');
    });

    test('names the field of a key that cannot be created, and creates nothing', async () => {
      const before = (await hub.api('GET', '/v1/keys')).body.keys.length;
      const cases: [unknown, number, string][] = [
        [{ name: 'x', scopes: ['orders:reed'] }, 400, '/scopes/0'],
        [{ name: '', scopes: ['orders:read'] }, 400, '/name'],
        [{ name: 'x'.repeat(101), scopes: ['orders:read'] }, 400, '/name'],
        [{ name: 'x', scopes: [] }, 400, '/scopes'],
        [{ name: 'x', scopes: ['orders:read'], channels: ['web', 'nowhere'] }, 422, '/channels/1'],
        [{ name: 'x', scopes: ['orders:read', 'admin'], channels: ['web'] }, 422, '/scopes/1'],
        [{ name: 'x', scopes: ['events:write'], channels: ['web'] }, 422, '/scopes/0'],
        [{ name: 'x', scopes: ['orders:read'], expiresAt: '2020-01-01T00:00:00Z' }, 422, '/expiresAt'],
        [{ name: 'x', scopes: ['orders:read'], expiresAt: '2031-02-31T00:00:00Z' }, 400, '/expiresAt'],
        [{ name: 'x', scopes: ['orders:read'], expiresAt: 'tomorrow' }, 400, '/expiresAt'],
        [{ name: 'x', scopes: ['orders:read'], ratePerMinute: 0 }, 400, '/ratePerMinute'],
        [{ name: 'admin', scopes: ['orders:read'] }, 422, '/name'],
      ];
      for (const [body, status, path] of cases) {
        const res = await create(body);
        assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        const paths = res.body.errors.map((e: { path: string }) => e.path);
        assert.ok(paths.includes(path), `${path} in ${JSON.stringify(paths)} for ${JSON.stringify(body)}`);
      }
      assert.equal((await hub.api('GET', '/v1/keys')).body.keys.length, before);
    });

    test('a key with expiresAt works until that instant and is refused with 401 from it on', async () => {
      const created = await create({ name: 'temporary', scopes: ['orders:read'], expiresAt: new Date(clock.now() + 60_000).toISOString() });
      assert.equal(created.status, 201);
      const temp = as(created.body.key);
      assert.equal((await temp('GET', '/v1/orders')).status, 200);
      offset += 60_001;
      assert.equal((await temp('GET', '/v1/orders')).status, 401);
      assert.equal((await hub.api('GET', '/v1/keys')).body.keys.find((k: { id: string }) => k.id === created.body.id).status, 'expired');
    });

    test("a key bound to a channel sees and changes only that channel's orders, availability and customers", async () => {
      await hub.api('PUT', '/v1/customers/C-WEB', { name: 'Web buyer' });
      await hub.api('PUT', '/v1/customers/C-AMZ', { name: 'Marketplace buyer' });
      const web = await hub.order({ channel: 'web', externalId: 'BW-1', customer: 'C-WEB', lines: [{ sku: 'XYZ-200', qty: 1 }] });
      // The shop's first key served every channel; it is rotated to one bound to the web channel.
      const first = await create({ name: 'shop', scopes: ['orders:read', 'orders:write', 'availability:read'] });
      const amazon = await as(first.body.key)(
        'POST',
        '/v1/orders',
        { channel: 'amazon', externalId: 'BA-1', customer: 'C-AMZ', lines: [{ sku: 'XYZ-200', qty: 1 }] },
        { 'idempotency-key': 'attempt-1' },
      );
      assert.deepEqual([web.status, amazon.status], [201, 201], JSON.stringify([web.body, amazon.body]));
      await hub.settled();
      assert.equal((await create({ name: 'shop', scopes: ['orders:read'], channels: ['web'] })).status, 422, 'the name is in force');
      assert.equal((await hub.api('DELETE', `/v1/keys/${first.body.id}`)).status, 200);
      const created = await create({ name: 'shop', scopes: ['orders:read', 'orders:write', 'availability:read'], channels: ['web'] });
      assert.deepEqual(created.body.channels, ['web']);
      const shop = as(created.body.key);

      // Orders: another channel's order is answered as a missing one, and nothing changes.
      assert.equal((await shop('GET', `/v1/orders/${web.body.id}`)).status, 200);
      const missing = await shop('GET', '/v1/orders/ord_nope');
      for (const path of [`/v1/orders/${amazon.body.id}`, `/v1/orders/${amazon.body.id}/timeline`]) {
        const res = await shop('GET', path);
        assert.equal(res.status, 404, path);
        assert.deepEqual([res.body.type, res.body.title], [missing.body.type, missing.body.title]);
      }
      assert.equal((await shop('POST', `/v1/orders/${amazon.body.id}/cancel`, {})).status, 404);
      assert.equal((await hub.api('GET', `/v1/orders/${amazon.body.id}`)).body.status, 'accepted', 'not cancelled');
      const listing = await shop('GET', '/v1/orders?limit=100');
      assert.equal(listing.status, 200);
      assert.ok(listing.body.orders.some((o: { id: string }) => o.id === web.body.id));
      assert.ok(listing.body.orders.every((o: { channel: string }) => o.channel === 'web'));
      for (const path of ['/v1/orders?channel=amazon', '/v1/orders?channel=amazon&externalId=BA-1']) {
        const res = await shop('GET', path);
        assert.equal(res.status, 403, path);
        assert.equal(res.body.errors[0].path, '/channel');
      }
      assert.equal((await shop('GET', '/v1/orders?channel=web&externalId=BW-1')).body.orders[0].id, web.body.id);
      assert.equal((await shop('GET', '/v1/order-exceptions')).status, 403, 'operators see every channel');

      // Capture: only on its channel; refusals never name another channel's order.
      const elsewhere = await shop(
        'POST',
        '/v1/orders',
        { channel: 'amazon', externalId: 'BA-2', customer: 'C-AMZ', lines: [{ sku: 'XYZ-200', qty: 1 }] },
        {
          'idempotency-key': 'shop-1',
        },
      );
      assert.equal(elsewhere.status, 403);
      assert.equal(elsewhere.body.errors[0].path, '/channel');
      assert.deepEqual((await hub.api('GET', '/v1/orders?channel=amazon&externalId=BA-2')).body.orders, []);
      const webBody = { channel: 'web', externalId: 'BW-2', customer: 'C-WEB', lines: [{ sku: 'XYZ-200', qty: 1 }] };
      // Idempotency-Keys are scoped by key name, which the rotated key shares with the one that captured the amazon order.
      const reused = await shop('POST', '/v1/orders', webBody, { 'idempotency-key': 'attempt-1' });
      assert.equal(reused.status, 422);
      assert.equal(reused.body.orderId, undefined);
      assert.ok(!JSON.stringify(reused.body).includes(amazon.body.id), JSON.stringify(reused.body));
      const duplicate = await shop('POST', '/v1/orders', { ...webBody, externalId: 'BW-1' }, { 'idempotency-key': 'shop-2' });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.orderId, web.body.id, 'its own channel’s order is named');

      // Availability and channels.
      assert.equal((await shop('GET', '/v1/availability/XYZ-200?channel=web')).status, 200);
      for (const [method, path, body] of [
        ['GET', '/v1/availability/XYZ-200?channel=amazon'],
        ['GET', '/v1/availability/XYZ-200/explain?channel=amazon'],
        ['POST', '/v1/availability/query', { channel: 'amazon', skus: ['XYZ-200'] }],
        ['GET', '/v1/channels/amazon/changes'],
        ['GET', '/v1/channels/amazon'],
      ] as [string, string, unknown?][]) {
        const res = await shop(method, path, body);
        assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.type, 'urn:crossdock:problem:channel_not_granted');
      }
      assert.deepEqual(
        (await shop('GET', '/v1/channels')).body.channels.map((c: { id: string }) => c.id),
        ['web'],
      );

      // Customers: those with an order on its channel, one at a time.
      assert.equal((await shop('GET', '/v1/customers/C-WEB')).status, 200);
      assert.equal((await shop('GET', '/v1/customers/C-AMZ')).status, 404);
      assert.equal((await shop('GET', '/v1/customers')).status, 403);
    });

    test("a key bound to systems sends only those systems' events: another source is rejected on its own and changes no stock", async () => {
      const refused = await create({ name: 'dal scanner', scopes: ['events:write', 'orders:write'], systems: ['wms-dal'] });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.errors[0].path, '/scopes/1');
      assert.equal((await create({ name: 'dal scanner', scopes: ['events:write'], systems: [' wms-dal'] })).status, 400, 'a system is an identifier');

      const created = await create({ name: 'dal scanner', scopes: ['events:write'], systems: ['wms-dal'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.systems, ['wms-dal']);
      assert.deepEqual((await hub.api('GET', '/v1/keys')).body.keys.find((k: { id: string }) => k.id === created.body.id).systems, ['wms-dal']);
      const scanner = as(created.body.key);
      const before = [await hub.available('ABC-100'), await hub.available('XYZ-200')];
      const at = new Date().toISOString();
      const batch = [
        {
          type: 'inventory.movement',
          id: 'sys-1',
          source: 'wms-dal',
          seq: 5_000_001,
          occurredAt: at,
          sku: 'ABC-100',
          location: 'DAL',
          reason: 'receipt',
          delta: { onHand: 5 },
        },
        {
          type: 'inventory.movement',
          id: 'sys-2',
          source: 'wms-atl',
          seq: 5_000_002,
          occurredAt: at,
          sku: 'XYZ-200',
          location: 'ATL',
          reason: 'adjustment',
          delta: { onHand: -50 },
        },
        { type: 'inventory.snapshot', id: 'sys-3', source: 'erp', seq: 5_000_003, occurredAt: at, sku: 'XYZ-200', location: 'DAL', balance: { onHand: 0 } },
      ];
      const res = await scanner('POST', '/v1/events', batch);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.accepted, 1, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.rejected.map((r: { index: number; errors: { path: string; message: string }[] }) => [r.index, r.errors[0]!.path]),
        [
          [1, '/source'],
          [2, '/source'],
        ],
      );
      assert.match(res.body.rejected[0].errors[0].message, /bound to the systems wms-dal; it may not send events from 'wms-atl'/);
      await hub.settled();
      assert.deepEqual([await hub.available('ABC-100'), await hub.available('XYZ-200')], [before[0]! + 5, before[1]!], 'only its own event moved stock');

      // Its events are all it may touch: every other route refuses it.
      assert.equal((await scanner('GET', '/v1/availability/ABC-100?channel=web')).status, 403);
      assert.equal((await scanner('GET', '/v1/events')).status, 403);
    });
  });
}
