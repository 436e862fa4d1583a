/**
 * What suppliers and 3PLs tell the hub about stock, read as the hub's inventory events: an 856
 * ship notice from a supplier is inbound supply at the receiving location with its ETA (the
 * location's authority makes it on hand when it counts the receipt), and an 846 inventory advice
 * from a 3PL is a snapshot of the location it runs.
 */
import type { Issue } from '../../domain/errors.js';
import type { HubEvent } from '../../model/hub-event.js';
import { toBaseUnits } from '../../domain/master-data/units-of-measure.js';
import type { Transaction } from './x12-interchange.js';

export interface StockContext {
  source: string;
  location: string;
  seq: number;
  at: string;
  /** The hub's SKU of an item line's qualifier/id pairs, or undefined when none is mapped. */
  skuOf: (ids: [string, string][]) => string | undefined;
  /** Base units in one `unit` of `sku`, or undefined when the item has no such unit. */
  unitSize: (sku: string, unit: string) => number | undefined;
}

/** A LIN's product ids: its qualifier/id pairs from LIN02. */
export function productIdsOfLin(s: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let k = 2; k + 1 < s.length; k += 2) if (s[k] && s[k + 1]) out.push([s[k]!, s[k + 1]!.trim()]);
  return out;
}

const iso = (ymd: string | undefined, hhmm?: string): string | undefined =>
  ymd && /^\d{8}$/.test(ymd)
    ? `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}T${hhmm && /^\d{4}/.test(hhmm) ? `${hhmm.slice(0, 2)}:${hhmm.slice(2, 4)}` : '00:00'}:00Z`
    : undefined;

/** Expected delivery (DTM 017), else the current scheduled (067) or requested (002) delivery. */
function etaOf(segments: readonly string[][]): string | undefined {
  for (const code of ['017', '067', '002']) {
    const d = segments.find((s) => s[0] === 'DTM' && s[1] === code);
    const at = iso(d?.[2], d?.[3]);
    if (at) return at;
  }
  return undefined;
}

function quantity(sku: string, raw: string, unit: string, c: StockContext, where: string, errors: Issue[]): number | undefined {
  const size = c.unitSize(sku, unit);
  if (size === undefined) {
    errors.push({ path: where, message: `item ${sku} has no unit ${unit}` });
    return undefined;
  }
  const converted = toBaseUnits(raw, unit, size);
  if (!converted.ok) {
    errors.push({ path: where, message: converted.message });
    return undefined;
  }
  return converted.units;
}

/** Every LIN of the set with the item ids it names (for the cross-references). */
export function linIds(tx: Transaction): [string, string][][] {
  return tx.segments.filter((s) => s[0] === 'LIN').map(productIdsOfLin);
}

/**
 * A supplier's 856: one inbound movement (delta.inbound, with the ETA) per item line (LIN with
 * its SN1 shipped quantity). The shipment id (BSN02) names the events, so the notice sent again
 * is a duplicate.
 */
