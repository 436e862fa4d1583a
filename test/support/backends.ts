/**
 * The two backends behind one test harness, so a behavioural suite is written once and run
 * against each (docs/ARCHITECTURE.md, "Two backends"). The scale-out harness runs an `all`
 * process in its own namespace (a fresh PostgreSQL schema and NATS stream) and removes both at
 * the end; its reads follow the read-your-writes rule of docs/REFERENCE.md (wait until the read model's
 * position reaches the one a write answered).
 */
import type { DestinationStream } from 'pino';
import { randomBytes } from 'node:crypto';
import { reachable } from './reachable.js';
import pg from 'pg';
import type { HubConfig, HubFile } from '../../src/config/hub-config.js';
import { dropSchema } from '../../src/adapters/postgres/pg-database.js';
import { refreshInboundHorizons } from '../../src/app/inventory/refresh-inbound-horizons.js';
import { systemClock, type Clock } from '../../src/ports/clock.js';
import type { OrderChanges } from '../../src/ports/order-changes.js';
import type { IdempotencyKeys } from '../../src/ports/idempotency-keys.js';
import type { ErpQueue } from '../../src/ports/erp-queue.js';
import type { OrderPlacement } from '../../src/ports/order-placement.js';
import type { OrderReads } from '../../src/ports/order-reads.js';
import { startScaleOutHub, type ScaleOutHub } from '../../src/wiring/scale-out-hub.js';
import { apiClient, startTestHub, testConfig, tempDataDir, type TestHub } from './test-hub.js';

export type ApiCall = TestHub['api'];

export interface HarnessHub {
  url: string;
  /** CROSSDOCK_DATA_DIR (file drop folders live under it). */
  dataDir: string;
  /** The scale-out namespace (PostgreSQL schema and JetStream stream); absent on the embedded backend. */
  namespace?: string;
  api: ApiCall;
  /**
   * Waits until every write so far has reached the shared state (orders, the change feed) and the
   * holds it caused have reached this process's read model; immediate on the embedded backend.
   */
  settled(): Promise<void>;
  /** The hub's atomic order changes, idempotency keys, ERP queue and order reads (for the ports' contract suites). */
  orderChanges: OrderChanges;
  idempotencyKeys: IdempotencyKeys;
  erpQueue: ErpQueue;
  placement: OrderPlacement;
  orderReads: OrderReads;
  /** Stops the hub's own ERP retry sweep, so that a suite alone takes from the ERP queue. */
  stopErpRetries(): Promise<void>;
  /** Runs the inbound-horizon sweep now; resolves with how many figures moved. */
  sweepHorizons(): Promise<number>;
  stop(): Promise<void>;
}

export interface Backend {
  name: 'embedded' | 'scale-out';
  /** Why this backend cannot run here, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** `logs`: where the hub's log lines go (at debug), for suites that read them; silent without. */
  start(file: HubFile, options?: { clock?: Clock; apiKeys?: HubConfig['apiKeys']; logs?: DestinationStream }): Promise<HarnessHub>;
}

export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';

export const embedded: Backend = {
  name: 'embedded',
  unavailable: async () => undefined,
  async start(file, options = {}) {
    const hub = await startTestHub({
      file,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.apiKeys ? { config: { apiKeys: options.apiKeys } } : {}),
      ...(options.logs ? { logs: options.logs } : {}),
    });
    return {
      url: hub.url,
      dataDir: hub.dataDir,
      api: hub.api,
      settled: async () => {},
      stop: () => hub.stop(),
      orderChanges: hub.orders.changes,
      idempotencyKeys: hub.orders.keys,
      erpQueue: hub.orders.erpQueue,
      placement: hub.orders.placement,
      orderReads: hub.orders.reads,
      stopErpRetries: () => hub.orders.erp.stop(),
      sweepHorizons: async () => refreshInboundHorizons({ state: hub.state, store: hub.store, clock: options.clock ?? systemClock }),
    };
  },
};

async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const scaleOut: Backend = {
  name: 'scale-out',
  async unavailable() {
    const missing = [];
    if (!(await reachable(DATABASE_URL, 5432))) missing.push(`PostgreSQL at ${DATABASE_URL}`);
    if (!(await reachable(NATS_URL, 4222))) missing.push(`NATS at ${NATS_URL}`);
    if (missing.length === 0) {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } catch (err) {
        missing.push(`PostgreSQL login (${(err as Error).message})`);
      } finally {
        await client.end().catch(() => {});
      }
    }
    return missing.length === 0 ? undefined : `scale-out tests need ${missing.join(' and ')} (set DATABASE_URL / NATS_URL)`;
  },
  async start(file, options = {}) {
    const namespace = `t_${randomBytes(5).toString('hex')}`;
    const dataDir = tempDataDir();
    const config = testConfig(dataDir, file, {
      backend: 'scale-out',
      scaleOut: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, role: 'all', namespace },
      ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
    });
    const hub: ScaleOutHub = await startScaleOutHub({
      config,
      ...(options.logs ? { logger: { level: 'debug' }, logDestination: options.logs } : { logger: false }),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const api = apiClient(hub.url);
    return {
      url: hub.url,
      dataDir,
      namespace,
      async api(method, path, body, options) {
        const res = await api(method, path, body, options);
        // Read-your-writes: the next read waits for this process's read model to reach the write.
        if (method === 'POST' && path === '/v1/events' && res.status === 200) {
          const position = (res.body as { position: number }).position;
          await poll(`the read model to reach position ${position}`, async () => hub.view!.position >= position);
        }
        return res;
      },
      async settled() {
        await poll('the workers to apply every entry', async () => (await hub.log.pending('apply')) === 0);
        await poll('the holds the workers queued to reach the log', async () => (await hub.store.queuedForLog()) === 0);
        const head = await hub.log.head();
        await poll(`the read model to reach position ${head}`, async () => hub.view!.position >= head);
      },
      orderChanges: hub.orderChanges,
      idempotencyKeys: hub.keys,
      erpQueue: hub.erpQueue,
      placement: hub.placement!,
      orderReads: hub.orders,
      stopErpRetries: () => hub.erpCommits.stop(),
      sweepHorizons: () => hub.sweepInboundHorizons!(),
      async stop() {
        await hub.close();
        await dropSchema(DATABASE_URL, namespace);
        await destroyStream(namespace);
      },
    };
  },
};

async function destroyStream(namespace: string): Promise<void> {
  const { JetStreamEventLog } = await import('../../src/adapters/nats/jetstream-event-log.js');
  const log = await JetStreamEventLog.open({ url: NATS_URL, namespace });
  await log.destroy();
  await log.close();
}

/** With CI=true a backend that cannot run is a failure, not a skip. */
export async function skipReason(backend: Backend): Promise<string | false> {
  const reason = await backend.unavailable();
  if (!reason) return false;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires them`);
  return `${reason}: skipped`;
}
