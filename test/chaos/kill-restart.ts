/**
 * Scenario 1: kill -9 of a real hub process at random moments while a WMS posts movements and a
 * storefront captures orders, each restarted at once. Clients behave as real ones do: a request
 * that got no answer is sent again, unchanged (same events, same Idempotency-Key), once the hub
 * is back. The oracle is the traffic itself: every movement and order the hub acknowledged must
 * be there after every restart, in the log exactly once; stock must equal the sum of the
 * movements; and the ERP simulator must have received exactly one placing call per hub order
 * (counted per reference at the simulator, not in its deduplicated store).
 */
import { spawnSync } from 'node:child_process';
import { ErpSimulator } from '../../sim/erp-simulator.js';
import {
  CLI,
  availability,
  call,
  equal,
  hubHome,
  info,
  killHard,
  listOrders,
  movement,
  processBackend,
  seededRandom,
  scaled,
  sleep,
  snapshot,
  settledAvailability,
  startHubProcess,
  stopGracefully,
  waitFor,
  type BackendName,
  type Figure,
  type HubProcess,
  type ScenarioReport,
} from './support.js';

const MOVEMENT_SKUS = 1000;
const ORDER_SKUS = 50;
const ORDER_STOCK = 1_000_000;
const BATCH = 500;

export async function killRestartScenario(o: { scale: number; seed: number; backend?: BackendName }): Promise<ScenarioReport> {
  const movements = scaled(200_000, o.scale, 2000);
  const orders = scaled(5000, o.scale, 100);
  const kills = scaled(20, o.scale, 3);
  const random = seededRandom(o.seed);
  const erp = new ErpSimulator();
  const erpUrl = await erp.start();
  const home = hubHome(`
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
channels:
  web: { locations: [DAL], onErpUnavailable: queue }
customers:
  C-1: { name: Acme Supply, active: true, creditHold: false }
erp: { url: '${erpUrl}', timeoutMs: 3000, retryBaseMs: 100, retryMaxMs: 1000 }
`);
  const backend = processBackend(o.backend ?? 'embedded');
  const env = { ...backend.env, CROSSDOCK_CHECKPOINT_MS: '500' };
  const started = Date.now();
  let hub: HubProcess = await startHubProcess(home, env);
  try {
    const seeded = await call(
      hub.url,
      'POST',
      '/v1/events',
      Array.from({ length: ORDER_SKUS }, (_, k) =>
        snapshot({ id: `seed-${k}`, source: 'wms-dal', seq: movements + 1 + k, sku: `O-${k}`, location: 'DAL', onHand: ORDER_STOCK }),
      ),
    );
    if (seeded.status !== 200) throw new Error(`seeding stock answered ${seeded.status}`);
    await availability(
      hub.url,
      'web',
      Array.from({ length: ORDER_SKUS }, (_, k) => `O-${k}`),
      seeded.body.position,
    );

    // Traffic: movements in batches of BATCH (seq = index + 1), orders one by one.
    const movementOf = (i: number) =>
      movement({ id: `mv-${i}`, source: 'wms-dal', seq: i + 1, sku: `M-${i % MOVEMENT_SKUS}`, location: 'DAL', onHand: 1 + (i % 3) });
    const orderOf = (i: number) => ({ channel: 'web', externalId: `X-${i}`, customer: 'C-1', lines: [{ sku: `O-${i % ORDER_SKUS}`, qty: 1 + (i % 3) }] });
    const batches = Math.ceil(movements / BATCH);
    const pendingBatches = Array.from({ length: batches }, (_, b) => b);
    const pendingOrders = Array.from({ length: orders }, (_, i) => i);
    const ackedBatches = new Set<number>();
    // Batches sent at least once: one that got no answer may have landed all the same.
    const sentBatches = new Set<number>();
    const ackedOrders = new Map<number, string>();
    let unanswered = 0;
    // The highest log position an acknowledged batch was given: reads after a restart wait for it (scale-out read model).
    let ackedPosition = 0;

    // The hub as the clients see it: while it restarts they wait for the new one.
    let up: Promise<HubProcess> = Promise.resolve(hub);
    const progress = () => 0.5 * (ackedBatches.size / batches) + 0.5 * (ackedOrders.size / orders);

    const sendBatches = async () => {
      for (;;) {
        const b = pendingBatches.shift();
        if (b === undefined) return;
        const target = await up;
        const events = Array.from({ length: Math.min(BATCH, movements - b * BATCH) }, (_, k) => movementOf(b * BATCH + k));
        sentBatches.add(b);
        const answer = await call(target.url, 'POST', '/v1/events', events).catch(() => undefined);
        if (answer?.status === 200 && answer.body.accepted + answer.body.duplicates === events.length) {
          ackedBatches.add(b);
          ackedPosition = Math.max(ackedPosition, answer.body.position);
        } else {
          if (answer) throw new Error(`a movement batch was answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
          unanswered++;
          pendingBatches.push(b);
          await up;
        }
      }
    };
    const sendOrders = async () => {
      for (;;) {
        const i = pendingOrders.shift();
        if (i === undefined) return;
        const target = await up;
        const answer = await call(target.url, 'POST', '/v1/orders', orderOf(i), { 'idempotency-key': `ok-${i}` }).catch(() => undefined);
        if (answer && (answer.status === 201 || answer.status === 202)) ackedOrders.set(i, answer.body.id);
        else {
          // No answer (killed), or 409 while the first attempt under the key still runs: send it again later.
          if (answer && answer.status !== 409 && answer.status !== 503)
            throw new Error(`order ${i} was answered ${answer.status}: ${JSON.stringify(answer.body)}`);
          unanswered++;
          pendingOrders.push(i);
          if (!answer) await up;
          else await sleep(20);
        }
      }
    };

    // Kill moments: random points of progress, each a few random milliseconds into the request then in flight.
    const moments = Array.from({ length: kills }, () => 0.03 + random() * 0.94).sort((a, b) => a - b);
    const lossAtRestart: number[] = [];
    const beyondAtRestart: number[] = [];
    const restarts: number[] = [];
    const killer = async () => {
      for (const moment of moments) {
        await waitFor(`progress ${moment.toFixed(2)}`, () => progress() >= moment || (pendingBatches.length === 0 && pendingOrders.length === 0), 600_000, 5);
        if (pendingBatches.length === 0 && pendingOrders.length === 0) return;
        await sleep(random() * 40);
        let restarted!: (h: HubProcess) => void;
        up = new Promise((r) => {
          restarted = r;
        });
        // What was acknowledged before the kill, per SKU: after the restart the hub must show at least that.
        const ackedNow = new Set(ackedBatches);
        const sentNow = new Set(sentBatches);
        const positionNow = ackedPosition;
        await killHard(hub);
        const t0 = Date.now();
        hub = await startHubProcess(home, env);
        restarts.push(Date.now() - t0);
        const check = await afterRestart(hub.url, ackedNow, sentNow, positionNow);
        lossAtRestart.push(check.missing);
        beyondAtRestart.push(check.beyond);
        restarted(hub);
      }
    };

    const trafficStarted = Date.now();
    await Promise.all([killer(), ...Array.from({ length: 3 }, sendBatches), ...Array.from({ length: 8 }, sendOrders)]);
    const trafficMs = Date.now() - trafficStarted;

    // Every order reaches the ERP (queued ones after a restart included).
    let hubOrders = await listOrders(hub.url, 'web');
    await waitFor(
      'every order to be committed to the ERP',
      async () => {
        hubOrders = await listOrders(hub.url, 'web');
        return hubOrders.every((h) => h.status !== 'pending_erp');
      },
      120_000,
      500,
    );

    // The oracle.
    const stockOracle = new Map<string, number>();
    for (let i = 0; i < movements; i++) stockOracle.set(`M-${i % MOVEMENT_SKUS}`, (stockOracle.get(`M-${i % MOVEMENT_SKUS}`) ?? 0) + 1 + (i % 3));
    for (let i = 0; i < orders; i++) stockOracle.set(`O-${i % ORDER_SKUS}`, (stockOracle.get(`O-${i % ORDER_SKUS}`) ?? ORDER_STOCK) - (1 + (i % 3)));
    const figures = await settledAvailability(hub.url, 'web', stockOracle, 30_000);
    const wrongFigures = [...stockOracle].filter(([sku, n]) => figures.get(sku) !== n).length;

    const logged = await loggedEventIds(hub.url);
    let lostMovements = 0;
    let doubledMovements = 0;
    for (let i = 0; i < movements; i++) {
      const n = logged.get(`mv-${i}`) ?? 0;
      if (n === 0 && ackedBatches.has(Math.floor(i / BATCH))) lostMovements++;
      if (n > 1) doubledMovements++;
    }
    const byExternalId = new Map<string, number>();
    for (const h of hubOrders) byExternalId.set(h.externalId, (byExternalId.get(h.externalId) ?? 0) + 1);
    const hubIds = new Set(hubOrders.map((h) => h.id));
    const lostOrders = [...ackedOrders.values()].filter((id) => !hubIds.has(id)).length;
    const doubledInHub = [...byExternalId.values()].filter((n) => n > 1).length;
    const placing = erp.placements;
    const doubledAtErp = [...placing.values()].filter((n) => n > 1).length;
    const neverAtErp = hubOrders.filter((h) => !placing.has(h.id)).length;
    const unknownAtErp = [...placing.keys()].filter((ref) => !hubIds.has(ref)).length;

    const stopped = await stopGracefully(hub);
    const verify = spawnSync(process.execPath, [CLI, 'replay', '--verify', '--data-dir', home.dataDir], {
      encoding: 'utf8',
      env: { ...process.env, ...backend.env },
    });

    const figuresOut: Figure[] = [
      info('kill -9 and restart', restarts.length),
      info('restart to listening, median ms', median(restarts)),
      info('requests without answer, sent again', unanswered),
      equal('movements acknowledged', ackedBatches.size === batches ? movements : -1, movements),
      equal(
        'acknowledged units missing right after a restart (sum over restarts)',
        lossAtRestart.reduce((a, b) => a + b, 0),
        0,
      ),
      equal(
        'units beyond every movement sent, right after a restart (sum over restarts)',
        beyondAtRestart.reduce((a, b) => a + b, 0),
        0,
      ),
      equal('acknowledged movements missing from the log', lostMovements, 0),
      equal('movements in the log twice', doubledMovements, 0),
      equal('SKUs whose figure differs from the oracle', wrongFigures, 0),
      equal('orders acknowledged', ackedOrders.size, orders),
      equal('acknowledged orders lost', lostOrders, 0),
      equal('orders held by the hub', hubOrders.length, orders),
      equal('channel order numbers captured twice', doubledInHub, 0),
      equal('orders the ERP got more than one placing call for', doubledAtErp, 0),
      equal('orders never placed at the ERP', neverAtErp, 0),
      equal('ERP orders the hub does not know', unknownAtErp, 0),
      equal('graceful stop exit code', stopped, '0'),
      equal('replay --verify exit code', verify.status ?? -1, 0),
      info('traffic duration, s', trafficMs / 1000),
    ];
    return {
      name: `kill -9 and restart during ingest and order capture (${backend.name})`,
      setting: `${movements.toLocaleString('en-US')} movements in batches of ${BATCH} (3 clients), ${orders.toLocaleString('en-US')} orders (8 clients), ${kills} kills at random moments; seed ${o.seed}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
      figures: figuresOut,
    };
  } finally {
    if (hub.child.exitCode === null && hub.child.signalCode === null) await killHard(hub);
    await erp.close();
    await backend.close();
    home.remove();
  }

  /**
   * Right after a restart, per movement SKU: units acknowledged before the kill that the hub does
   * not show (`missing`), and units beyond every batch ever sent (`beyond`, a doubling). Batches
   * sent without an answer may or may not have landed: they count toward the upper bound only.
   */
  async function afterRestart(url: string, acked: Set<number>, sent: Set<number>, position: number): Promise<{ missing: number; beyond: number }> {
    const low = new Map<string, number>();
    for (const b of acked) addBatch(low, b, movements);
    const high = new Map<string, number>();
    for (const b of sent) addBatch(high, b, movements);
    const shown = await availability(
      url,
      'web',
      Array.from({ length: MOVEMENT_SKUS }, (_, k) => `M-${k}`),
      position,
    );
    let missing = 0;
    let beyond = 0;
    for (const [sku, n] of low) missing += Math.max(0, n - (shown.get(sku) ?? 0));
    for (const [sku, n] of shown) beyond += Math.max(0, n - (high.get(sku) ?? 0));
    return { missing, beyond };
  }
}

function addBatch(sums: Map<string, number>, b: number, movements: number): void {
  for (let i = b * BATCH; i < Math.min(movements, (b + 1) * BATCH); i++)
    sums.set(`M-${i % MOVEMENT_SKUS}`, (sums.get(`M-${i % MOVEMENT_SKUS}`) ?? 0) + 1 + (i % 3));
}

/** How often each event id appears in the hub's log (read from the start, as an auditor would). */
async function loggedEventIds(url: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let after = 0;
  for (;;) {
    const page = await call<{ events: { id?: string; event?: { id: string } }[]; next: number }>(url, 'GET', `/v1/events?after=${after}&limit=10000`);
    if (page.status !== 200) throw new Error(`reading the log answered ${page.status}`);
    if (page.body.events.length === 0) return seen;
    for (const e of page.body.events) {
      const id = e.id ?? e.event?.id;
      if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    after = page.body.next;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
}
