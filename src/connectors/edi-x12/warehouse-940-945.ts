/**
 * Working with a 3PL over X12: the 940 warehouse shipping order the hub sends when an order is
 * released to the 3PL's location, and the 945 warehouse shipping advice it sends back, read as
 * the hub's order.shipped event plus a ship movement (the 3PL is the location's authority, so its
 * advice is also the stock leaving).
 */
import type { Issue } from '../../domain/errors.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { Transaction } from './x12-interchange.js';
import { toBaseUnits } from '../../domain/master-data/units-of-measure.js';

export interface FulfilmentRequest {
  orderId: string;
  externalId: string;
  customer: string;
  location: string;
  /** The 3PL's own code of the location, when the cross-references give one. */
  warehouse?: string;
  lines: { sku: string; qty: number; ids?: Record<string, string> }[];
}

/** 940 segments for one fulfilment request; `name` gives each item's qualifier and id as the 3PL knows it. */
export function shippingOrder940(
  r: FulfilmentRequest,
  at: Date,
  name: (l: { sku: string; ids?: Record<string, string> }) => [string, string] = (l) => ['VN', l.sku],
): string[][] {
  const ymd = at.toISOString().slice(0, 10).replace(/-/g, '');
  const out: string[][] = [
    ['W05', 'N', r.orderId, r.externalId],
    ['N1', 'ST', r.customer],
    ...(r.warehouse ? [['N1', 'WH', '', '92', r.warehouse]] : []),
    ['G62', '10', ymd],
  ];
  for (const [i, l] of r.lines.entries()) out.push(['LX', String(i + 1)], ['W01', String(l.qty), 'EA', '', ...name(l)]);
  out.push(['W76', String(r.lines.reduce((n, l) => n + l.qty, 0))]);
  return out;
}

export interface AdviceContext {
  source: string;
  location: string;
  interchange: string;
  seq: number;
  at: string;
  /** The hub's SKU of a W12 line (its qualifier/id pairs and W1206 UPC): VN as is unless told otherwise. */
  skuOf?: (w12: string[]) => string | undefined;
  /** Base units in one `unit` of `sku` (W1205), or undefined when the item has no such unit; EA is 1 unless told otherwise. */
  unitSize?: (sku: string, unit: string) => number | undefined;
}

/** A W12's product ids: W1206 (UPC) as UP, then its qualifier/id pairs from W1207. */
export function productIdsOfW12(s: string[]): [string, string][] {
  const out: [string, string][] = s[6] ? [['UP', s[6]]] : [];
  for (let k = 7; k + 1 < s.length; k += 2) if (s[k] && s[k + 1]) out.push([s[k]!, s[k + 1]!]);
  return out;
}

const vnAsIs = (s: string[]) => productIdsOfW12(s).find(([q]) => q === 'VN')?.[1];

/** The events a 945 stands for, or what is wrong with it. */
export function eventsFrom945(tx: Transaction, c: AdviceContext): { ok: true; events: HubEvent[]; orderId: string } | { ok: false; errors: Issue[] } {
  const w06 = tx.segments.find((s) => s[0] === 'W06');
  const orderId = w06?.[2]?.trim();
  if (!orderId) return { ok: false, errors: [{ path: 'W06/W0602', message: 'the depositor order number (the hub order id) is missing' }] };
  const shippedOn = w06?.[3];
  const occurredAt = shippedOn && /^\d{8}$/.test(shippedOn) ? `${shippedOn.slice(0, 4)}-${shippedOn.slice(4, 6)}-${shippedOn.slice(6, 8)}T00:00:00Z` : c.at;
  const tracking = tx.segments.find((s) => (s[0] === 'N9' || s[0] === 'REF') && (s[1] === 'BM' || s[1] === 'CN'))?.[2];
  const carrier = tx.segments.find((s) => s[0] === 'W27')?.[2];
  const lines: { sku: string; qty: number }[] = [];
  const errors: Issue[] = [];
  tx.segments.forEach((s, i) => {
    if (s[0] !== 'W12') return;
    const sku = (c.skuOf ?? vnAsIs)(s);
    const unit = s[5] || 'EA';
    const size = sku ? (c.unitSize ? c.unitSize(sku, unit) : unit === 'EA' ? 1 : undefined) : undefined;
    const converted = size === undefined ? undefined : toBaseUnits(s[3] ?? '', unit, size);
    if (!sku) errors.push({ path: `W12 (segment ${i + 2})`, message: 'no product id the hub knows the item by (VN, or one of the qualifiers configured)' });
    else if (size === undefined) errors.push({ path: `W12 (segment ${i + 2})/W1205`, message: `item ${sku} has no unit ${unit}` });
    else if (!converted!.ok) errors.push({ path: `W12 (segment ${i + 2})/W1203`, message: `shipped quantity: ${converted!.message}` });
    else if (converted!.units > 0) lines.push({ sku, qty: converted!.units });
  });
  if (errors.length > 0) return { ok: false, errors };
  if (lines.length === 0) return { ok: false, errors: [{ path: 'W12', message: 'nothing shipped' }] };
  const base = { source: c.source, occurredAt };
  // The 3PL's shipment id (W0604) names the shipment however often it is re-sent, in whatever
  // envelope (a VAN or the 3PL re-transmitting gives it a new interchange number): the same
  // shipment is then a duplicate, not a second shipment of the order. Without one, the envelope names it.
  const shipment = w06?.[4]?.trim();
  const id = shipment ? `${c.source}:945:shipment:${shipment}` : `${c.source}:945:${c.interchange}:${tx.control}`;
  const events: HubEvent[] = [
    ...lines.map((l, i) => ({
      ...base,
      id: `${id}:m${i}`,
      seq: c.seq + i,
      type: 'inventory.movement' as const,
      sku: l.sku,
      location: c.location,
      reason: 'ship' as const,
      delta: { onHand: -l.qty },
      orderId,
    })),
    {
      ...base,
      id,
      seq: c.seq + lines.length,
      type: 'order.shipped',
      orderId,
      location: c.location,
      lines,
      ...(tracking ? { tracking: { number: tracking, ...(carrier ? { carrier } : {}) } } : {}),
    },
  ];
  return { ok: true, events, orderId };
}
