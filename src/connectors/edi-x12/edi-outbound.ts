/**
 * Documents the hub sends a trading partner, as a Destination of the delivery engine: shipment
 * confirmations of its orders become 856 ship notices, invoices 810s, availability changes of its
 * channel one 846 inventory advice per batch, and (for a 3PL running one of the hub's locations)
 * fulfilment requests 940 warehouse shipping orders. Each batch is one interchange file in the
 * partner's out/ folder, with durable, increasing control numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlNumbers } from '../../ports/control-numbers.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import { checkSegments, writeInterchange, X12ValueError, type Party } from './x12-interchange.js';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import { shippingOrder940, type FulfilmentRequest } from './warehouse-940-945.js';
import { trackingParts } from '../../domain/orders/tracking.js';
import { partnerItemId } from '../../domain/master-data/cross-reference.js';
import { inPartnerUnit, pricePer, type PartnerOrderLine } from '../../domain/orders/partner-order-lines.js';

export interface EdiOutboundOptions {
  id: string;
  folder: string;
  us: Party;
  partner: Party;
  usage: 'P' | 'T';
  controls: ControlNumbers;
  /** Qualifiers to name items under, first the partner has an id for (the hub's SKU under VN otherwise). */
  itemQualifiers?: readonly string[];
  /** The qualifier the hub's own SKU goes under when the partner has none of its ids for an item (its itemQualifier; VN). */
  skuQualifier?: string;
  now: () => number;
}

/**
 * A line as the delivery engine hands it over: the hub's SKU and, where known, the partner's ids
 * of it, and the partner's own line of the order (`asOrdered`, when it sent the order by 850).
 */
type PartnerLine = { sku: string; qty: number; ids?: Record<string, string>; asOrdered?: PartnerOrderLine };
type Naming = (line: { sku: string; ids?: Record<string, string> }) => [string, string];

interface Shipped {
  orderId: string;
  externalId: string;
  location: string;
  lines: PartnerLine[];
  tracking?: unknown;
  shippedAt: string;
}
interface Invoiced {
  orderId: string;
  externalId: string;
  invoiceNumber: string | null;
  invoicedAt: string;
  lines: (PartnerLine & { unitPrice: number | null })[];
}
interface Availability {
  sku: string;
  available: number;
  ids?: Record<string, string>;
  /** The unit the figure is in (a channel selling cases), else the base unit. */
  unit?: string;
}

const ymd = (iso: string) => iso.slice(0, 10).replace(/-/g, '');
const hm = (iso: string) => iso.slice(11, 16).replace(':', '');
/** HHMMSS, the time a shipment left (856 BSN04 and DTM03 take seconds). */
const hms = (iso: string) =>
  /T(\d\d):(\d\d)(?::(\d\d))?/
    .exec(iso)
    ?.slice(1)
    .map((x) => x ?? '00')
    .join('') ?? '000000';

export class EdiOutbound implements Destination {
  readonly maxBatch = 200;
  readonly id: string;

  constructor(private readonly o: EdiOutboundOptions) {
    this.id = o.id;
    mkdirSync(join(o.folder, 'out'), { recursive: true });
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    const groups: { functionalId: string; set: string; transactions: string[][][]; documents: string[] }[] = [];
    const add = (functionalId: string, set: string, segments: string[][], document: string) => {
      let g = groups.find((x) => x.set === set);
      if (!g) {
        g = { functionalId, set, transactions: [], documents: [] };
        groups.push(g);
      }
      g.transactions.push(segments);
      g.documents.push(document);
    };
    const advice: Availability[] = [];
    const name: Naming = (l) => partnerItemId(l, this.o.itemQualifiers ?? [], this.o.skuQualifier ?? 'VN');
    for (const m of messages) {
      if (m.topic === 'shipment.confirmed') {
        const s = m.payload as Shipped;
        add('SH', '856', shipNotice(s, m.idempotencyKey, name), `shipment of order ${s.orderId} (PO ${s.externalId})`);
      } else if (m.topic === 'order.invoiced') {
        const i = m.payload as Invoiced;
        add('IN', '810', invoice(i, name), `invoice ${i.invoiceNumber ?? i.orderId} of order ${i.orderId} (PO ${i.externalId})`);
      } else if (m.topic === 'availability.changed') advice.push(m.payload as Availability);
      else if (m.topic === 'fulfilment.request') {
        const f = m.payload as FulfilmentRequest;
        add('OW', '940', shippingOrder940(f, new Date(this.o.now()), name), `shipping order for order ${f.orderId}`);
      }
      // Other topics addressed to the partner's channel have no X12 document here; they are not the partner's business.
    }
    if (advice.length > 0) add('IB', '846', inventoryAdvice(advice, new Date(this.o.now()).toISOString(), name), `inventory advice of ${advice.length} items`);
    if (groups.length === 0) return;
    try {
      for (const g of groups) for (const segments of g.transactions) checkSegments(g.set, segments);
    } catch (err) {
      // Not retryable: the engine narrows the batch down to the message carrying the value and
      // dead-letters it with this reason; nothing is numbered or written for it.
      if (err instanceof X12ValueError) throw new DeliveryFailedError(this.id, err.message, false);
      throw err;
    }
    const numbers = await this.o.controls.allocate(
      this.o.id,
      groups.map((g) => g.transactions.length),
    );
    const control = numbers.interchange;
    const text = writeInterchange({
      sender: this.o.us,
      receiver: this.o.partner,
      control,
      at: new Date(this.o.now()),
      usage: this.o.usage,
      groups: groups.map((g, i) => ({
        functionalId: g.functionalId,
        control: numbers.groups[i]!,
        transactions: g.transactions.map((segments, k) => ({ set: g.set, control: numbers.transactions[i]![k]!, segments })),
      })),
    });
    // Recorded before the file is written: a 997 answering it finds what it carried.
    const sentAt = new Date(this.o.now()).toISOString();
    await this.o.controls.recordSent(
      this.o.id,
      groups.flatMap((g, i) =>
        g.documents.map((document, k) => ({
          interchange: control,
          group: numbers.groups[i]!,
          functionalId: g.functionalId,
          set: g.set,
          transaction: numbers.transactions[i]![k]!,
          document,
          sentAt,
        })),
      ),
    );
    writeFileSync(join(this.o.folder, 'out', `${groups.map((g) => g.set).join('-')}-${String(control).padStart(9, '0')}.edi`), text);
  }
}

