/**
 * Scenario 3: while stock moves and orders are captured and released, each outside system goes
 * down in turn through its simulator's fault injection (the storefront, the marketplace, the
 * warehouse's WMS, the ERP), then the ERP turns slow (answers later than the hub waits, after
 * storing the order: the hard case). The oracle is the traffic: the hub's figures are the
 * movements less the orders; once the queues drain, the storefront and the marketplace show
 * exactly those figures, the WMS holds a task for every released order, the ERP one order per hub
 * order from one placing call, and no message is dead. Circuits: each destination's opened
 * during its own outage, never outside it, and all are closed at the end.
 */
import { ErpSimulator } from '../../sim/erp-simulator.js';
import { MarketplaceSimulator } from '../../sim/marketplace-simulator.js';
import { StorefrontSimulator } from '../../sim/storefront-simulator.js';
import { WmsSimulator } from '../../sim/wms-simulator.js';
import {
  availability,
  call,
  equal,
  hubHome,
  info,
  killHard,
  listOrders,
  movement,
  seededRandom,
  scaled,
  sleep,
  snapshot,
  startHubProcess,
  waitFor,
  type Figure,
  type HubProcess,
  type ScenarioReport,
} from './support.js';

const ITEMS = 40;
const START_STOCK = 100_000;
const DESTINATIONS = ['shop', 'amazon', 'wms-dal'] as const;

