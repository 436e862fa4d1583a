/**
 * Scenario 4: buyers at once on a few scarce items, each order one to three lines of one to
 * three units, on a channel that rejects what it cannot fill. The oracle is the stock the
 * scenario put there and the answers the buyers got: per item, the units of accepted orders
 * never exceed the stock, the hub's availability is the stock less exactly those units, the
 * hub holds exactly the accepted orders, and the ERP got exactly those.
 */
import { ErpSimulator } from '../../sim/erp-simulator.js';
import {
  atMost,
  availability,
  call,
  equal,
  hubHome,
  info,
  killHard,
  listOrders,
  processBackend,
  seededRandom,
  scaled,
  settledAvailability,
  snapshot,
  startHubProcess,
  waitFor,
  type BackendName,
  type HubProcess,
  type ScenarioReport,
} from './support.js';

const ITEMS = 20;

/** On the scale-out backend the buyers are split over two processes sharing the stock. */
export async function scarceItemsScenario(o: { scale: number; seed: number; backend?: BackendName }): Promise<ScenarioReport> {
  const backend = processBackend(o.backend ?? 'embedded');
  const buyers = scaled(500, o.scale, 50);
  const random = seededRandom(o.seed + 4);
  const erp = new ErpSimulator();
  const erpUrl = await erp.start();
  const home = hubHome(`
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
  ATL: { name: Atlanta DC, authority: wms-atl }
channels:
  web: { locations: [DAL, ATL], onErpUnavailable: queue }
customers:
  C-1: { name: Acme Supply, active: true, creditHold: false }
erp: { url: '${erpUrl}', timeoutMs: 3000, retryBaseMs: 100, retryMaxMs: 1000 }
`);
  const started = Date.now();
  const hubs: HubProcess[] = [];
  try {
    hubs.push(await startHubProcess(home, backend.env));
    if (backend.name === 'scale-out') hubs.push(await startHubProcess(home, backend.env));
    const hub = hubs[0]!;
    // Scarce: a few units per item, split over two locations, against about three times as much demand.
    const stock = new Map<string, number>();
    const seed = [];
    for (let k = 0; k < ITEMS; k++) {
      const dal = Math.floor(random() * 15 * Math.max(o.scale, 0.2));
      const atl = Math.floor(random() * 15 * Math.max(o.scale, 0.2));
      stock.set(`S-${k}`, dal + atl);
      seed.push(snapshot({ id: `dal-${k}`, source: 'wms-dal', seq: k + 1, sku: `S-${k}`, location: 'DAL', onHand: dal }));
      seed.push(snapshot({ id: `atl-${k}`, source: 'wms-atl', seq: k + 1, sku: `S-${k}`, location: 'ATL', onHand: atl }));
    }
    const seeded = await call(hub.url, 'POST', '/v1/events', seed);
    if (seeded.status !== 200 || seeded.body.accepted !== seed.length) throw new Error(`seeding answered ${seeded.status}: ${JSON.stringify(seeded.body)}`);
    // Buyers come once every process shows the stock (at once on the embedded backend).
    for (const h of hubs) await availability(h.url, 'web', [...stock.keys()], seeded.body.position);

    const bodies = Array.from({ length: buyers }, (_, i) => {
      const lines = new Map<string, number>();
      const count = 1 + Math.floor(random() * 3);
      for (let l = 0; l < count; l++) lines.set(`S-${Math.floor(random() * ITEMS)}`, 1 + Math.floor(random() * 3));
      return { channel: 'web', externalId: `B-${i}`, customer: 'C-1', backorder: 'reject', lines: [...lines].map(([sku, qty]) => ({ sku, qty })) };
    });
    const answers = await Promise.all(bodies.map((b, i) => call(hubs[i % hubs.length]!.url, 'POST', '/v1/orders', b, { 'idempotency-key': `buy-${i}` })));

    const accepted = new Map<string, number>();
    const acceptedIds = new Set<string>();
    let refused = 0;
    const unexpected: string[] = [];
    answers.forEach((a, i) => {
      if (a.status === 201 || a.status === 202) {
        acceptedIds.add(a.body.id);
        for (const l of bodies[i]!.lines) accepted.set(l.sku, (accepted.get(l.sku) ?? 0) + l.qty);
      } else if (a.status === 409) refused++;
      else unexpected.push(`${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
    });
    const skus = [...stock.keys()];
    const shown = await settledAvailability(hub.url, 'web', new Map(skus.map((s) => [s, Math.max(0, stock.get(s)! - (accepted.get(s) ?? 0))])), 30_000);
    const oversold = skus.filter((s) => (accepted.get(s) ?? 0) > stock.get(s)!).length;
    const overBy = skus.reduce((n, s) => n + Math.max(0, (accepted.get(s) ?? 0) - stock.get(s)!), 0);
    const wrongReserved = skus.filter((s) => shown.get(s) !== Math.max(0, stock.get(s)! - (accepted.get(s) ?? 0))).length;
    const held = await listOrders(hub.url, 'web');
    await waitFor('accepted orders to reach the ERP', () => erp.placements.size >= acceptedIds.size, 60_000);
    const atErpNotAccepted = [...erp.placements.keys()].filter((ref) => !acceptedIds.has(ref)).length;
    const units = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return {
      name: `concurrent buyers on scarce items (${backend.name}${hubs.length > 1 ? `, ${hubs.length} processes` : ''})`,
      setting: `${buyers} buyers at once (one request each, 1-3 lines of 1-3 units) on ${ITEMS} items holding ${units(stock)} units over 2 locations, backorder: reject; seed ${o.seed}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
      figures: [
        info('orders accepted', acceptedIds.size),
        info('orders refused (409, not enough stock)', refused),
        equal('other answers', unexpected.length === 0 ? 0 : `${unexpected.length}: ${unexpected[0]}`, 0),
        equal('items with more units accepted than stock', oversold, 0),
        equal('units accepted beyond stock', overBy, 0),
        atMost(
          'units accepted',
          [...accepted.values()].reduce((a, b) => a + b, 0),
          units(stock),
        ),
        equal("items whose availability is not stock less accepted units (the hub's reserved figure)", wrongReserved, 0),
        equal('orders held by the hub', held.length, acceptedIds.size),
        equal('orders placed at the ERP', erp.placements.size, acceptedIds.size),
        equal('orders at the ERP that were refused to the buyer', atErpNotAccepted, 0),
        equal('orders the ERP got more than one placing call for', [...erp.placements.values()].filter((n) => n > 1).length, 0),
      ],
    };
  } finally {
    for (const hub of hubs) await killHard(hub);
    await erp.close();
    await backend.close();
    home.remove();
  }
}
