/**
 * The item list (GET /v1/items: SKU order, prefix filter, pages by `after`, units and partner
 * packings on each item, items known only from an event marked undefined) and an item's recent
 * changes (GET /v1/items/{sku}/changes: the authority's and the shadows' counts and movements,
 * newest first, narrowed to a channel's locations, paged by `before`, and a key bound to a channel
 * kept to it). Run on both backends.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { embedded, scaleOut, skipReason, type Backend, type HarnessHub } from './support/backends.js';
import { movement, snapshot, NETWORK } from './support/test-hub.js';
import { until } from './support/until.js';

for (const backend of [embedded, scaleOut]) await itemsAndChanges(backend);

async function itemsAndChanges(backend: Backend): Promise<void> {
  describe(`items and their changes on the ${backend.name} backend`, { skip: await skipReason(backend) }, () => {
    let hub: HarnessHub;
    before(async () => {
      hub = await backend.start(NETWORK);
      assert.equal(
        (await hub.api('PUT', '/v1/items/LST-B', { description: 'Ball valve', uom: 'EA', units: { CA: 12 }, partnerUnits: { acme: { BX: 6 } } })).status,
        201,
      );
      assert.equal((await hub.api('PUT', '/v1/items/LST-A', { description: 'Angle stop' })).status, 201);
      assert.equal((await hub.api('PUT', '/v1/items/OTHER-1', { description: 'Not in the prefix' })).status, 201);
      // LST-C is known only because a warehouse counted it; then moved, shadowed by the ERP, counted in Atlanta.
      const sent = await hub.api('POST', '/v1/events', [
        snapshot({ source: 'wms-dal', sku: 'LST-C', location: 'DAL', onHand: 10 }),
        snapshot({ source: 'erp', sku: 'LST-C', location: 'DAL', onHand: 999 }),
        movement({ source: 'wms-dal', sku: 'LST-C', location: 'DAL', delta: { onHand: -3 }, reason: 'pick' }),
        snapshot({ source: 'wms-atl', sku: 'LST-C', location: 'ATL', onHand: 5 }),
      ]);
      assert.equal(sent.body.accepted, 4, JSON.stringify(sent.body));
      await hub.settled();
      await until(
        'the events to reach the read side',
        async () => (await hub.api('GET', '/v1/items/LST-C/changes')).body.changes?.length ?? 0,
        (n) => n === 4,
      );
    });
    after(async () => {
      await hub?.stop();
    });

    test('items are listed in SKU order with their units, a page at a time, by prefix', async () => {
      const first = await hub.api('GET', '/v1/items?prefix=LST-&limit=2');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, {
        items: [
          { sku: 'LST-A', description: 'Angle stop', uom: 'EA', defined: true },
          { sku: 'LST-B', description: 'Ball valve', uom: 'EA', defined: true, units: { CA: 12 }, partnerUnits: { acme: { BX: 6 } } },
        ],
        next: 'LST-B',
      });
      const second = await hub.api('GET', `/v1/items?prefix=LST-&limit=2&after=${first.body.next}`);
      assert.deepEqual(second.body, { items: [{ sku: 'LST-C', defined: false }], next: null });
      // A page that holds exactly what is left is the last: no next to follow to an empty page.
      assert.equal((await hub.api('GET', '/v1/items?prefix=LST-&limit=3')).body.next, null);
      const all = await hub.api('GET', '/v1/items');
      assert.deepEqual(
        all.body.items.map((i: { sku: string }) => i.sku),
        ['LST-A', 'LST-B', 'LST-C', 'OTHER-1'],
      );
      assert.deepEqual((await hub.api('GET', '/v1/items?prefix=NOPE')).body, { items: [], next: null });
      const bad = await hub.api('GET', '/v1/items?limit=0');
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body.errors), /limit/);
    });

    test("an item's changes: every source's counts and movements, newest first, narrowed to a channel and paged", async () => {
      const all = await hub.api('GET', '/v1/items/LST-C/changes');
      assert.equal(all.status, 200, JSON.stringify(all.body));
      const rows = all.body.changes.map((c: any) => [c.location, c.source, c.authority, c.type, c.reason ?? null]);
      assert.deepEqual(rows, [
        ['ATL', 'wms-atl', true, 'inventory.snapshot', null],
        ['DAL', 'wms-dal', true, 'inventory.movement', 'pick'],
        ['DAL', 'erp', false, 'inventory.snapshot', null],
        ['DAL', 'wms-dal', true, 'inventory.snapshot', null],
      ]);
      assert.deepEqual(all.body.changes[1].delta, { onHand: -3 });
      assert.equal(all.body.changes[3].balance.onHand, 10);
      assert.equal(all.body.channel, null);
      assert.equal(all.body.next, null);
      const positions = all.body.changes.map((c: any) => c.position);
      assert.deepEqual(
        positions,
        [...positions].sort((a: number, b: number) => b - a),
      );

      // amazon sells from Dallas only.
      const amazon = await hub.api('GET', '/v1/items/LST-C/changes?channel=amazon');
      assert.deepEqual(
        amazon.body.changes.map((c: any) => c.location),
        ['DAL', 'DAL', 'DAL'],
      );
      assert.equal(amazon.body.channel, 'amazon');

      const page1 = await hub.api('GET', '/v1/items/LST-C/changes?limit=3');
      assert.equal(page1.body.changes.length, 3);
      assert.equal(page1.body.next, positions[2]);
      const page2 = await hub.api('GET', `/v1/items/LST-C/changes?limit=3&before=${page1.body.next}`);
      assert.deepEqual(
        page2.body.changes.map((c: any) => c.position),
        [positions[3]],
      );
      assert.equal(page2.body.next, null);

      assert.equal((await hub.api('GET', '/v1/items/NEVER-SEEN/changes')).status, 404);
      assert.equal((await hub.api('GET', '/v1/items/LST-C/changes?channel=nope')).status, 404);
      assert.equal((await hub.api('GET', '/v1/items/LST-C/changes?before=0')).status, 400);
    });

    test("a key bound to one channel reads that channel's locations, and may not name another", async () => {
      const key = (await hub.api('POST', '/v1/keys', { name: 'amazon reader', scopes: ['availability:read'], channels: ['amazon'] })).body.key;
      const own = await hub.api('GET', '/v1/items/LST-C/changes', undefined, { key });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal(own.body.channel, 'amazon');
      assert.ok(own.body.changes.every((c: any) => c.location === 'DAL'));
      const other = await hub.api('GET', '/v1/items/LST-C/changes?channel=web', undefined, { key });
      assert.equal(other.status, 403);
      // Items are shared by every channel: the bound key lists them.
      assert.equal((await hub.api('GET', '/v1/items?prefix=LST-', undefined, { key })).body.items.length, 3);
    });
  });
}
