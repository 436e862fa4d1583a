/** Cross-references and unit conversions on the scale-out backend: one row per reference and per item's unit table. */
import type { CrossReference, XrefKey, XrefKind } from '../../domain/master-data/cross-reference.js';
import type { UnitConversions } from '../../domain/master-data/units-of-measure.js';
import { crossReferenceOf as toRef, type CrossReferenceRow as Row } from '../cross-reference-row.js';
import type { CrossReferenceStore, ItemUnits, XrefFilter } from '../../ports/cross-reference-store.js';
import type { PgDatabase } from './pg-database.js';

const COLUMNS = ['kind', 'system', 'scheme', 'external', 'id', 'ship_to'] as const;

export class PgCrossReferenceStore implements CrossReferenceStore {
  constructor(private readonly db: PgDatabase) {}

  async upsert(refs: readonly CrossReference[]): Promise<void> {
    if (refs.length === 0) return;
    // The last of a key given twice wins, as in sequential upserts (one statement cannot touch a row twice).
    const byKey = new Map(refs.map((r) => [`${r.kind}\u0000${r.system}\u0000${r.scheme}\u0000${r.external}`, r]));
    const rows = [...byKey.values()];
    const cols = COLUMNS.map((c) => rows.map((r) => (c === 'ship_to' ? (r.shipTo ?? null) : r[c])));
    await this.db.pool.query(
      `INSERT INTO xrefs (kind, system, scheme, external, id, ship_to)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (kind, system, scheme, external) DO UPDATE SET id = EXCLUDED.id, ship_to = EXCLUDED.ship_to`,
      cols,
    );
  }

  async resolve(keys: readonly XrefKey[]): Promise<(CrossReference | undefined)[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.db.pool.query<Row>(
      `SELECT x.* FROM xrefs x JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(kind, system, scheme, external)
         USING (kind, system, scheme, external)`,
      [keys.map((k) => k.kind), keys.map((k) => k.system), keys.map((k) => k.scheme), keys.map((k) => k.external)],
    );
    const found = new Map(rows.map((r) => [`${r.kind}\u0000${r.system}\u0000${r.scheme}\u0000${r.external}`, toRef(r)]));
    return keys.map((k) => found.get(`${k.kind}\u0000${k.system}\u0000${k.scheme}\u0000${k.external}`));
  }

  async forIds(kind: XrefKind, system: string, ids: readonly string[]): Promise<CrossReference[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.pool.query<Row>('SELECT * FROM xrefs WHERE kind = $1 AND system = $2 AND id = ANY($3::text[]) ORDER BY scheme, external', [
      kind,
      system,
      ids,
    ]);
    return rows.map(toRef);
  }

  async find(f: XrefFilter): Promise<CrossReference[]> {
    const { rows } = await this.db.pool.query<Row>(
      `SELECT * FROM xrefs WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR system = $2) AND ($3::text IS NULL OR scheme = $3)
         AND ($4::text IS NULL OR external = $4) AND ($5::text IS NULL OR id = $5) ORDER BY kind, system, scheme, external LIMIT $6`,
      [f.kind ?? null, f.system ?? null, f.scheme ?? null, f.external ?? null, f.id ?? null, f.limit],
    );
    return rows.map(toRef);
  }

  async remove(k: XrefKey): Promise<boolean> {
    const { rowCount } = await this.db.pool.query('DELETE FROM xrefs WHERE kind = $1 AND system = $2 AND scheme = $3 AND external = $4', [
      k.kind,
      k.system,
      k.scheme,
      k.external,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async saveUnits(sku: string, system: string, units: UnitConversions): Promise<void> {
    await this.db.pool.query(
      'INSERT INTO item_units (sku, system, units) VALUES ($1, $2, $3::jsonb) ON CONFLICT (sku, system) DO UPDATE SET units = EXCLUDED.units',
      [sku, system, JSON.stringify(units)],
    );
  }

  async units(skus: readonly string[]): Promise<ItemUnits[]> {
    const { rows } = await this.db.pool.query<{ sku: string; system: string; units: UnitConversions }>(
      'SELECT sku, system, units FROM item_units WHERE sku = ANY($1::text[])',
      [skus],
    );
    return skus.map((sku) => {
      const own = rows.filter((r) => r.sku === sku);
      return {
        sku,
        units: own.find((r) => r.system === '')?.units ?? {},
        bySystem: Object.fromEntries(own.filter((r) => r.system !== '').map((r) => [r.system, r.units])),
      };
    });
  }
}
