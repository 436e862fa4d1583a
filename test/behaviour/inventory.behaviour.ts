/**
 * Inventory behaviour both backends must show alike: ingest with duplicates, rejections and
 * parking, channel figures, explanations, catalogue changes and the change feed. Run by
 * inventory-embedded.test.ts and inventory-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { movement, snapshot, NETWORK } from '../support/test-hub.js';
import { skipReason, type Backend, type HarnessHub } from '../support/backends.js';

export async function inventoryBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`inventory on the ${backend.name} backend`, { skip }, () => {
    let hub: HarnessHub;
    const NOW = Date.parse('2026-11-22T12:00:00Z');
    let now = NOW;
    before(async () => {
      hub = await backend.start(NETWORK, { clock: { now: () => now } });
    });
    after(async () => {
      await hub?.stop();
    });
    const figure = async (sku: string, channel: string) => (await hub.api('GET', `/v1/availability/${sku}?channel=${channel}`)).body.available as number;
    const feed = async (channel: string, sku: string) => {
      await hub.settled();
      const page = await hub.api('GET', `/v1/channels/${channel}/changes?after=0&limit=10000`);
      return page.body.changes.filter((c: { sku: string }) => c.sku === sku) as { cursor: number; available: number; previous: number }[];
    };

    test('accepts valid events, answers the log position, and applies them once however often they repeat', async () => {
      const events = [
        snapshot({ source: 'wms-dal', seq: 100, sku: 'E-1', location: 'DAL', onHand: 40 }),
        movement({ source: 'wms-dal', seq: 101, sku: 'E-1', location: 'DAL', delta: { onHand: -5 } }),
      ];
      const first = await hub.api('POST', '/v1/events', events);
      assert.equal(first.status, 200);
      assert.deepEqual(
        { accepted: first.body.accepted, duplicates: first.body.duplicates, rejected: first.body.rejected },
        { accepted: 2, duplicates: 0, rejected: [] },
      );
      const again = await hub.api('POST', '/v1/events', [...events, ...events]);
      assert.deepEqual({ accepted: again.body.accepted, duplicates: again.body.duplicates }, { accepted: 0, duplicates: 4 });
      assert.ok(again.body.position >= first.body.position);
      const answer = await hub.api('GET', '/v1/availability/E-1?channel=amazon');
      assert.equal(answer.body.available, 28); // floor(35 × 80%)
      assert.ok(answer.body.position >= first.body.position);
    });

    test('treats the same id with another seq, and the same seq with another id, as duplicates', async () => {
      const e = movement({ source: 'wms-dal', seq: 200, sku: 'E-2', location: 'DAL', delta: { onHand: 10 }, id: 'dup-200' });
      await hub.api('POST', '/v1/events', [e]);
      const res = await hub.api('POST', '/v1/events', [
        { ...e, seq: 201 },
        { ...e, id: 'dup-200-b' },
      ]);
      assert.deepEqual({ accepted: res.body.accepted, duplicates: res.body.duplicates }, { accepted: 0, duplicates: 2 });
      assert.equal(await figure('E-2', 'amazon'), 8);
      assert.deepEqual(
        (await feed('amazon', 'E-2')).map((c) => c.available),
        [8],
      );
    });

    test('rejects only the bad events in a batch of thousands, naming index and field', async () => {
      const events: object[] = Array.from({ length: 5000 }, (_, i) =>
        movement({ source: 'wms-atl', seq: 10_000 + i, sku: `BULK-${i % 50}`, location: 'ATL', delta: { onHand: 1 } }),
      );
      events[2500] = { ...events[2500], delta: { onHand: 'ten' } };
      events[4000] = { ...events[4000], occurredAt: 'yesterday' };
      const res = await hub.api('POST', '/v1/events', events);
      assert.equal(res.status, 200);
      assert.equal(res.body.accepted, 4998);
      assert.deepEqual(
        res.body.rejected.map((r: { index: number; errors: { path: string }[] }) => [r.index, r.errors[0]!.path]),
        [
          [2500, '/delta/onHand'],
          [4000, '/occurredAt'],
        ],
      );
      // 100 units per item less web's safety stock at ATL; both rejected events were BULK-0's.
      assert.equal(await figure('BULK-0', 'web'), 96);
      assert.equal(await figure('BULK-1', 'web'), 98);
    });

    test('names every kind of bad field in an event', async () => {
      const good = movement({ source: 'wms-dal', seq: 300, sku: 'E-3', location: 'DAL', delta: { onHand: 1 } });
      const cases: [unknown, string][] = [
        [{ ...good, type: 'inventory.teleport' }, '/type'],
        [{ ...good, seq: -1 }, '/seq'],
        [{ ...good, seq: '7' }, '/seq'],
        [{ ...good, reason: 'theft' }, '/reason'],
        [{ ...good, delta: {} }, '/delta'],
        [{ ...good, delta: { onHand: 1.5 } }, '/delta/onHand'],
        [{ ...good, delta: { onHand: 1, magic: 2 } }, '/delta/magic'],
        [{ ...good, sku: '' }, '/sku'],
        [{ ...good, id: undefined }, '/id'],
        [{ ...snapshot({ sku: 'E-3', location: 'DAL', onHand: 1 }), balance: { onHand: -4 } }, '/balance/onHand'],
        ['not an object', '/'],
      ];
      const res = await hub.api(
        'POST',
        '/v1/events',
        cases.map(([e]) => e),
      );
      assert.equal(res.body.accepted, 0);
      assert.equal(res.body.rejected.length, cases.length);
      cases.forEach(([, path], i) => {
        const r = res.body.rejected.find((x: { index: number }) => x.index === i);
        assert.ok(r, `case ${i} rejected`);
        assert.ok(
          r.errors.some((e: { path: string }) => e.path === path),
          `case ${i}: expected an error at ${path}, got ${JSON.stringify(r.errors)}`,
        );
      });
    });

    test('answers malformed JSON, a non-array body and an oversized batch with problem+json naming the problem', async () => {
      const malformed = await hub.api('POST', '/v1/events', undefined, { raw: '[{"id": "x",' });
      assert.equal(malformed.status, 400);
      assert.match(malformed.headers.get('content-type')!, /application\/problem\+json/);
      assert.equal(malformed.body.type, 'urn:crossdock:problem:malformed_json');
      assert.equal(malformed.body.status, 400);
      assert.ok(malformed.body.detail);

      const notArray = await hub.api('POST', '/v1/events', { id: 'x' });
      assert.equal(notArray.status, 400);
      assert.equal(notArray.body.errors[0].path, '/');

      const tooMany = await hub.api(
        'POST',
        '/v1/events',
        Array.from({ length: 10_001 }, () => ({})),
      );
      assert.equal(tooMany.status, 400);
      assert.match(tooMany.body.errors[0].message, /10000/);
    });

    test('a batch of exactly 10,000 events is taken, each validated on its own; 10,001 are refused whole, naming the limit', async () => {
      const batch = (first: number, length: number) =>
        Array.from({ length }, (_, i) =>
          movement({ source: 'wms-atl', seq: 500_000 + first + i, sku: `MAX-${i % 100}`, location: 'ATL', delta: { onHand: 1 } }),
        );
      const tooMany = await hub.api('POST', '/v1/events', batch(20_000, 10_001));
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.deepEqual(
        tooMany.body.errors.map((e: { path: string }) => e.path),
        ['/'],
      );
      assert.match(tooMany.body.errors[0].message, /10000/);
      assert.equal((await hub.api('GET', '/v1/availability/MAX-7?channel=b2b')).status, 404, 'nothing of the refused batch was applied');

      const full = batch(0, 10_000);
      full[9_999] = { ...full[9_999]!, delta: { onHand: 'one' as never } };
      const res = await hub.api('POST', '/v1/events', full);
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
      assert.deepEqual([res.body.accepted, res.body.duplicates], [9_999, 0]);
      assert.deepEqual(
        res.body.rejected.map((r: { index: number; errors: { path: string }[] }) => [r.index, r.errors[0]!.path]),
        [[9_999, '/delta/onHand']],
      );
      // 100 units of each of 100 items, less the one refused event (MAX-99's last).
      assert.equal(await figure('MAX-7', 'b2b'), 100);
      assert.equal(await figure('MAX-99', 'b2b'), 99);
    });

    test("computes each channel's figure from its own rule, from the authoritative source only", async () => {
      await hub.api('POST', '/v1/events', [
        snapshot({ source: 'wms-dal', sku: 'A-1', location: 'DAL', onHand: 50, qualityHold: 3, damaged: 2 }),
        snapshot({ source: 'wms-atl', sku: 'A-1', location: 'ATL', onHand: 1 }),
        snapshot({ source: 'erp', sku: 'A-1', location: 'DAL', onHand: 999 }),
      ]);
      assert.equal(await figure('A-1', 'web'), 43); // (50-3-2-2) + max(0, 1-2)
      assert.equal(await figure('A-1', 'amazon'), 36); // floor(45 × 0.8)
      assert.equal(await figure('A-1', 'b2b'), 46);
      const ex = await hub.api('GET', '/v1/availability/A-1/explain?channel=amazon');
      assert.equal(ex.status, 200);
      assert.equal(ex.body.pool, 45);
      assert.deepEqual(
        ex.body.locations[0].events.map((e: { type: string }) => e.type),
        ['inventory.snapshot'],
      );
      assert.deepEqual(ex.body.locations[0].shadows, [{ source: 'erp', onHand: 999, qualityHold: 0, damaged: 0 }]);
      const batch = await hub.api('POST', '/v1/availability/query', { channel: 'web', skus: ['A-1', 'NEVER-SEEN'] });
      assert.deepEqual(batch.body.items, [
        { sku: 'A-1', available: 43, known: true },
        { sku: 'NEVER-SEEN', available: 0, known: false },
      ]);
    });

    test('applies movements and snapshots alike in any arrival order', async () => {
      const events = [
        movement({ source: 'wms-dal', seq: 501, sku: 'O-1', location: 'DAL', delta: { onHand: -3 }, reason: 'pick' }),
        snapshot({ source: 'wms-dal', seq: 500, sku: 'O-1', location: 'DAL', onHand: 20 }),
        movement({ source: 'wms-dal', seq: 499, sku: 'O-1', location: 'DAL', delta: { onHand: 100 } }), // inside the snapshot
        movement({ source: 'wms-dal', seq: 502, sku: 'O-1', location: 'DAL', delta: { onHand: 5 }, reason: 'receipt' }),
      ];
      await hub.api('POST', '/v1/events', [events[0], events[3]]);
      await hub.api('POST', '/v1/events', [events[2]]);
      await hub.api('POST', '/v1/events', [events[1]]);
      assert.equal(await figure('O-1', 'amazon'), 17); // floor((20 - 3 + 5) × 0.8)
      // An older snapshot arriving late changes nothing.
      await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 400, sku: 'O-1', location: 'DAL', onHand: 1 })]);
      assert.equal(await figure('O-1', 'amazon'), 17);
      const changes = await feed('amazon', 'O-1');
      assert.equal(changes.at(-1)!.available, 17);
    });

    test('parks events for an undefined location, lists them with the reason, and applies them once it is defined', async () => {
      const res = await hub.api('POST', '/v1/events', [
        snapshot({ source: 'tpl-rno', seq: 1, sku: 'P-1', location: 'RNO', onHand: 30 }),
        movement({ source: 'tpl-rno', seq: 2, sku: 'P-1', location: 'RNO', delta: { onHand: -4 } }),
      ]);
      assert.equal(res.body.accepted, 2);
      assert.equal(res.body.parked.length, 2);
      assert.match(res.body.parked[0].reason, /location 'RNO' is not defined/);
      assert.equal((await hub.api('GET', '/v1/events/parked?location=RNO')).body.parked.length, 2);
      const defined = await hub.api('PUT', '/v1/locations/RNO', { name: 'Reno 3PL', authority: 'tpl-rno' });
      assert.equal(defined.status, 201);
      assert.equal(defined.body.released, 2);
      assert.equal((await hub.api('GET', '/v1/events/parked?location=RNO')).body.parked.length, 0);
      assert.equal((await hub.api('PUT', '/v1/channels/reno-only', { locations: ['RNO'] })).status, 201);
      assert.equal(await figure('P-1', 'reno-only'), 26);
      assert.deepEqual(
        (await feed('reno-only', 'P-1')).map((c) => c.available),
        [26],
      );
      const again = await hub.api('POST', '/v1/events', [snapshot({ source: 'tpl-rno', seq: 1, sku: 'P-1', location: 'RNO', onHand: 30 })]);
      assert.equal(again.body.duplicates, 1);
    });

    test("changing a location's authority or a channel's rule recomputes the figures and records the moves", async () => {
      await hub.api('POST', '/v1/events', [
        snapshot({ source: 'wms-dal', sku: 'AU-1', location: 'DAL', onHand: 10 }),
        snapshot({ source: 'erp', sku: 'AU-1', location: 'DAL', onHand: 40 }),
      ]);
      assert.equal(await figure('AU-1', 'amazon'), 8);
      await hub.settled();
      await hub.api('PUT', '/v1/locations/DAL', { name: 'Dallas DC', authority: 'erp' });
      assert.equal(await figure('AU-1', 'amazon'), 32);
      await hub.api('PUT', '/v1/locations/DAL', { name: 'Dallas DC', authority: 'wms-dal' });
      assert.equal(await figure('AU-1', 'amazon'), 8);
      assert.deepEqual(
        (await feed('amazon', 'AU-1')).map((c) => c.available),
        [8, 32, 8],
      );
      const redefined = await hub.api('PUT', '/v1/channels/amazon', { locations: ['DAL'], allocation: { max: 5 } });
      assert.equal(redefined.status, 200);
      assert.equal(await figure('AU-1', 'amazon'), 5);
      assert.deepEqual(
        (await feed('amazon', 'AU-1')).map((c) => c.available),
        [8, 32, 8, 5],
      );
      await hub.api('PUT', '/v1/channels/amazon', { locations: ['DAL'], allocation: { percent: 80 } });
      const bad = await hub.api('PUT', '/v1/channels/nowhere', { locations: ['DAL', 'MARS'] });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].path, '/locations/1');
    });

    test('the change feed holds every figure change once, in order, with dense cursors', async () => {
      for (let i = 0; i < 5; i++)
        await hub.api('POST', '/v1/events', [movement({ source: 'wms-atl', seq: 900 + i, sku: 'FD-1', location: 'ATL', delta: { onHand: 10 } })]);
      // Movements applied in one commit record one change with the figure they leave; the chain
      // of previous → available is unbroken and ends at the final figure.
      const changes = await feed('b2b', 'FD-1');
      assert.ok(changes.length >= 1 && changes.length <= 5);
      assert.deepEqual(
        changes.map((c) => c.previous),
        [0, ...changes.slice(0, -1).map((c) => c.available)],
      );
      assert.equal(changes.at(-1)!.available, 50);
      await hub.settled();
      const all = (await hub.api('GET', '/v1/channels/b2b/changes?after=0&limit=10000')).body.changes as { cursor: number }[];
      assert.deepEqual(
        all.map((c) => c.cursor),
        all.map((_, i) => i + 1),
      );
      const page = await hub.api('GET', `/v1/channels/b2b/changes?after=${all.length - 2}&limit=1`);
      assert.deepEqual(
        page.body.changes.map((c: { cursor: number }) => c.cursor),
        [all.length - 1],
      );
      assert.equal(page.body.next, all.length - 1);
    });

    test('items are known once defined or named by an event; unknown channels and items are 404 problems', async () => {
      assert.equal((await hub.api('PUT', '/v1/items/NEW-1', { description: 'Widget', uom: 'EA' })).status, 201);
      assert.deepEqual((await hub.api('GET', '/v1/items/NEW-1')).body, { sku: 'NEW-1', description: 'Widget', uom: 'EA', defined: true });
      assert.equal(await figure('NEW-1', 'web'), 0);
      assert.equal((await hub.api('PUT', '/v1/items/NEW-1', { description: 'Widget', uom: 'EA' })).status, 200);
      const ch = await hub.api('GET', '/v1/availability/E-1?channel=nope');
      assert.equal(ch.status, 404);
      assert.equal(ch.body.type, 'urn:crossdock:problem:unknown_channel');
      const item = await hub.api('GET', '/v1/availability/NEVER-SEEN?channel=web');
      assert.equal(item.body.type, 'urn:crossdock:problem:unknown_item');
      assert.equal((await hub.api('GET', '/v1/channels/nope/changes')).status, 404);
    });

    test('counts inbound only within the channel horizon, and records the changes time alone causes', async () => {
      await hub.api('POST', '/v1/events', [
        snapshot({ source: 'wms-dal', sku: 'IN-1', location: 'DAL', onHand: 5 }),
        movement({ source: 'wms-dal', sku: 'IN-1', location: 'DAL', delta: { inbound: 20 }, eta: '2026-11-24T08:00:00Z' }),
        movement({ source: 'wms-dal', sku: 'IN-1', location: 'DAL', delta: { inbound: 7 }, eta: '2026-11-30T08:00:00Z' }),
      ]);
      assert.equal(await figure('IN-1', 'web'), 3);
      assert.equal(await figure('IN-1', 'b2b'), 25);
      const before = await feed('b2b', 'IN-1');
      assert.equal(before.at(-1)!.available, 25);
      try {
        now = Date.parse('2026-11-28T00:00:00Z');
        assert.equal(await figure('IN-1', 'b2b'), 32);
        assert.ok((await hub.sweepHorizons()) >= 1);
        const after = (await feed('b2b', 'IN-1')).slice(before.length);
        assert.deepEqual(
          after.map((c) => [c.previous, c.available]),
          [[25, 32]],
        );
        assert.equal(await hub.sweepHorizons(), 0, 'nothing more moved');
      } finally {
        now = NOW;
      }
    });

    test('a late count behind more than 64 later movements: applied exactly when older than all of them, else listed as overtaken', async () => {
      const receipts = Array.from({ length: 70 }, (_, i) =>
        movement({ source: 'wms-dal', seq: 9_002 + 2 * i, sku: 'LATE-1', location: 'DAL', delta: { onHand: 1 } }),
      );
      const counted = (seq: number, onHand: number) => snapshot({ source: 'wms-dal', seq, sku: 'LATE-1', location: 'DAL', onHand });
      const send = async (events: unknown[]) => {
        const res = await hub.api('POST', '/v1/events', events);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        await hub.settled();
      };
      await send([counted(9_000, 50), ...receipts]);
      assert.equal(await figure('LATE-1', 'web'), 50 + 70 - 2);
      // Counted before every receipt: all 70 stay on top of it, folded or not.
      await send([counted(9_001, 10)]);
      assert.equal(await figure('LATE-1', 'web'), 10 + 70 - 2);
      // Counted after 4 of the 6 receipts folded together (seqs 9002-9012): which of them it holds is unknown.
      await send([counted(9_009, 0)]);
      assert.equal(await figure('LATE-1', 'web'), 10 + 70 - 2, 'the figure stays');
      const { overtaken } = (await hub.api('GET', '/v1/events/overtaken?limit=100')).body as { overtaken: Record<string, unknown>[] };
      const mine = overtaken.filter((o) => o.sku === 'LATE-1');
      assert.equal(mine.length, 1, JSON.stringify(overtaken));
      assert.deepEqual(
        { source: mine[0]!.source, seq: mine[0]!.seq, location: mine[0]!.location, buckets: mine[0]!.buckets },
        { source: 'wms-dal', seq: 9_009, location: 'DAL', buckets: [{ bucket: 'onHand', counted: 0, held: 80, foldedMovements: 6 }] },
      );
    });

    test('reads the log back in order from a position', async () => {
      const head = (await hub.api('GET', '/healthz')).body.position;
      await hub.api('POST', '/v1/events', [
        movement({ source: 'wms-dal', seq: 1400, sku: 'L-1', location: 'DAL', delta: { onHand: 2 } }),
        movement({ source: 'wms-dal', seq: 1401, sku: 'L-1', location: 'DAL', delta: { onHand: 3 } }),
      ]);
      const log = await hub.api('GET', `/v1/events?after=${head}`);
      assert.deepEqual(
        log.body.events.map((e: { position: number; event: { seq: number } }) => [e.position, e.event.seq]),
        [
          [head + 1, 1400],
          [head + 2, 1401],
        ],
      );
      assert.equal(log.body.next, head + 2);
    });

    test('lists the log entries that could not be applied (none here) and says when one to retry is unknown', async () => {
      const dead = await hub.api('GET', '/v1/events/dead');
      assert.equal(dead.status, 200);
      assert.deepEqual(dead.body.dead, []);
      assert.equal((await hub.api('POST', '/v1/events/dead/999999/retry')).status, 404);
    });

    test("asks for an API key with the route's scope", async () => {
      if (backend.name === 'scale-out') {
        const metrics = await hub.api('GET', '/metrics');
        assert.match(metrics.body, /crossdock_log_lag_entries\{of="read_model"\} \d+/);
        assert.match(metrics.body, /crossdock_log_lag_entries\{of="order_holds"\} \d+/);
        assert.match(metrics.body, /crossdock_log_lag_entries\{of="workers"\} \d+/);
      }
      assert.equal((await hub.api('GET', '/v1/availability/E-1?channel=web', undefined, { key: null })).status, 401);
      assert.equal((await hub.api('POST', '/v1/events', [], { key: 'not-a-key-at-all-1234' })).status, 401);
      const health = await hub.api('GET', '/healthz', undefined, { key: null });
      assert.equal(health.status, 200);
      assert.ok(health.headers.get('x-correlation-id'));
    });
  });
}
