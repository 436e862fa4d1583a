/**
 * The embedded CrossReferenceStore: one row per cross-reference and per item's unit table, in the
 * hub's SQLite database. Look-ups are answered from memory once read: every row of a stock file
 * or line of an order is looked up, and a statement per key cost a 3PL's stock file a fifth to half of
 * its ingest rate (bench/xref-translation.ts). The hub process is the only writer of its database
 * (the CLI goes through the API), so forgetting a key whenever this store writes it keeps the
 * memory exact; the scale-out store has other writers and asks PostgreSQL every time.
 */
import type { Statement } from 'better-sqlite3';
import type { CrossReference, XrefKey, XrefKind } from '../../domain/master-data/cross-reference.js';
import type { UnitConversions } from '../../domain/master-data/units-of-measure.js';
import { crossReferenceOf as toRef, type CrossReferenceRow as Row } from '../cross-reference-row.js';
import type { CrossReferenceStore, ItemUnits, XrefFilter } from '../../ports/cross-reference-store.js';
import type { Db } from './open-database.js';
import { RememberedReferences } from './remembered-references.js';

/** Keys remembered at most (found or not); past it the oldest are forgotten first. */
export const REMEMBERED_KEYS = 200_000;

export class SqliteCrossReferenceStore implements CrossReferenceStore {
  /** What each key looked up resolved to (null: not mapped), frozen since callers share it. */
  private readonly remembered: RememberedReferences;
  private getOne: Statement | undefined;

  constructor(
    private readonly db: Db,
    limit = REMEMBERED_KEYS,
  ) {
    this.remembered = new RememberedReferences(limit);
  }

  upsert(refs: readonly CrossReference[]): void {
    const put = this.db.prepare(
      'INSERT INTO xrefs (kind, system, scheme, external, id, ship_to) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, system, scheme, external) DO UPDATE SET id = excluded.id, ship_to = excluded.ship_to',
    );
    try {
      this.db.transaction(() => {
        for (const r of refs) put.run(r.kind, r.system, r.scheme, r.external, r.id, r.shipTo ?? null);
      })();
    } finally {
      // Committed or rolled back, the next look-up of these keys reads the table.
      for (const r of refs) this.remembered.forget(r);
    }
  }

  resolve(keys: readonly XrefKey[]): (CrossReference | undefined)[] {
    return keys.map((k) => {
      const known = this.remembered.get(k);
      if (known !== undefined) return known ?? undefined;
      this.getOne ??= this.db.prepare('SELECT * FROM xrefs WHERE kind = ? AND system = ? AND scheme = ? AND external = ?');
      const row = this.getOne.get(k.kind, k.system, k.scheme, k.external) as Row | undefined;
      const ref = row ? toRef(row) : null;
      this.remembered.set(k, ref);
      return ref ?? undefined;
    });
  }

  forIds(kind: XrefKind, system: string, ids: readonly string[]): CrossReference[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM xrefs WHERE kind = ? AND system = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY scheme, external`)
      .all(kind, system, JSON.stringify(ids)) as Row[];
    return rows.map(toRef);
  }

  find(f: XrefFilter): CrossReference[] {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const field of ['kind', 'system', 'scheme', 'external', 'id'] as const) {
      if (f[field] === undefined) continue;
      where.push(`${field} = ?`);
      args.push(f[field]);
    }
    const sql = `SELECT * FROM xrefs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY kind, system, scheme, external LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit) as Row[]).map(toRef);
  }

  remove(k: XrefKey): boolean {
    try {
      return (
        this.db.prepare('DELETE FROM xrefs WHERE kind = ? AND system = ? AND scheme = ? AND external = ?').run(k.kind, k.system, k.scheme, k.external).changes >
        0
      );
    } finally {
      this.remembered.forget(k);
    }
  }

  saveUnits(sku: string, system: string, units: UnitConversions): void {
    this.db
      .prepare('INSERT INTO item_units (sku, system, units) VALUES (?, ?, ?) ON CONFLICT (sku, system) DO UPDATE SET units = excluded.units')
      .run(sku, system, JSON.stringify(units));
  }

  units(skus: readonly string[]): ItemUnits[] {
    const rows = this.db.prepare('SELECT sku, system, units FROM item_units WHERE sku IN (SELECT value FROM json_each(?))').all(JSON.stringify(skus)) as {
      sku: string;
      system: string;
      units: string;
    }[];
    return skus.map((sku) => {
      const own = rows.filter((r) => r.sku === sku);
      return {
        sku,
        units: JSON.parse(own.find((r) => r.system === '')?.units ?? '{}') as UnitConversions,
        bySystem: Object.fromEntries(own.filter((r) => r.system !== '').map((r) => [r.system, JSON.parse(r.units) as UnitConversions])),
      };
    });
  }
}