export function supplyFrom856(tx: Transaction, c: StockContext): { ok: true; events: HubEvent[]; shipment: string } | { ok: false; errors: Issue[] } {
  const bsn = tx.segments.find((s) => s[0] === 'BSN');
  const shipment = bsn?.[2]?.trim() ?? '';
  const shippedAt = iso(bsn?.[3], bsn?.[4]) ?? c.at;
  const eta = etaOf(tx.segments);
  const errors: Issue[] = [];
  const lines: { sku: string; qty: number }[] = [];
  let item: { sku: string | undefined; where: string } | undefined;
  tx.segments.forEach((s, i) => {
    const where = `${s[0]} (segment ${i + 2})`;
    if (s[0] === 'LIN') {
      item = { sku: c.skuOf(productIdsOfLin(s)), where };
      if (!item.sku) errors.push({ path: `${where}/LIN03`, message: 'no product id the hub knows the item by' });
    } else if (s[0] === 'SN1' && item?.sku) {
      const qty = quantity(item.sku, s[2] ?? '', s[3] || 'EA', c, `${where}/SN102`, errors);
      if (qty !== undefined && qty > 0) lines.push({ sku: item.sku, qty });
      item = undefined;
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  if (lines.length === 0) return { ok: false, errors: [{ path: 'SN1', message: 'the notice ships nothing (no LIN with an SN1 quantity)' }] };
  const events: HubEvent[] = lines.map((l, i) => ({
    id: `${c.source}:856:${shipment}:${i}`,
    source: c.source,
    seq: c.seq + i,
    occurredAt: shippedAt,
    type: 'inventory.movement',
    sku: l.sku,
    location: c.location,
    reason: 'receipt',
    delta: { inbound: l.qty },
    ...(eta ? { eta } : {}),
    announced: true,
  }));
  return { ok: true, events, shipment };
}

/**
 * A 3PL's 846: a snapshot per item of the location it runs. QTY 17 (on hand) is the count; a
 * partner that sends only QTY 33 (available) has that counted as on hand. An item counted on
 * several LIN lines is the sum of its lots (each LIN naming its own lot, LT); any other repeat
 * (the item again, a second QTY 17 on one line) cannot be told from a line sent twice and
 * refuses the advice, naming the segment.
 */
export function snapshotFrom846(tx: Transaction, c: StockContext): { ok: true; events: HubEvent[] } | { ok: false; errors: Issue[] } {
  const bia = tx.segments.find((s) => s[0] === 'BIA');
  const reference = bia?.[3]?.trim() ?? '';
  const countedAt = iso(bia?.[4], bia?.[5]) ?? c.at;
  const errors: Issue[] = [];
  const counts = new Map<string, number>();
  /** Per item, the lots counted so far ('' for a line naming none) and the segment of its first line. */
  const lines = new Map<string, { lots: Set<string>; first: string }>();
  let item: { sku: string; onHand?: number; available?: number } | undefined;
  const close = () => {
    if (!item) return;
    const n = item.onHand ?? item.available;
    if (n !== undefined) counts.set(item.sku, (counts.get(item.sku) ?? 0) + n);
    item = undefined;
  };
  tx.segments.forEach((s, i) => {
    const where = `${s[0]} (segment ${i + 2})`;
    if (s[0] === 'LIN') {
      close();
      const ids = productIdsOfLin(s);
      const sku = c.skuOf(ids);
      if (!sku) {
        errors.push({ path: `${where}/LIN03`, message: 'no product id the hub knows the item by' });
        return;
      }
      const lot = ids.find(([q]) => q === 'LT')?.[1] ?? '';
      const seen = lines.get(sku);
      if (seen && (lot === '' || seen.lots.has('') || seen.lots.has(lot))) {
        errors.push({
          path: `${where}/LIN03`,
          message: `counts ${sku} again (first at ${seen.first})${lot === '' ? '' : ` under lot ${lot}`}: lines of one item add up only as lots, each LIN naming its own (LT)`,
        });
        return;
      }
      if (seen) seen.lots.add(lot);
      else lines.set(sku, { lots: new Set([lot]), first: where });
      item = { sku };
    } else if (s[0] === 'QTY' && item && (s[1] === '17' || s[1] === '33')) {
      const bucket = s[1] === '17' ? 'onHand' : 'available';
      if (item[bucket] !== undefined) {
        errors.push({ path: `${where}/QTY01`, message: `a second QTY ${s[1]} for ${item.sku} on one line: which one counts cannot be told` });
        return;
      }
      const qty = quantity(item.sku, s[2] ?? '', s[3] || 'EA', c, `${where}/QTY02`, errors);
      if (qty !== undefined && qty < 0) errors.push({ path: `${where}/QTY02`, message: `a count of ${qty} is below zero` });
      else if (qty !== undefined) item[bucket] = qty;
    }
  });
  close();
  if (errors.length > 0) return { ok: false, errors };
  if (counts.size === 0) return { ok: false, errors: [{ path: 'QTY', message: 'the advice counts nothing (no LIN with a QTY 17 or 33)' }] };
  const events: HubEvent[] = [...counts].map(([sku, onHand], i) => ({
    id: `${c.source}:846:${reference}:${sku}`,
    source: c.source,
    seq: c.seq + i,
    occurredAt: countedAt,
    type: 'inventory.snapshot',
    sku,
    location: c.location,
    balance: { onHand },
  }));
  return { ok: true, events };
}
