/**
 * Scenario 2: every inbound message sent one to three times and 30% of them moved to a random
 * place in the stream: WMS movements and counts (snapshots) from two warehouses, and storefront
 * orders (a repeat under the same Idempotency-Key, or a channel retry under a new key). The
 * oracle replays the generated history in order, once: per location and item the last count
 * plus the movements after it, less what the distinct orders reserve. The hub must end there,
 * hold each order once and have placed each at the ERP once.
 */
import { ErpSimulator } from '../../sim/erp-simulator.js';
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
  shuffle,
  snapshot,
  startHubProcess,
  waitFor,
  type HubProcess,
  type ScenarioReport,
} from './support.js';

const LOCATIONS = [
  { location: 'DAL', source: 'wms-dal', channel: 'dal' },
  { location: 'ATL', source: 'wms-atl', channel: 'atl' },
];
const ORDER_SKUS = 20;
const ORDER_STOCK = 100_000;

/** `gen`: the message's place in the generated history. */
type Message = { gen: number } & ({ kind: 'events'; events: object[] } | { kind: 'order'; index: number; key: string });

export async function duplicatesReorderedScenario(o: { scale: number; seed: number }): Promise<ScenarioReport> {
  const eventCount = scaled(40_000, o.scale, 1000);
  const orderCount = scaled(1000, o.scale, 50);
  const skuCount = scaled(500, o.scale, 20);
  const random = seededRandom(o.seed + 2);
  const erp = new ErpSimulator();
  const erpUrl = await erp.start();
  const home = hubHome(`
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
  ATL: { name: Atlanta DC, authority: wms-atl }
channels:
  dal: { locations: [DAL] }
  atl: { locations: [ATL] }
  web: { locations: [DAL], onErpUnavailable: queue }
customers:
  C-1: { name: Acme Supply, active: true, creditHold: false }
erp: { url: '${erpUrl}', timeoutMs: 3000, retryBaseMs: 100, retryMaxMs: 1000 }
`);
  const started = Date.now();
  let hub: HubProcess | undefined;
  try {
    hub = await startHubProcess(home);
    const seed = Array.from({ length: ORDER_SKUS }, (_, k) =>
      snapshot({ id: `seed-${k}`, source: 'wms-dal', seq: 1 + k, sku: `E-${k}`, location: 'DAL', onHand: ORDER_STOCK }),
    );
    if ((await call(hub.url, 'POST', '/v1/events', seed)).status !== 200) throw new Error('seeding the order stock failed');

    // The history, in order: per source increasing seqs; one event in ten a count.
    const history: { loc: (typeof LOCATIONS)[number]; sku: string; seq: number; snapshot: boolean; qty: number; event: object }[] = [];
    const seqs = new Map(LOCATIONS.map((l) => [l.source, ORDER_SKUS + 1]));
    for (let i = 0; i < eventCount; i++) {
      const loc = LOCATIONS[Math.floor(random() * LOCATIONS.length)]!;
      const sku = `D-${Math.floor(random() * skuCount)}`;
      const seq = seqs.get(loc.source)! + 1;
      seqs.set(loc.source, seq);
      const isCount = random() < 0.1;
      const qty = isCount ? Math.floor(random() * 200) : Math.floor(random() * 25) - 8;
      const id = `${loc.source}-${seq}`;
      const event = isCount
        ? snapshot({ id, source: loc.source, seq, sku, location: loc.location, onHand: qty })
        : movement({ id, source: loc.source, seq, sku, location: loc.location, onHand: qty === 0 ? 1 : qty });
      history.push({ loc, sku, seq, snapshot: isCount, qty: isCount || qty !== 0 ? qty : 1, event });
    }
    const orderOf = (i: number) => ({ channel: 'web', externalId: `R-${i}`, customer: 'C-1', lines: [{ sku: `E-${i % ORDER_SKUS}`, qty: 1 + (i % 4) }] });

    // Deliveries: each message one to three times; 30% moved to a random place; sent in requests of up to 20 events.
    const messages: Message[] = [];
    history.forEach((h, gen) => {
      for (let c = 1 + Math.floor(random() * 3); c > 0; c--) messages.push({ gen, kind: 'events', events: [h.event] });
    });
    for (let i = 0; i < orderCount; i++) {
      const gen = (i + 0.5) * (eventCount / orderCount);
      for (let c = 1 + Math.floor(random() * 3); c > 0; c--)
        messages.push({ gen, kind: 'order', index: i, key: c === 1 || random() < 0.67 ? `rk-${i}` : `retry-${i}-${c}` });
    }
    // 70% stay in generated order; the other 30% are put back at random places.
    const moved: Message[] = [];
    const inPlace: Message[] = [];
    for (const m of messages) (random() < 0.3 ? moved : inPlace).push(m);
    inPlace.sort((a, b) => a.gen - b.gen);
    const stream = interleave(inPlace, shuffle(moved, random), random);
    const copies = stream.length;

    const requests: Message[][] = [];
    let current: Message[] = [];
    for (const m of stream) {
      if (m.kind === 'order') {
        requests.push([m]);
        continue;
      }
      current.push(m);
      if (current.length === 20) {
        requests.push(current);
        current = [];
      }
    }
    if (current.length > 0) requests.push(current);

    const target = hub.url;
    let accepted = 0;
    let duplicates = 0;
    const unexpected: string[] = [];
    const answeredIds = new Map<number, Set<string>>();
    let next = 0;
    const sender = async () => {
      for (;;) {
        const r = requests[next++];
        if (!r) return;
        if (r[0]!.kind === 'order') {
          const m = r[0] as Extract<Message, { kind: 'order' }>;
          for (;;) {
            const a = await call(target, 'POST', '/v1/orders', orderOf(m.index), { 'idempotency-key': m.key });
            if (a.status === 201 || a.status === 202 || a.status === 200) {
              if (!answeredIds.has(m.index)) answeredIds.set(m.index, new Set());
              answeredIds.get(m.index)!.add(a.body.id);
              break;
            }
            // 409 while the first attempt under the key still runs, or the channel order number is taken: the answer names the order.
            if (a.status === 409 && a.body.orderId) break;
            if (a.status === 409) continue;
            unexpected.push(`${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
            break;
          }
        } else {
          const a = await call(
            target,
            'POST',
            '/v1/events',
            r.map((m) => (m as Extract<Message, { kind: 'events' }>).events[0]),
          );
          if (a.status !== 200) unexpected.push(`${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
          else {
            accepted += a.body.accepted;
            duplicates += a.body.duplicates;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, sender));

    // The oracle: the history applied once, in order.
    const onHand = new Map<string, number>();
    for (const h of history) {
      const k = `${h.loc.channel}\u0000${h.sku}`;
      onHand.set(k, h.snapshot ? h.qty : (onHand.get(k) ?? 0) + h.qty);
    }
    let wrong = 0;
    let firstWrong = '';
    for (const loc of LOCATIONS) {
      const skus = Array.from({ length: skuCount }, (_, k) => `D-${k}`);
      const shown = await availability(hub.url, loc.channel, skus);
      for (const sku of skus) {
        const expected = Math.max(0, onHand.get(`${loc.channel}\u0000${sku}`) ?? 0);
        if ((shown.get(sku) ?? 0) !== expected) {
          wrong++;
          firstWrong ||= `${loc.location} ${sku}: ${shown.get(sku)} vs ${expected}`;
        }
      }
    }
    const reservedOracle = new Map<string, number>();
    for (let i = 0; i < orderCount; i++) reservedOracle.set(`E-${i % ORDER_SKUS}`, (reservedOracle.get(`E-${i % ORDER_SKUS}`) ?? 0) + 1 + (i % 4));
    const shownE = await availability(hub.url, 'web', [...reservedOracle.keys()]);
    const wrongReserved = [...reservedOracle].filter(([sku, n]) => shownE.get(sku) !== ORDER_STOCK - n).length;
    const held = await listOrders(hub.url, 'web');
    await waitFor('every order to reach the ERP', () => erp.placements.size >= held.length, 60_000);
    const distinctExternal = new Set(held.map((h) => h.externalId)).size;
    const answeredTwoIds = [...answeredIds.values()].filter((s) => s.size > 1).length;
    return {
      name: 'every message 1-3 times, 30% reordered',
      setting: `${eventCount.toLocaleString('en-US')} WMS events (10% counts) over 2 locations × ${skuCount} items and ${orderCount} orders, sent as ${copies.toLocaleString('en-US')} copies (6 clients); seed ${o.seed}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
      figures: [
        equal('answers other than 2xx/409', unexpected.length === 0 ? 0 : `${unexpected.length}: ${unexpected[0]}`, 0),
        equal('events accepted', accepted, history.length),
        equal('copies answered as duplicates', duplicates, copies - orderMessages(stream) - history.length),
        equal('location × item figures differing from the oracle', wrong === 0 ? 0 : `${wrong} (${firstWrong})`, 0),
        equal('order items whose reserved figure differs from the oracle', wrongReserved, 0),
        equal('orders held by the hub', held.length, orderCount),
        equal('channel order numbers held twice', held.length - distinctExternal, 0),
        equal('orders answered with two different ids', answeredTwoIds, 0),
        equal('orders placed at the ERP', erp.placements.size, orderCount),
        equal('orders the ERP got more than one placing call for', [...erp.placements.values()].filter((n) => n > 1).length, 0),
        info('messages out of place', moved.length),
      ],
    };
  } finally {
    if (hub) await killHard(hub);
    await erp.close();
    home.remove();
  }
}

/** `ordered` with each of `extra` at a random place (one pass: each gap gets its share at random). */
function interleave<T>(ordered: T[], extra: T[], random: () => number): T[] {
  const out: T[] = [];
  let j = 0;
  const share = extra.length / (ordered.length + 1);
  for (const m of ordered) {
    while (j < extra.length && random() < share / (1 + share)) out.push(extra[j++]!);
    out.push(m);
  }
  while (j < extra.length) out.push(extra[j++]!);
  return out;
}

function orderMessages(stream: Message[]): number {
  return stream.filter((m) => m.kind === 'order').length;
}