export async function simulatorOutagesScenario(o: { scale: number; seed: number }): Promise<ScenarioReport> {
  const outageMs = scaled(30_000, o.scale, 1500);
  const openSeconds = o.scale >= 0.5 ? 5 : 1;
  const erpTimeoutMs = 1000;
  const random = seededRandom(o.seed + 3);
  const erp = new ErpSimulator();
  const store = new StorefrontSimulator();
  const market = new MarketplaceSimulator();
  market.faults = { ...market.faults, ratePerSecond: 20, burst: 20 };
  const wms = new WmsSimulator({ source: 'wms-dal', location: 'DAL', shipAfterMs: 60_000 });
  const [erpUrl, storeUrl, marketUrl, wmsUrl] = await Promise.all([erp.start(), store.start(), market.start(), wms.start()]);
  const delivery = `circuitBreaker: { failures: 3, openSeconds: ${openSeconds} }, retry: { maxAttempts: 1000, baseMs: 100, maxMs: ${openSeconds * 1000} }`;
  const home = hubHome(`
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
channels:
  web: { locations: [DAL], onErpUnavailable: queue }
  amazon: { locations: [DAL] }
customers:
  C-1: { name: Acme Supply, active: true, creditHold: false }
erp: { url: '${erpUrl}', timeoutMs: ${erpTimeoutMs}, retryBaseMs: 200, retryMaxMs: 1000 }
systems:
  shop: { type: shopify, channel: web, webhookSecretEnv: CHAOS_SHOP_SECRET, customer: C-1, adminUrl: '${storeUrl}', locationId: '${store.locationId}', rateLimit: { perSecond: 2, burst: 40 }, ${delivery} }
  amazon: { type: amazon-listings, url: '${marketUrl}', channel: amazon, sellerId: A2CHAOS, marketplaceId: ATVPDKIKX0DER, rateLimit: { perSecond: 20, burst: 20 }, ${delivery} }
  wms-dal: { type: webhook, url: '${wmsUrl}', ${delivery} }
`);
  const started = Date.now();
  let hub: HubProcess | undefined;
  try {
    hub = await startHubProcess(home, { CHAOS_SHOP_SECRET: 'chaos-shop-secret' });
    const url = hub.url;
    const seedStock = Array.from({ length: ITEMS }, (_, k) =>
      snapshot({ id: `seed-${k}`, source: 'wms-dal', seq: k + 1, sku: `T-${k}`, location: 'DAL', onHand: START_STOCK }),
    );
    if ((await call(url, 'POST', '/v1/events', seedStock)).status !== 200) throw new Error('seeding stock failed');

    const stock = new Map(seedStock.map((e) => [e.sku, START_STOCK]));
    const released = new Set<string>();
    const captured: string[] = [];
    const unexpected: string[] = [];
    let seq = ITEMS;
    let releaseSeq = 0;
    let orderCount = 0;
    let stop = false;

    const movements = async () => {
      while (!stop) {
        const events = Array.from({ length: 10 }, () => {
          seq++;
          return movement({
            id: `t-${seq}`,
            source: 'wms-dal',
            seq,
            sku: `T-${Math.floor(random() * ITEMS)}`,
            location: 'DAL',
            onHand: Math.floor(random() * 11) - 5 || 1,
          });
        });
        const a = await call(url, 'POST', '/v1/events', events);
        if (a.status === 200) for (const e of events) stock.set(e.sku, stock.get(e.sku)! + e.delta.onHand);
        else unexpected.push(`movements: ${a.status}`);
        await sleep(100);
      }
    };
    const orders = async () => {
      while (!stop) {
        const i = orderCount++;
        const body = { channel: 'web', externalId: `T-${i}`, customer: 'C-1', lines: [{ sku: `T-${i % ITEMS}`, qty: 1 + (i % 2) }] };
        const a = await call(url, 'POST', '/v1/orders', body, { 'idempotency-key': `to-${i}` });
        if (a.status === 201 || a.status === 202) {
          captured.push(a.body.id);
          stock.set(body.lines[0]!.sku, stock.get(body.lines[0]!.sku)! - body.lines[0]!.qty);
        } else unexpected.push(`order: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
        await sleep(150);
      }
    };
    // The ERP releases what was captured a moment ago (a release of an order still waiting for the ERP waits with it).
    const releaseRound = async () => {
      const batch = captured.splice(0, captured.length);
      if (batch.length === 0) return;
      const events = batch.map((orderId) => ({
        id: `rel-${orderId}`,
        type: 'order.released',
        source: 'erp',
        seq: ++releaseSeq,
        occurredAt: new Date().toISOString(),
        orderId,
      }));
      const a = await call(url, 'POST', '/v1/events', events);
      if (a.status === 200) for (const id of batch) released.add(id);
      else unexpected.push(`release: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
    };
    const releases = async () => {
      while (!stop) {
        await releaseRound();
        await sleep(300);
      }
    };

    // Circuits as GET /v1/deliveries shows them, sampled; ERP backlog as the order listing shows it.
    const samples: { at: number; circuits: Map<string, string> }[] = [];
    let maxPendingErp = 0;
    const watch = async () => {
      while (!stop) {
        const d = await call(url, 'GET', '/v1/deliveries');
        samples.push({
          at: Date.now(),
          circuits: new Map((d.body.destinations as { destination: string; circuit: string }[]).map((x) => [x.destination, x.circuit])),
        });
        await sleep(200);
      }
    };
    const watchErp = async () => {
      while (!stop) {
        const pending = await call(url, 'GET', '/v1/orders?channel=web&status=pending_erp&limit=500');
        maxPendingErp = Math.max(maxPendingErp, pending.body.orders?.length ?? 0);
        await sleep(500);
      }
    };

    const windows: { what: string; destination?: string; from: number; to: number }[] = [];
    const outage = async (what: string, set: (on: boolean) => void, destination?: string) => {
      const from = Date.now();
      set(true);
      await sleep(outageMs);
      set(false);
      windows.push({ what, ...(destination ? { destination } : {}), from, to: Date.now() });
      // Room for the circuit to try again and close before the next system goes down.
      await sleep(openSeconds * 1000 + (o.scale >= 0.5 ? 2000 : 1000));
    };
    const traffic = [movements(), orders(), releases(), watch(), watchErp()];
    await sleep(1000);
    await outage('storefront down', (on) => (store.faults.outage = on), 'shop');
    await outage('marketplace down', (on) => (market.faults.outage = on), 'amazon');
    await outage('WMS down', (on) => (wms.faults.outage = on), 'wms-dal');
    await outage('ERP down', (on) => (erp.faults.outage = on));
    await outage('ERP slow', (on) => (erp.faults.latencyMs = on ? erpTimeoutMs + 500 : 0));
    stop = true;
    await Promise.all(traffic);
    await releaseRound();

    // Drain: the ERP queue, then every destination's figures and tasks.
    const drainStarted = Date.now();
    let held = await listOrders(url, 'web');
    await waitFor(
      'the ERP queue to drain',
      async () => {
        held = await listOrders(url, 'web');
        return held.every((h) => h.status !== 'pending_erp');
      },
      120_000,
      500,
    );
    const skus = [...stock.keys()];
    const hubWeb = await availability(url, 'web', skus);
    const hubAmazon = await availability(url, 'amazon', skus);
    const differs = (shown: (sku: string) => number | undefined, hub: Map<string, number>) => skus.filter((s) => shown(s) !== hub.get(s)).length;
    await waitFor(
      'the storefront, the marketplace and the WMS to catch up',
      () =>
        differs((s) => store.availableOf(s), hubWeb) === 0 &&
        differs((s) => market.quantities.get(s), hubAmazon) === 0 &&
        [...released].every((id) => wms.tasks.has(id)),
      120_000,
      200,
    );
    const drainMs = Date.now() - drainStarted;
    const finalCircuits = (await call(url, 'GET', '/v1/deliveries')).body.destinations as { destination: string; circuit: string }[];
    const dead = (await call(url, 'GET', '/v1/dead-letters?status=dead&limit=1000')).body.deadLetters.length;

    const circuitFigures: Figure[] = [];
    const slack = openSeconds * 1000 + 2000;
    for (const d of DESTINATIONS) {
      const own = windows.find((w) => w.destination === d)!;
      const openedInOwn = samples.some((s) => s.at >= own.from && s.at <= own.to + slack && s.circuits.get(d) === 'open');
      const openedElsewhere = samples.filter((s) => (s.at < own.from || s.at > own.to + slack) && s.circuits.get(d) === 'open').length;
      circuitFigures.push(equal(`${d}: circuit opened during its outage`, openedInOwn ? 'yes' : 'no', 'yes'));
      circuitFigures.push(equal(`${d}: samples with the circuit open outside its outage`, openedElsewhere, 0));
    }
    const hubIds = new Set(held.map((h) => h.id));
    const wrongHub = skus.filter((s) => hubWeb.get(s) !== stock.get(s)).length;
    return {
      name: 'each outside system down in turn, then the ERP slow',
      setting: `storefront, marketplace, WMS and ERP each down ${outageMs / 1000} s in turn (simulator fault injection), then the ERP ${erpTimeoutMs + 500} ms slow against a ${erpTimeoutMs} ms timeout, for ${outageMs / 1000} s; circuits open after 3 failures for ${openSeconds} s; movements, orders and releases throughout; ${((Date.now() - started) / 1000).toFixed(0)} s`,
      figures: [
        equal('answers other than 2xx', unexpected.length === 0 ? 0 : `${unexpected.length}: ${unexpected[0]}`, 0),
        info('orders captured', held.length),
        info('orders released', released.size),
        info('orders waiting for the ERP at most', maxPendingErp),
        equal('orders still waiting for the ERP after the drain', held.filter((h) => h.status === 'pending_erp').length, 0),
        equal('items whose hub figure differs from movements less orders', wrongHub, 0),
        equal(
          'items whose storefront quantity differs from the hub',
          differs((s) => store.availableOf(s), hubWeb),
          0,
        ),
        equal(
          'items whose marketplace quantity differs from the hub',
          differs((s) => market.quantities.get(s), hubAmazon),
          0,
        ),
        equal('released orders without a WMS task', [...released].filter((id) => !wms.tasks.has(id)).length, 0),
        equal('WMS tasks for orders never released', [...wms.tasks.keys()].filter((id) => !released.has(id)).length, 0),
        equal('hub orders never placed at the ERP', held.filter((h) => !erp.placements.has(h.id)).length, 0),
        equal('orders the ERP got more than one placing call for', [...erp.placements.values()].filter((n) => n > 1).length, 0),
        equal('ERP orders the hub does not know', [...erp.placements.keys()].filter((r) => !hubIds.has(r)).length, 0),
        equal('dead letters', dead, 0),
        ...circuitFigures,
        equal('circuits not closed at the end', finalCircuits.filter((c) => c.circuit !== 'closed').length, 0),
        info('drain after the last fault, s', drainMs / 1000),
      ],
    };
  } finally {
    if (hub) await killHard(hub);
    await Promise.all([erp.close(), store.close(), market.close(), wms.close()]);
    home.remove();
  }
}
