/**
 * Order capture on the scale-out backend: one api process of the real `crossdock` command with
 * 1 or 2 worker processes, against the local PostgreSQL and NATS, the ERP simulator over loopback
 * HTTP in this process. The same 3-line orders as the embedded benchmark (10% of requests retry an
 * answered key, each checked), 50 connections. Beside it, pgbench runs the statements one capture
 * makes (key claim, customer, the reservation transaction with the order, the ERP answer, the
 * stored answer) one order per transaction at 32 clients.
 */
import { randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import { openPostgres } from '../src/adapters/postgres/pg-database.js';
import { StockPosition } from '../src/domain/inventory/stock-position.js';
import { ErpSimulator } from '../sim/erp-simulator.js';
import { burst, captureLoad, type Check } from './orders.js';
import { HOT_UNITS, ORDER_SKUS, SPREAD_ITEMS, sku } from './servers.js';
import { BENCH_NETWORK, DATABASE_URL, KEY, NATS_URL, chunk, startCluster } from './scale-out.js';
import { fmt, writeSection } from './support.js';
import { feedChangesSql, itemsStateSql, runPgbench } from './pgbench.js';
import { reachable } from '../test/support/reachable.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);

type Burst = Awaited<ReturnType<typeof burst>>;

interface OrderRun {
  result: autocannon.Result;
  check: Check;
  erpOrders: number;
  hot?: Burst;
  spread?: Burst;
}

const newCheck = (): Check => ({ retries: 0, mismatched: 0, firstAnswers: new Map(), unexpected: new Map() });

async function hubRun(workers: number, withHotItem: boolean): Promise<OrderRun> {
  const erp = new ErpSimulator();
  const erpUrl = await erp.start();
  const cluster = await startCluster(
    [
      ...BENCH_NETWORK,
      '  web: { locations: [DAL, ATL] }',
      'customers:',
      '  C-1: { name: Bench Buyer, active: true, creditHold: false }',
      `erp: { url: '${erpUrl}', timeoutMs: 3000 }`,
    ],
    workers,
  );
  const { api, log } = cluster;
  const run = randomBytes(4).toString('hex');
  try {
    const stock = [];
    let seq = 0;
    for (let i = 0; i < ORDER_SKUS; i++) {
      for (const [source, location] of [
        ['wms-dal', 'DAL'],
        ['wms-atl', 'ATL'],
      ] as const) {
        stock.push({
          id: `${source}-${++seq}`,
          type: 'inventory.snapshot',
          source,
          seq,
          occurredAt: '2026-11-22T10:00:00Z',
          sku: sku(i),
          location,
          balance: { onHand: 1_000_000 },
        });
      }
    }
    if (withHotItem) {
      stock.push({
        id: `wms-dal-${++seq}`,
        type: 'inventory.snapshot',
        source: 'wms-dal',
        seq,
        occurredAt: '2026-11-22T10:00:00Z',
        sku: 'HOT-1',
        location: 'DAL',
        balance: { onHand: HOT_UNITS },
      });
      for (let i = 0; i < SPREAD_ITEMS; i++)
        stock.push({
          id: `wms-dal-${++seq}`,
          type: 'inventory.snapshot',
          source: 'wms-dal',
          seq,
          occurredAt: '2026-11-22T10:00:00Z',
          sku: `ONE-${i}`,
          location: 'DAL',
          balance: { onHand: 1 },
        });
    }
    for (const batch of chunk(stock, 1000)) {
      const res = await fetch(`${api.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (res.status !== 200) throw new Error(`stocking answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    while ((await log.pending('apply')) > 0) await new Promise((r) => setTimeout(r, 20));
    await captureLoad(api.url, 2, `warm-${run}`, newCheck());
    const check = newCheck();
    const before = erp.orders.size;
    const result = await captureLoad(api.url, DURATION, `run-${run}`, check);
    const erpOrders = erp.orders.size - before;
    if (!withHotItem) return { result, check, erpOrders };
    const spread = await burst(api.url, false, `spread-${run}`);
    const hot = await burst(api.url, true, `hot-${run}`);
    return { result, check, erpOrders, hot, spread };
  } finally {
    await cluster.close();
    await erp.close();
  }
}

/** pgbench running one capture's statements (3 lines, 3 channels), one order per transaction, at 32 clients. */
async function pgbench(): Promise<number> {
  const namespace = `bench_pg_${randomBytes(4).toString('hex')}`;
  const db = await openPostgres(DATABASE_URL, namespace);
  const state = JSON.stringify(new StockPosition('wms-dal', 'SKU-00001', 'DAL').toJSON());
  await db.pool.query(
    `INSERT INTO stock_positions (source, sku, location, state)
    SELECT src, 'SKU-' || lpad(g::text, 5, '0'), loc, $1::jsonb FROM generate_series(0, ${ORDER_SKUS - 1}) g, (VALUES ('wms-dal', 'DAL'), ('wms-atl', 'ATL')) AS l(src, loc)`,
    [state],
  );
  await db.pool.query(`INSERT INTO customers (id, record) VALUES ('C-1', '{"id":"C-1","name":"Bench Buyer","active":true,"creditHold":false}')`);
  await db.pool.end();
  const skus = `(SELECT 'SKU-' || lpad(((:base + g * 3331) % ${ORDER_SKUS})::text, 5, '0') AS sku, g FROM generate_series(0, 2) g)`;
  const order = `'{"id":"ord-' || :base || '","channel":"web","lines":[{"sku":"SKU-1","qty":1,"alloc":[["DAL",1]]},{"sku":"SKU-2","qty":2,"alloc":[["DAL",2]]},{"sku":"SKU-3","qty":3,"alloc":[["DAL",3]]}]}'`;
  // Ordinals 1..3 for the feed statement shared with the workers.
  const changes = feedChangesSql(`(SELECT sku, g + 1 AS g FROM ${skus} x)`, 3);
  const itemsState = itemsStateSql(skus);
  const script = `\\set base random(1, 1000000000)
INSERT INTO idempotency_keys (key, fingerprint, claimed_until) VALUES ('k-' || :base, 'f', now() + interval '33 seconds') ON CONFLICT (key) DO NOTHING RETURNING key;
SELECT record FROM customers WHERE id = 'C-1';
BEGIN;
SELECT id FROM catalog_lock WHERE id = 1 FOR SHARE;
INSERT INTO order_refs (channel, external_id, order_id) VALUES ('web', 'e-' || :base, 'ord-' || :base) ON CONFLICT DO NOTHING RETURNING channel;
INSERT INTO items (sku) SELECT sku FROM ${skus} s ORDER BY sku ON CONFLICT DO NOTHING;
SELECT sku FROM items WHERE sku IN (SELECT sku FROM ${skus} s) ORDER BY sku FOR UPDATE;
${itemsState}
INSERT INTO stock_holds (order_id, sku, location, units) SELECT 'ord-' || :base, sku, 'DAL', g + 1 FROM ${skus} s ON CONFLICT (order_id, sku, location) DO UPDATE SET units = stock_holds.units + EXCLUDED.units;
INSERT INTO reserved_stock (sku, location, units) SELECT sku, 'DAL', g + 1 FROM ${skus} s ON CONFLICT (sku, location) DO UPDATE SET units = reserved_stock.units + EXCLUDED.units;
INSERT INTO log_outbox (kind, key, body) VALUES ('holds', 'SKU-1', '{"holds":[]}') RETURNING id;
${changes}
INSERT INTO orders (id, channel, external_id, customer, status, erp_state, erp_due, erp_lease_until, state, created_at) VALUES ('ord-' || :base, 'web', 'e-' || :base, 'C-1', 'pending_erp', 'pending', now(), now() + interval '33 seconds', (${order})::jsonb, now()) ON CONFLICT (id) DO NOTHING;
INSERT INTO order_timeline (order_id, record) VALUES ('ord-' || :base, '{"step":"captured","status":"pending_erp"}');
UPDATE idempotency_keys SET order_id = 'ord-' || :base WHERE key = 'k-' || :base;
COMMIT;
BEGIN;
SELECT id FROM catalog_lock WHERE id = 1 FOR SHARE;
SELECT state FROM orders WHERE id = 'ord-' || :base FOR UPDATE;
UPDATE orders SET status = 'accepted', erp_state = 'committed', erp_due = NULL, erp_lease_until = NULL, state = (${order})::jsonb WHERE id = 'ord-' || :base;
INSERT INTO order_timeline (order_id, record) VALUES ('ord-' || :base, '{"step":"erp.committed","status":"accepted"}');
COMMIT;
UPDATE idempotency_keys SET status_code = 201, response = '{"id":"x","status":"accepted","lines":[]}', claimed_until = NULL WHERE key = 'k-' || :base;
`;
  return runPgbench(DATABASE_URL, namespace, script);
}

export async function benchScaleOutOrders(): Promise<void> {
  if (!(await reachable(DATABASE_URL, 5432)) || !(await reachable(NATS_URL, 4222))) {
    console.log(`scale-out order benchmark skipped: it needs PostgreSQL at ${DATABASE_URL} and NATS at ${NATS_URL} (set DATABASE_URL / NATS_URL)`);
    return;
  }
  const one = await hubRun(1, true);
  const pg1 = await pgbench();
  const two = await hubRun(2, false);
  const pg2 = await pgbench();
  const pg = (pg1 + pg2) / 2;
  const row = (label: string, r: OrderRun) =>
    `| ${label} | ${fmt(r.result.requests.average)} | ${r.result.latency.p50} | ${r.result.latency.p99} | ${fmt(pg)} | ${fmt(r.result.requests.average / pg, 2)} |`;
  const checks = [one, two].map(
    (r) =>
      `${fmt(r.check.retries)} retries checked, ${r.check.mismatched} answered with another order, other answers than 201: ${[...r.check.unexpected].map(([s, c]) => `${c} × ${s}`).join(', ') || 'none'}; ${fmt(r.check.firstAnswers.size)} orders answered 201, ${fmt(r.erpOrders)} ERP orders placed during the run (requests still in flight when the load stops are placed but not counted as answered)`,
  );
  const lines = [
    '## Scale-out order capture (PostgreSQL + NATS JetStream)',
    '',
    `3-line orders for 10,000 items × 2 locations, 3 channels, through one api process of the real command with 1 or 2 worker processes; the ERP simulator over loopback HTTP in the benchmark's process; autocannon with 50 connections for ${DURATION} s after a 2 s warm-up; 10% of requests repeat an answered Idempotency-Key. Each order: key claimed, reservation and order committed in PostgreSQL, ERP answer recorded, answer stored, before the reply.`,
    '',
    "| what | orders/s | p50 ms | p99 ms | baseline: pgbench, one capture's SQL per transaction, 32 clients (orders/s) | ratio |",
    '|---|---:|---:|---:|---:|---:|',
    row('captures, 1 worker', one),
    row('captures, 2 workers', two),
    '',
    `1 worker: ${checks[0]}. 2 workers: ${checks[1]}.`,
    '',
    '| hot item (1 worker) | orders | accepted | refused (409) | other | orders/s |',
    '|---|---:|---:|---:|---:|---:|',
    `| ${fmt(SPREAD_ITEMS)} concurrent one-unit orders for the last ${fmt(HOT_UNITS)} units of one item | ${fmt(SPREAD_ITEMS)} | ${fmt(one.hot!.accepted)} | ${fmt(one.hot!.refused)} | ${one.hot!.other} | ${fmt(SPREAD_ITEMS / one.hot!.seconds)} |`,
    `| the same load spread over ${fmt(SPREAD_ITEMS)} items | ${fmt(SPREAD_ITEMS)} | ${fmt(one.spread!.accepted)} | ${fmt(one.spread!.refused)} | ${one.spread!.other} | ${fmt(SPREAD_ITEMS / one.spread!.seconds)} |`,
    '',
    `Hot item throughput / spread: ${fmt(one.spread!.seconds / one.hot!.seconds, 2)} (captures that arrive together take the item's lock once per batch).`,
    '',
    `pgbench: the mean of two runs beside the hub runs. Captures that arrive together share one reservation transaction in the hub, which pgbench's one-order transactions do not; the hub's own CPU (HTTP, validation, sourcing, the read model following the log) shares the two cores with PostgreSQL, nats-server, the workers and autocannon. Target: ≥ 70% of pgbench.`,
  ];
  console.log(lines.join('\n'));
  writeSection('scale-out-orders', lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await benchScaleOutOrders();
