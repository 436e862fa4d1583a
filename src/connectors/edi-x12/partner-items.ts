/**
 * Which hub item each line of a partner's document names (850 PO1, 860 POC): the id under the
 * partner's `itemQualifier` is the SKU as is; otherwise its qualifiers are tried in the configured
 * order through the cross-references. A line naming none of them is an error; an id with a bad
 * check digit is an error; any other id not mapped is an unknown reference the document waits for.
 */
import type { Issue } from '../../domain/errors.js';
import { gtinProblem, type CrossReference, type XrefKey } from '../../domain/master-data/cross-reference.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';

/** How a partner's documents name its orders' customer and items. */
export interface PartnerMapping {
  /** Both absent for a partner that sends no purchase orders (a 3PL). */
  channel?: string;
  /** The hub customer of its orders, unless the ship-to store number (N1*ST) maps to one. */
  customer?: string;
  /** PO1 product id qualifier whose value is the hub's SKU as is (VN by default when no qualifiers translate). */
  itemQualifier?: string;
  /** PO1 product id qualifiers tried in this order through the cross-references. */
  itemQualifiers: readonly string[];
  backorder: 'reject' | 'allow';
}

/** A line's product id pairs as the partner wrote them, and where it stands (for errors). */
export interface NamedLine {
  products: [string, string][];
  where: string;
}

export interface IdentifiedItems<L extends NamedLine> {
  items: { line: L; sku: string; qualifier: string; productId: string }[];
  errors: Issue[];
  unknown: XrefKey[];
  /** What `also` resolved to, in one round trip with the items. */
  also: (CrossReference | undefined)[];
}

/** `elements` name the qualifier and id elements of the segment (PO106/PO107, POC08/POC09) in errors. */
export async function identifyItems<L extends NamedLine>(
  lines: readonly L[],
  m: PartnerMapping,
  system: string,
  references: ReferenceLookup,
  elements: { qualifier: string; id: string },
  also: readonly XrefKey[] = [],
): Promise<IdentifiedItems<L>> {
  const keys: XrefKey[] = lines.flatMap((l) =>
    l.products.filter(([q]) => m.itemQualifiers.includes(q)).map(([scheme, external]) => ({ kind: 'item' as const, system, scheme, external })),
  );
  const found = await references.resolve([...keys, ...also]);
  const mapped = new Map(found.slice(0, keys.length).flatMap((r) => (r ? [[`${r.scheme}\u0000${r.external}`, r.id] as const] : [])));
  const out: IdentifiedItems<L> = { items: [], errors: [], unknown: [], also: found.slice(keys.length) };
  for (const line of lines) {
    const asIs = m.itemQualifier ? line.products.find(([q]) => q === m.itemQualifier) : undefined;
    if (asIs) {
      out.items.push({ line, sku: asIs[1], qualifier: asIs[0], productId: asIs[1] });
      continue;
    }
    const hit = m.itemQualifiers
      .map((q) => line.products.find(([p]) => p === q))
      .map((p) => (p ? { product: p, sku: mapped.get(`${p[0]}\u0000${p[1]}`) } : undefined))
      .find((x) => x?.sku !== undefined);
    if (hit) {
      out.items.push({ line, sku: hit.sku!, qualifier: hit.product[0], productId: hit.product[1] });
      continue;
    }
    const tried = line.products.filter(([q]) => m.itemQualifiers.includes(q));
    if (tried.length === 0)
      out.errors.push({
        path: `${line.where}/${elements.qualifier}`,
        message: `no product id qualified ${[...(m.itemQualifier ? [m.itemQualifier] : []), ...m.itemQualifiers].join(' or ')}`,
      });
    for (const [scheme, external] of tried) {
      const problem = gtinProblem(scheme, external);
      if (problem) out.errors.push({ path: `${line.where}/${elements.id}`, message: problem });
      else out.unknown.push({ kind: 'item', system, scheme, external });
    }
  }
  return out;
}

/** A price per the partner's unit as a price per base unit; a price that is not a plain decimal is none. */
export function pricePerBaseUnit(price: string | undefined, factor: number): number | undefined {
  return price !== undefined && /^\d+(\.\d+)?$/.test(price) ? Number(price) / factor : undefined;
}
