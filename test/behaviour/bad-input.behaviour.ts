/**
 * One bad input harms only itself, on both backends: values the validator used to pass but the code
 * after it could not handle are refused naming the field, and their neighbours in the batch are
 * taken: timestamps that are no real date or time (seconds 60, February 31, hour 24), unknown
 * fields nested 10,000 deep (which broke every later page of GET /v1/events), and ids holding a
 * lone UTF-16 surrogate (stored as U+FFFD, so distinct ids collided). Run by bad-input-*.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { movement, snapshot } from '../support/test-hub.js';
import { skipReason, type Backend, type HarnessHub } from '../support/backends.js';

const NETWORK = { locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' } }, channels: { web: { locations: ['DAL'] } } };

type Rejection = { index: number; errors: { path: string; message: string }[] };
const refusals = (rejected: Rejection[]) => rejected.map((r) => [r.index, r.errors.map((e) => e.path).join(' ')]);

export async function badInputBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`bad input harms only itself on the ${backend.name} backend`, { skip }, () => {
    let hub: HarnessHub;
    let seq = 1000;
    const move = (sku: string, onHand: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      ...movement({ source: 'wms-dal', seq: ++seq, sku, location: 'DAL', delta: { onHand } }),
      ...extra,
    });
    const available = async (sku: string) => (await hub.api('GET', `/v1/availability/${encodeURIComponent(sku)}?channel=web`)).body.available;
    before(async () => {
      hub = await backend.start(NETWORK as never);
      await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 1, sku: 'BI-1', location: 'DAL', onHand: 100 })]);
    });
    after(async () => {
      await hub?.stop();
    });

    test('timestamps that are no real date or time are refused naming the field; the rest of the batch is taken', async () => {
      const batch = [
        move('BI-1', 1),
        move('BI-1', 1, { occurredAt: '2026-11-22T23:59:60Z' }),
        move('BI-1', 1, { occurredAt: '2026-02-31T10:00:00Z' }),
        move('BI-1', 1, { occurredAt: '2026-02-29T10:00:00Z' }),
        move('BI-1', 1, { occurredAt: '2026-11-22T24:00:00Z' }),
        move('BI-1', 1, { occurredAt: '2024-02-29T10:00:00Z' }),
        { ...move('BI-1', 0), delta: { inbound: 5 }, eta: '2026-04-31T00:00:00Z' },
      ];
      const res = await hub.api('POST', '/v1/events', batch);
      assert.equal(res.status, 200);
      assert.deepEqual(refusals(res.body.rejected), [
        [1, '/occurredAt'],
        [2, '/occurredAt'],
        [3, '/occurredAt'],
        [4, '/occurredAt'],
        [6, '/eta'],
      ]);
      assert.match(res.body.rejected[0].errors[0].message, /real date and time/);
      assert.equal(res.body.accepted, 2);
      assert.equal(await available('BI-1'), 102);
      // The hub goes on taking writes, the refused batch's neighbours' and later ones alike.
      assert.equal((await hub.api('POST', '/v1/events', [move('BI-1', 3)])).body.accepted, 1);
      assert.equal(await available('BI-1'), 105);
    });

    test('an unknown field nested 10,000 deep is refused naming it; a modest one is kept as sent; GET /v1/events still answers', async () => {
      const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
      const poisoned = JSON.stringify(move('BI-2', 7, { 'vendor/extra': 0 })).replace('"vendor/extra":0', `"vendor/extra":${deep}`);
      const modest = move('BI-2', 4, {
        vendor: {
          lot: 'L-7',
          bins: [
            ['A', 1],
            ['B', 2],
          ],
        },
      });
      const raw = `[${poisoned},${JSON.stringify(modest)}]`;
      const res = await hub.api('POST', '/v1/events', undefined, { raw });
      assert.equal(res.status, 200);
      assert.deepEqual(refusals(res.body.rejected), [[0, '/vendor~1extra']]);
      assert.match(res.body.rejected[0].errors[0].message, /at most 32 levels/);
      assert.equal(res.body.accepted, 1);
      const page = await hub.api('GET', '/v1/events?after=0&limit=1000');
      assert.equal(page.status, 200);
      const kept = (page.body.events as { event: { sku: string; vendor?: unknown } }[]).find((e) => e.event.sku === 'BI-2');
      assert.deepEqual(kept?.event.vendor, modest.vendor);
      assert.equal(await available('BI-2'), 4);
    });

    test('ids holding a lone UTF-16 surrogate are refused naming the field, so distinct ids never collide', async () => {
      const batch = [
        move('BI-3', 1, { id: 'evt-\uD800' }),
        move('BI-3', 1, { id: 'evt-\uDBFF' }),
        move('BI-3\uDC00', 1),
        move('BI-3', 1, { source: 'wms-dal\uD83D' }),
        move('BI-3', 1, { location: '\uDFFFDAL' }),
        move('BI-3', 1, { id: 'evt-\uD83D\uDCE6' }),
      ];
      const res = await hub.api('POST', '/v1/events', batch);
      assert.equal(res.status, 200);
      assert.deepEqual(refusals(res.body.rejected), [
        [0, '/id'],
        [1, '/id'],
        [2, '/sku'],
        [3, '/source'],
        [4, '/location'],
      ]);
      assert.match(res.body.rejected[0].errors[0].message, /lone UTF-16 surrogate/);
      // A well-formed id outside the basic plane (a surrogate pair) is taken.
      assert.deepEqual([res.body.accepted, res.body.duplicates], [1, 0]);
      assert.equal(await available('BI-3'), 1);
    });
  });
}
