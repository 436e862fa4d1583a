/**
 * Working with a 3PL over X12: the 940 warehouse shipping order the hub sends when an order is
 * released to the 3PL's location, and the 945 warehouse shipping advice it sends back, read as
 * the hub's order.shipped event plus a ship movement (the 3PL is the location's authority, so its
 * advice is also the stock leaving).
 */
import type { Issue } from '../../domain/errors.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { Transaction } from './x12-interchange.js';

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
}

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
    const qty = Number(s[3]);
    let sku: string | undefined;
    // W1206 is the UPC; qualifier/id pairs start at W1207.
    for (let k = 7; k + 1 < s.length; k += 2)
      if (s[k] === 'VN' && s[k + 1]) {
        sku = s[k + 1];
        break;
      }
    if (!sku) errors.push({ path: `W12 (segment ${i + 2})`, message: 'no product id qualified VN' });
    else if (!Number.isInteger(qty) || qty < 0)
      errors.push({ path: `W12 (segment ${i + 2})/W1203`, message: `shipped quantity '${s[3] ?? ''}' is not a whole number` });
    else if (qty > 0) lines.push({ sku, qty });
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
