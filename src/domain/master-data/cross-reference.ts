/**
 * Cross-references: the hub's canonical id of an item, customer or location against the ids other
 * systems use for it, each under a scheme (an X12 qualifier such as BP, UP, CB; a storefront's
 * variant_id; a marketplace's seller_sku). One (kind, system, scheme, external) names one canonical
 * id; a canonical id may have many external ids. Pure rules: validation, GTIN check digits, keys.
 */
import type { Issue } from '../errors.js';

export const XREF_KINDS = ['item', 'customer', 'location'] as const;
export type XrefKind = (typeof XREF_KINDS)[number];

/** What names one external id: the system, which of its identifiers, and the value. */
export interface XrefKey {
  kind: XrefKind;
  system: string;
  scheme: string;
  external: string;
}

export interface CrossReference extends XrefKey {
  /** The hub's own id: a SKU, a customer id or a location id. */
  id: string;
  /** For a customer reached through a ship-to (a partner's store number): which of its ship-to addresses. */
  shipTo?: string;
}

/** Schemes whose values are GTINs (UPC-A, EAN-13, GTIN-14, EAN-8): their check digit is verified. */
const GTIN_SCHEMES = new Set(['UP', 'UA', 'UK', 'UN', 'EN', 'EO', 'UI', 'gtin', 'upc', 'ean']);

export function isGtinScheme(scheme: string): boolean {
  return GTIN_SCHEMES.has(scheme);
}

/** True when `code` is 8, 12, 13 or 14 digits whose last is the GS1 check digit of the others. */
export function hasValidCheckDigit(code: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(code)) return false;
  let sum = 0;
  // Weights 3,1,3,... from the digit next to the check digit, leftwards.
  for (let i = code.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += Number(code[i]) * w;
  return (10 - (sum % 10)) % 10 === Number(code[code.length - 1]);
}

/** Why a GTIN-scheme value is not one, or undefined when it is (or the scheme is no GTIN). */
export function gtinProblem(scheme: string, value: string): string | undefined {
  if (!isGtinScheme(scheme)) return undefined;
  if (!/^(\d{8}|\d{12,14})$/.test(value)) return `'${value}' is not a GTIN (${scheme} takes 8, 12, 13 or 14 digits)`;
  if (!hasValidCheckDigit(value)) return `'${value}' has a wrong check digit for a ${scheme} GTIN`;
  return undefined;
}

const hasControlCharacter = (v: string) => [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** The problems of one cross-reference as given (paths relative to it), or none. */
export function crossReferenceIssues(x: Partial<Record<keyof CrossReference, unknown>>): Issue[] {
  const issues: Issue[] = [];
  if (!XREF_KINDS.includes(x.kind as XrefKind)) issues.push({ path: '/kind', message: `must be one of ${XREF_KINDS.join(', ')}` });
  for (const field of ['system', 'scheme', 'external', 'id'] as const) {
    const v = x[field];
    if (typeof v !== 'string' || v.trim() === '') issues.push({ path: `/${field}`, message: 'must be a non-empty string' });
    else if (v.length > 200) issues.push({ path: `/${field}`, message: 'must be at most 200 characters' });
    else if (hasControlCharacter(v) || v !== v.trim()) issues.push({ path: `/${field}`, message: 'must have no control characters nor surrounding spaces' });
  }
  if (x.shipTo !== undefined && (typeof x.shipTo !== 'string' || x.shipTo === '' || x.shipTo.length > 200))
    issues.push({ path: '/shipTo', message: 'must be a non-empty string of at most 200 characters' });
  if (x.shipTo !== undefined && x.kind !== 'customer') issues.push({ path: '/shipTo', message: 'only a customer has ship-to addresses' });
  if (issues.length === 0 && x.kind === 'item') {
    const problem = gtinProblem(x.scheme as string, x.external as string);
    if (problem) issues.push({ path: '/external', message: problem });
  }
  return issues;
}

/** One string per key, for maps and sets. */
export function xrefKey(k: XrefKey): string {
  return JSON.stringify([k.kind, k.system, k.scheme, k.external]);
}

/**
 * How a parked document's reason says that it waits for cross-references (its unknown references
 * are then the cause, not hints), as every connector words it.
 */
export const WAITS_FOR_REFERENCES = 'waits for cross-references';

/** Whether a parked document is kept for want of the references it names. */
export function waitsForReferences(p: { reason: string; unknownReferences?: readonly XrefKey[] }): boolean {
  return (p.unknownReferences?.length ?? 0) > 0 && p.reason.includes(WAITS_FOR_REFERENCES);
}

/** "system acme, scheme BP, id 0042" as a person reads it in a parked document's reason. */
export function describeReferences(refs: readonly XrefKey[]): string {
  return refs.map((r) => `${r.kind} ${r.external} (system ${r.system}, scheme ${r.scheme})`).join(', ');
}

/** The partner's id of an item under the first of `schemes` it has one for, else the hub's SKU under `fallback`. */
export function partnerItemId(line: { sku: string; ids?: Record<string, string> }, schemes: readonly string[], fallback: string): [string, string] {
  for (const s of schemes) {
    const id = line.ids?.[s];
    if (id) return [s, id];
  }
  return [fallback, line.sku];
}
