/** A cross-reference as both backends' tables hold it (one row, the ship-to nullable), and back to the domain's shape. */
import type { CrossReference, XrefKind } from '../domain/master-data/cross-reference.js';

export interface CrossReferenceRow {
  kind: XrefKind;
  system: string;
  scheme: string;
  external: string;
  id: string;
  ship_to: string | null;
}

export const crossReferenceOf = (r: CrossReferenceRow): CrossReference => ({
  kind: r.kind,
  system: r.system,
  scheme: r.scheme,
  external: r.external,
  id: r.id,
  ...(r.ship_to !== null ? { shipTo: r.ship_to } : {}),
});
