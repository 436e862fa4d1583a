/**
 * Nothing parked can block a later write: events for a location not defined yet, carrying the
 * oddest content validation lets through (extreme but real dates and offsets, long and unusual
 * Unicode ids, the largest quantities, deep and large kept unknown fields, keys such as
 * __proto__), are parked; defining their location through the API then releases them, and a
 * hub restarted from a configuration that defines the other location starts and releases its
 * own. Run on both backends; the figures are compared with what the events say.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { HubFile } from '../src/config/hub-config.js';
import { startScaleOutHub } from '../src/wiring/scale-out-hub.js';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';
import { DATABASE_URL, NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { apiClient, startTestHub, testConfig, tempDataDir, NETWORK } from './support/test-hub.js';
import { until } from './support/until.js';

const deep = (levels: number): unknown => (levels === 0 ? 'bottom' : [deep(levels - 1)]);
const SKUS = ['Ω-😀-ﷺ', 'a b\u200dc', 'ß'.repeat(200), 'שלום-עולם', 'e\u0301\u0301\u0301'];

/** Odd but valid events at `location` (from `source`), and the onHand each SKU should end with. */
function oddEvents(source: string, location: string): { events: unknown[]; expected: Map<string, number> } {
  const events: unknown[] = [];
  const expected = new Map<string, number>();
  let seq = 0;
  const times = [
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999Z',
    '2028-02-29T23:59:59+14:00',
    '0001-01-01T00:59:00+00:59',
    '2026-12-31T00:00:00.1-12:00',
  ];
  for (const [k, sku] of SKUS.entries()) {
    events.push({
      id: `😀-${source}-${k}-${'x'.repeat(150)}`,
      type: 'inventory.snapshot',
      source,
      seq: ++seq,
      occurredAt: times[k]!,
      sku,
      location,
      balance: { onHand: 1_000_000_000, qualityHold: 0, damaged: 1_000_000_000, inbound: [{ qty: 1_000_000_000, eta: times[(k + 1) % times.length]! }] },
      correlationId: '🧾'.repeat(50),
      ['__proto__']: { polluted: true },
      constructor: { prototype: { polluted: true } },
      note: deep(30),
      blob: 'z'.repeat(60_000),
    });
    events.push({
      id: `mv-${source}-${k}`,
      type: 'inventory.movement',
      source,
      seq: Number.MAX_SAFE_INTEGER - 10 + k,
      occurredAt: times[(k + 2) % times.length]!,
      sku,
      location,
      reason: 'adjustment',
      delta: { onHand: -1_000_000_000, inbound: 1_000_000_000 },
      eta: times[(k + 3) % times.length]!,
    });
    expected.set(sku, 0);
  }
  return { events, expected };
}

interface Running {
  api: ReturnType<typeof apiClient>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

interface Restartable {
  name: string;
  skip(): Promise<string | false>;
  start(file: HubFile): Promise<Running>;
  cleanUp(): Promise<void>;
}

function embeddedHub(): Restartable {
  const dataDir = tempDataDir();
  return {
    name: 'embedded',
    skip: async () => false,
    async start(file) {
      const hub = await startTestHub({ file, dataDir });
      return { api: hub.api, settled: async () => {}, stop: () => hub.stop({ keepData: true }) };
    },
    cleanUp: async () => {},
  };
}

function scaleOutHub(): Restartable {
  const namespace = `t_${randomBytes(5).toString('hex')}`;
  const dataDir = tempDataDir();
  return {
    name: 'scale-out',
    skip: () => skipReason(scaleOut),
    async start(file) {
      const config = testConfig(dataDir, file, { backend: 'scale-out', scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'all', namespace } });
      const hub = await startScaleOutHub({ config, logger: false });
      return {
        api: apiClient(hub.url),
        async settled() {
          await until(
            'the workers and the read model to catch up',
            async () => (await hub.log.pending('apply')) === 0 && hub.view!.position >= (await hub.log.head()),
            (caughtUp) => caughtUp,
            30_000,
          );
        },
        stop: () => hub.close(),
      };
    },
    async cleanUp() {
      await dropSchema(DATABASE_URL, namespace);
      const { JetStreamEventLog } = await import('../src/adapters/nats/jetstream-event-log.js');
      const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
      await log.destroy();
      await log.close();
    },
  };
}

for (const make of [embeddedHub, scaleOutHub]) {
  const backend = make();
  describe(`parked events with odd content on the ${backend.name} backend`, { skip: await backend.skip() }, () => {
    test('defining their location through the API, and restarting from a configuration that defines it, both release them', { timeout: 120_000 }, async () => {
      const file: HubFile = NETWORK;
      let hub = await backend.start(file);
      try {
        const api = oddEvents('tpl-api', 'ODD-API');
        const cfg = oddEvents('tpl-cfg', 'ODD-CFG');
        for (const batch of [api.events, cfg.events]) {
          const res = await hub.api('POST', '/v1/events', batch);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.deepEqual([res.body.accepted, res.body.parked.length, res.body.rejected], [batch.length, batch.length, []]);
        }
        assert.equal(({} as { polluted?: boolean }).polluted, undefined, 'no prototype polluted');
        await hub.settled();

        const defined = await hub.api('PUT', '/v1/locations/ODD-API', { name: 'Odd (API)', authority: 'tpl-api' });
        assert.equal(defined.status, 201, JSON.stringify(defined.body));
        assert.equal(defined.body.released, api.events.length);
        assert.equal((await hub.api('PUT', '/v1/channels/odd', { locations: ['ODD-API'] })).status, 201);
        await hub.settled();
        for (const [sku, onHand] of api.expected) {
          const explained = await hub.api('GET', `/v1/availability/${encodeURIComponent(sku)}/explain?channel=odd`);
          assert.equal(explained.status, 200, JSON.stringify(explained.body));
          const at = (explained.body.locations as { location: string; onHand: number }[]).find((l) => l.location === 'ODD-API');
          assert.equal(at?.onHand, onHand, sku);
        }
        // A later write to the same items is taken.
        assert.equal((await hub.api('POST', '/v1/events', [{ ...(api.events[1] as object), id: 'after', seq: Number.MAX_SAFE_INTEGER }])).body.accepted, 1);

        await hub.stop();
        hub = await backend.start({
          locations: { ...file.locations, 'ODD-CFG': { name: 'Odd (config)', authority: 'tpl-cfg' } },
          channels: { ...file.channels, 'odd-cfg': { locations: ['ODD-CFG'] } },
        });
        await hub.settled();
        assert.deepEqual((await hub.api('GET', '/v1/events/parked?location=ODD-CFG')).body.parked, []);
        for (const sku of cfg.expected.keys()) {
          const explained = await hub.api('GET', `/v1/availability/${encodeURIComponent(sku)}/explain?channel=odd-cfg`);
          assert.equal(explained.status, 200, JSON.stringify(explained.body));
          const at = (explained.body.locations as { location: string; onHand: number }[]).find((l) => l.location === 'ODD-CFG');
          assert.equal(at?.onHand, 0, sku);
        }
      } finally {
        await hub.stop();
        await backend.cleanUp();
      }
    });
  });
}
