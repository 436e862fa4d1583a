/**
 * Order listings on PostgreSQL below the API: a schema from before listings gets created_at
 * filled from its stored orders by the migration, and each listing shape is answered through an
 * index in listing order (no sort, no scan of the whole table).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PgOrderStore } from '../src/adapters/postgres/pg-order-store.js';
import { freshSchema, postgresSkip, type TestSchema } from './support/pg-schema.js';

const skip = await postgresSkip();
let schema: TestSchema;

const state = (id: string, customer: string, createdAt: string) => ({
  id,
  channel: 'web',
  externalId: id,
  customer,
  createdAt,
  updatedAt: createdAt,
  erp: { state: 'committed' },
  shipments: [],
  lines: [],
});

before(async () => {
  if (skip) return;
  schema = await freshSchema('listing');
  const { pool } = schema.db;
  // As a schema stood before listings (and the exception queue's migration after them, which runs again
  // harmlessly): created_at unset on orders saved before it existed.
  await pool.query(`DROP INDEX orders_by_age, orders_by_channel, orders_by_customer, orders_by_status;
    ALTER TABLE orders ALTER COLUMN created_at DROP NOT NULL;
    DELETE FROM schema_migrations WHERE version >= (SELECT max(version) - 1 FROM schema_migrations)`);
  for (const o of [
    state('ord_1', 'C-1', '2026-12-02T10:00:00Z'),
    state('ord_2', 'C-2', '2026-12-02T11:00:00+02:00'),
    state('ord_3', 'C-1', '2026-12-02T10:00:00.500Z'),
  ]) {
    await pool.query(
      `INSERT INTO orders (id, channel, external_id, customer, status, erp_state, state) VALUES ($1, 'web', $1, $2, 'accepted', 'committed', $3::jsonb)`,
      [o.id, o.customer, JSON.stringify(o)],
    );
  }
  await schema.reopen();
});
after(async () => {
  if (!skip) await schema.drop();
});

test('a schema from before listings gets created_at from its stored orders', { skip }, async () => {
  const store = new PgOrderStore(schema.db);
  const ids = async (listing: Parameters<PgOrderStore['listOrders']>[0]) => (await store.listOrders(listing)).map((r) => r.order.id);
  assert.deepEqual(await ids({ limit: 10 }), ['ord_3', 'ord_1', 'ord_2'], 'newest first, offsets read as instants');
  assert.deepEqual(await ids({ customer: 'C-1', limit: 10 }), ['ord_3', 'ord_1']);
  assert.deepEqual(await ids({ since: '2026-12-02T10:00:00.100Z', limit: 10 }), ['ord_3']);
  assert.deepEqual(await ids({ before: { createdAt: '2026-12-02T10:00:00.500Z', id: 'ord_3' }, limit: 10 }), ['ord_1', 'ord_2']);
  const { rows } = await schema.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM orders WHERE created_at IS NULL');
  assert.equal(rows[0]!.n, '0');
});

test('each listing is answered through an index in listing order', { skip }, async () => {
  const client = await schema.db.pool.connect();
  try {
    // The table is tiny, so a scan would win on cost: forbid it to see which index the query can use.
    await client.query('SET enable_seqscan = off');
    const plan = async (where: string) =>
      (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT state FROM orders ${where} ORDER BY created_at DESC, id DESC LIMIT 5`)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    for (const [where, index] of [
      ['', 'orders_by_age'],
      ["WHERE customer = 'C-1'", 'orders_by_customer'],
      ["WHERE channel = 'web'", 'orders_by_channel'],
      ["WHERE status = 'accepted' AND (created_at, id) < ('2026-12-02T10:00:00.5Z'::timestamptz, 'ord_3')", 'orders_by_status'],
    ] as const) {
      const shown = await plan(where);
      assert.match(shown, new RegExp(`Index Scan Backward using ${index}`), shown);
      assert.doesNotMatch(shown, /Sort/, shown);
    }
  } finally {
    await client.query('RESET enable_seqscan').catch(() => {});
    client.release();
  }
});
