/**
 * pgbench as the baseline for the scale-out benchmarks: it runs the statements the hub's own
 * transactions run, at 32 clients, in a schema of their own; and the statements both the workers
 * and the captures share, written once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema } from '../src/adapters/postgres/pg-database.js';

/** Runs `script` for 10 s at 32 clients in `namespace` (dropped afterwards); answers transactions/s. */
export async function runPgbench(databaseUrl: string, namespace: string, script: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-pgbench-'));
  const file = join(dir, 'script.sql');
  writeFileSync(file, script);
  try {
    const url = new URL(databaseUrl);
    const r = spawnSync(
      'pgbench',
      [
        '-n',
        '-c',
        '32',
        '-j',
        '2',
        '-T',
        '10',
        '-f',
        file,
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        url.username || 'postgres',
        url.pathname.slice(1) || 'test',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PGOPTIONS: `-c search_path=${namespace}` },
      },
    );
    const m = /tps = ([\d.]+)/.exec(r.stdout);
    if (!m) throw new Error(`pgbench failed: ${r.stderr || r.stdout}`);
    return Number(m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(databaseUrl, namespace);
  }
}

/** The one statement that loads the catalogue and a set of items' positions, figures and holds (`skus`: a subquery with a `sku` column). */
export function itemsStateSql(skus: string): string {
  return `SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name, 'authority', authority)), '[]') FROM locations),
 (SELECT coalesce(jsonb_agg(rule ORDER BY id), '[]') FROM channels),
 (SELECT coalesce(jsonb_agg(state), '[]') FROM stock_positions WHERE sku IN (SELECT sku FROM ${skus} s)),
 (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', channel, 'sku', sku, 'available', available)), '[]') FROM channel_figures WHERE sku IN (SELECT sku FROM ${skus} s)),
 (SELECT coalesce(jsonb_agg(jsonb_build_object('sku', sku, 'location', location, 'units', units)), '[]') FROM reserved_stock WHERE sku IN (SELECT sku FROM ${skus} s) AND units <> 0);`;
}

/**
 * The one statement that records figure changes on the three channels: figures, cursors and feed
 * rows (`skus`: a subquery with `sku` and a 1-based ordinal `g`; `n` rows per channel).
 */
export function feedChangesSql(skus: string, n: number): string {
  return `WITH input AS (SELECT ch AS channel, ${n} AS n, :base::bigint AS position, now() AS at FROM unnest(ARRAY['amazon', 'b2b', 'web']) ch),
 figures AS (INSERT INTO channel_figures (channel, sku, available) SELECT i.channel, s.sku, s.g FROM input i, ${skus} s ON CONFLICT (channel, sku) DO UPDATE SET available = EXCLUDED.available),
 cursors AS (INSERT INTO channel_cursors (channel, last) SELECT channel, n FROM input ORDER BY channel ON CONFLICT (channel) DO UPDATE SET last = channel_cursors.last + EXCLUDED.last RETURNING channel, last)
INSERT INTO channel_changes (channel, cursor, sku, available, previous, position, at) SELECT i.channel, c.last - i.n + s.g, s.sku, s.g, s.g - 1, i.position, i.at FROM input i JOIN cursors c USING (channel), ${skus} s;`;
}
