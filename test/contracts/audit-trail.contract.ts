/**
 * The behaviour every AuditTrail must have (SQLite and PostgreSQL): entries kept as written, in
 * order, newest first, filtered by actor, entity (one or a kind) and time, paged, dropped only by
 * age, and kept across a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, AuditTrail } from '../../src/ports/audit-trail.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const write = (n: number, extra: Partial<AuditEntry> = {}): Omit<AuditEntry, 'id'> => ({
  at: `2026-12-01T10:00:0${n}.000Z`,
  actor: 'ops-key',
  apiKey: 'ops-key',
  via: 'api',
  origin: '10.0.0.7',
  action: 'PUT /v1/locations/:id',
  entity: { kind: 'location', id: `L${n}` },
  status: 200,
  before: null,
  after: { id: `L${n}`, name: 'Reno – ünïcode' },
  correlationId: `corr-${n}`,
  ...extra,
});

export function describeAuditTrailContract(name: string, make: MakeAdapter<AuditTrail>, skip: Skip = false): void {
  describe(`AuditTrail contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<AuditTrail>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('keeps entries exactly as written, newest first', async () => {
      await ctx.store.append([write(1), write(2, { before: { id: 'L2', name: 'old' } })]);
      await ctx.store.append([]);
      const all = await ctx.store.entries({ limit: 10 });
      assert.deepEqual(
        all.map(({ id: _, ...e }) => e),
        [write(2, { before: { id: 'L2', name: 'old' } }), write(1)],
      );
      assert.ok(all[0]!.id > all[1]!.id);
    });

    it('filters by actor, entity or kind, and time, and pages by id', async () => {
      await ctx.store.append([
        write(1),
        write(2, { actor: 'operator:alice', via: 'cli' }),
        write(3, { entity: { kind: 'customer', id: 'C-1' } }),
        write(4, { entity: null, action: 'POST /v1/events' }),
        write(5, { entity: { kind: 'location_group', id: 'x' } }),
      ]);
      const at = async (f: Partial<Parameters<AuditTrail['entries']>[0]>) => (await ctx.store.entries({ limit: 10, ...f })).map((e) => e.correlationId);
      assert.deepEqual(await at({ actor: 'operator:alice' }), ['corr-2']);
      assert.deepEqual(await at({ entity: 'location:L1' }), ['corr-1']);
      assert.deepEqual(await at({ entity: 'location' }), ['corr-2', 'corr-1'], 'a kind alone, not a kind it prefixes');
      assert.deepEqual(await at({ since: '2026-12-01T10:00:03.000Z' }), ['corr-5', 'corr-4', 'corr-3']);
      assert.deepEqual(await at({ since: '2026-12-01T10:00:02.000Z', until: '2026-12-01T10:00:04.000Z' }), ['corr-3', 'corr-2']);
      const [newest] = await ctx.store.entries({ limit: 1 });
      assert.deepEqual(await at({ beforeId: newest!.id, limit: 2 }), ['corr-4', 'corr-3']);
    });

    it('drops only entries older than the retention', async () => {
      await ctx.store.append([write(1), write(2), write(3)]);
      assert.equal(await ctx.store.forgetBefore('2026-12-01T10:00:02.000Z'), 1);
      assert.deepEqual(
        (await ctx.store.entries({ limit: 10 })).map((e) => e.correlationId),
        ['corr-3', 'corr-2'],
      );
    });

    it('keeps entries across a reopen', async () => {
      await ctx.store.append([write(1)]);
      const again = await ctx.reopen();
      assert.deepEqual(
        (await again.entries({ limit: 10 })).map((e) => e.correlationId),
        ['corr-1'],
      );
    });
  });
}