/**
 * 856: shipment → order → item hierarchy (HL S/O/I, so BSN05 is 0004: shipment, order, item),
 * the PO number in PRF, tracking in REF*CN. The shipment id (BSN02, at most 30 characters) is the
 * message's key without its punctuation, its last 30 characters (the distinguishing part); the
 * date and time are the shipment's own (BSN03/04, DTM 011 with its time). A line of an order the
 * partner sent by 850 echoes its line: LIN01 its line number, LIN02.. the qualifiers and ids it
 * sent, SN1 the quantity in its unit when whole (shippedUnits).
 */
function shipNotice(s: Shipped, key: string, name: Naming): string[][] {
  const tracking = trackingParts(s.tracking);
  const shipmentId = key
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(-30)
    .padStart(2, '0');
  const out: string[][] = [
    ['BSN', '00', shipmentId, ymd(s.shippedAt), hms(s.shippedAt), '0004'],
    ['HL', '1', '', 'S'],
    ...(tracking.carrier ? [['TD5', '', '2', tracking.carrier]] : []),
    ...(tracking.number ? [['REF', 'CN', tracking.number]] : []),
    ['DTM', '011', ymd(s.shippedAt), hms(s.shippedAt)],
    ['HL', '2', '1', 'O'],
    ['PRF', s.externalId],
  ];
  let hl = 2;
  for (const l of s.lines) {
    const q = shippedUnits(l);
    out.push(['HL', String(++hl), '2', 'I'], ['LIN', ...lineIds(l, name)], ['SN1', '', String(q.quantity), q.unit]);
  }
  out.push(['CTT', String(hl)]);
  return out;
}

/**
 * The quantity of a line as the partner reads it: of an order it sent by 850, in the unit it
 * ordered in when the base units are a whole number of it (24 EA of a CA of 12: 2 CA), else in base
 * units under the base unit code (30 EA stay 30 EA: never rounded to a unit the partner could not
 * receive or book); of any other order, in base units as EA.
 */
function shippedUnits(l: Pick<PartnerLine, 'qty' | 'asOrdered'>): { quantity: number; unit: string; per: number } {
  return l.asOrdered ? inPartnerUnit(l.qty, l.asOrdered) : { quantity: l.qty, unit: 'EA', per: 1 };
}

/** The line's number and item ids: the partner's own when it sent the line (its line number, every qualifier and id), else ours (no number). */
function lineIds(l: PartnerLine, name: Naming): string[] {
  return l.asOrdered ? [l.asOrdered.lineId, ...l.asOrdered.products.flat()] : ['', ...name(l)];
}

/**
 * 810: BIG with the invoice and PO numbers, one IT1 per item, TDS in cents (of the base-unit
 * prices, as before). A line of an order the partner sent by 850 echoes its line (IT101 its line
 * number, IT106.. its qualifiers and ids) with the quantity in its unit when whole and the unit
 * price per that unit; a line the partner did not send is not numbered (its numbers are the partner's).
 */
function invoice(i: Invoiced, name: Naming): string[][] {
  let cents = 0;
  const out: string[][] = [['BIG', ymd(i.invoicedAt), i.invoiceNumber ?? i.orderId, '', i.externalId]];
  const echoed = i.lines.some((l) => l.asOrdered);
  i.lines.forEach((l, n) => {
    cents += Math.round((l.unitPrice ?? 0) * 100) * l.qty;
    const q = shippedUnits(l);
    const price = l.unitPrice === null ? '' : String(pricePer(l.unitPrice, q.per));
    const [lineId, ...ids] = lineIds(l, name);
    out.push(['IT1', lineId || (echoed ? '' : String(n + 1)), String(q.quantity), q.unit, price, '', ...ids]);
  });
  out.push(['TDS', String(cents)], ['CTT', String(i.lines.length)]);
  return out;
}

/** 846: what the partner may order now, one LIN/QTY per item. */
function inventoryAdvice(items: Availability[], at: string, name: Naming): string[][] {
  const out: string[][] = [['BIA', '00', 'SI', `ADV${ymd(at)}${hm(at)}`, ymd(at)]];
  for (const a of items) out.push(['LIN', '', ...name(a)], ['QTY', '33', String(a.available), a.unit ?? 'EA']);
  out.push(['CTT', String(items.length)]);
  return out;
}
