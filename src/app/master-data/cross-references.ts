/**
 * Cross-references and units as the hub uses them, on either backend: defining them (each one
 * validated on its own, the good ones saved together), looking them up both ways for the
 * connectors, and, as soon as a mapping is added, taking again every inbound document parked
 * for want of it, oldest first.
 */
import { crossReferenceIssues, xrefKey, type CrossReference, type XrefKey, type XrefKind } from '../../domain/master-data/cross-reference.js';
import { unitConversionIssues, type UnitConversions } from '../../domain/master-data/units-of-measure.js';
import { InvalidInputError, type Issue } from '../../domain/errors.js';
import type { CrossReferenceStore, XrefFilter } from '../../ports/cross-reference-store.js';
import type { InboundStore } from '../../ports/inbound-store.js';
import type { PackingOf, ReferenceLookup } from '../../ports/reference-lookup.js';

export interface CrossReferenceDeps {
  store: CrossReferenceStore;
  /** The item's base unit (its uom; EA for an item the catalogue does not define). */
  baseUnit: (sku: string) => string;
  /** Where documents wait for references; absent on a hub that parks none. */
  inbound?: InboundStore;
  /** Takes a parked document again; true when it is parked no longer. */
  replay?: (parkedId: number) => Promise<boolean>;
}

export interface DefineResult {
  upserted: number;
  replayed: number;
  rejected: { index: number; errors: Issue[] }[];
}

const PAGE = 500;

/** An item's own unit conversions and its partners' packings, as the item routes show them. */
export interface ItemUnitTables {
  units?: UnitConversions;
  partnerUnits?: Record<string, UnitConversions>;
}

export class CrossReferences implements ReferenceLookup {
  // One replay pass at a time in this process: two mappings added together release a document once.
  private replays: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CrossReferenceDeps) {}

  /** Upserts each valid reference (the rest are rejected by index), then replays what they release. */
  async define(inputs: readonly unknown[]): Promise<DefineResult> {
    const rejected: DefineResult['rejected'] = [];
    const good: CrossReference[] = [];
    inputs.forEach((raw, index) => {
      const x = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const withDefault = { ...x, scheme: x.scheme ?? 'id' };
      const unknownFields = Object.keys(x).filter((k) => !['kind', 'system', 'scheme', 'external', 'id', 'shipTo'].includes(k));
      const errors = [
        ...crossReferenceIssues(withDefault),
        ...unknownFields.map((k) => ({ path: `/${k}`, message: 'is not a field of a cross-reference' })),
      ].map((e) => ({ path: `/${index}${e.path}`, message: e.message }));
      if (errors.length > 0) rejected.push({ index, errors });
      else good.push(withDefault as unknown as CrossReference);
    });
    if (good.length > 0) await this.deps.store.upsert(good);
    const replayed = good.length > 0 ? await this.replayWaitingFor(good) : 0;
    return { upserted: good.length, replayed, rejected };
  }

  find(filter: XrefFilter): Promise<CrossReference[]> | CrossReference[] {
    return this.deps.store.find(filter);
  }

  async remove(key: XrefKey): Promise<boolean> {
    return this.deps.store.remove(key);
  }

  /** Throws InvalidInputError naming each bad unit of an item whose base unit is `base`. */
  checkUnits(base: string, units: Record<string, unknown> | undefined, bySystem: Record<string, Record<string, unknown>> = {}): void {
    const issues = [
      ...unitConversionIssues(units ?? {}, base).map((i) => ({ path: `/units${i.path}`, message: i.message })),
      ...Object.entries(bySystem).flatMap(([system, table]) =>
        unitConversionIssues(table, base).map((i) => ({ path: `/partnerUnits/${system}${i.path}`, message: i.message })),
      ),
    ];
    if (issues.length > 0) throw new InvalidInputError(issues, 'A unit conversion is not valid.');
  }

  /** Sets an item's own unit conversions and, per system, a partner's. Throws InvalidInputError naming the unit. */
  async defineUnits(sku: string, units: Record<string, unknown> | undefined, bySystem: Record<string, Record<string, unknown>> = {}): Promise<void> {
    this.checkUnits(this.deps.baseUnit(sku), units, bySystem);
    if (units) await this.deps.store.saveUnits(sku, '', units as UnitConversions);
    for (const [system, table] of Object.entries(bySystem)) await this.deps.store.saveUnits(sku, system, table as UnitConversions);
  }

  /** An item's unit tables as the item routes show them (absent when it has none). */
  async unitsOf(sku: string): Promise<ItemUnitTables> {
    return (await this.unitsOfMany([sku])).get(sku) ?? {};
  }

  /** The unit tables of many items in one read (a page of the item list); items without any are absent. */
  async unitsOfMany(skus: readonly string[]): Promise<Map<string, ItemUnitTables>> {
    const out = new Map<string, ItemUnitTables>();
    if (skus.length === 0) return out;
    for (const t of await this.deps.store.units([...new Set(skus)]))
      out.set(t.sku, {
        ...(Object.keys(t.units).length > 0 ? { units: t.units } : {}),
        ...(Object.keys(t.bySystem).length > 0 ? { partnerUnits: t.bySystem } : {}),
      });
    return out;
  }

  async resolve(keys: readonly XrefKey[]): Promise<(CrossReference | undefined)[]> {
    return this.deps.store.resolve(keys);
  }

  async externalIds(kind: XrefKind, system: string, ids: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    for (const r of await this.deps.store.forIds(kind, system, [...new Set(ids)])) {
      const byScheme = out.get(r.id) ?? {};
      byScheme[r.scheme] ??= r.external;
      out.set(r.id, byScheme);
    }
    return out;
  }

  async packing(system: string, skus: readonly string[]): Promise<Map<string, PackingOf>> {
    const tables = await this.deps.store.units([...new Set(skus)]);
    return new Map(tables.map((t) => [t.sku, { base: this.deps.baseUnit(t.sku), item: t.units, partner: t.bySystem[system] ?? {} }]));
  }

  /** Replays, oldest first, every parked document waiting for one of `refs`; resolves with how many were released. */
  private replayWaitingFor(refs: readonly XrefKey[]): Promise<number> {
    const { inbound, replay } = this.deps;
    if (!inbound || !replay) return Promise.resolve(0);
    const added = new Set(refs.map(xrefKey));
    const run = this.replays.then(async () => {
      let released = 0;
      for (let after = 0; ; ) {
        const page = await inbound.parked({ status: 'parked', afterId: after, limit: PAGE });
        for (const p of page) {
          if (!(p.unknownReferences ?? []).some((r) => added.has(xrefKey(r)))) continue;
          // One document that cannot be taken now (its system gone, replayed meanwhile elsewhere) stays parked; the others go on.
          if (await replay(p.id).catch(() => false)) released++;
        }
        if (page.length < PAGE) return released;
        after = page[page.length - 1]!.id;
      }
    });
    this.replays = run.catch(() => undefined);
    return run;
  }
}
