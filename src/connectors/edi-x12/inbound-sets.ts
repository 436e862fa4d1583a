/**
 * Each transaction set a partner sends, taken by its kind, with the truth the 997 tells about it:
 * A (taken), E (accepted with errors noted: the hub holds the document whole and takes it once
 * what it waits for is there, or a person acts on it), R (rejected: a set the hub does not take,
 * code 1, or one missing mandatory elements, code 5, with the segment and element named). Every
 * set that is not taken is kept (parked) as an exception, never dropped; in test mode nothing is
 * captured, changed or parked.
 */
import type { Issue } from '../../domain/errors.js';
import { describeReferences, gtinProblem, type XrefKey } from '../../domain/master-data/cross-reference.js';
import { unitFactor } from '../../domain/master-data/units-of-measure.js';
import { acknowledgment855, readPurchaseOrder850, translatePurchaseOrder, type AckLine } from './purchase-order-850.js';
import { eventsFrom945, productIdsOfW12 } from './warehouse-940-945.js';
import { linIds, snapshotFrom846, supplyFrom856, type StockContext } from './inbound-supply-856-846.js';
import { CHANGE_PURPOSES, readChangeOrder860, translateChange } from './change-order-860.js';
import { readAcknowledgment997, rejectionsIn } from './functional-ack-997.js';
import { describeErrors, mandatoryErrors, SETS_TAKEN } from './x12-mandatory.js';
import type { SegmentError, SetOutcome } from './x12-acknowledgment.js';
import type { Transaction } from './x12-interchange.js';
import type { EdiPartnerOptions, Park } from './partner-options.js';

export interface SetContext {
  /** The interchange's text (what is parked) and control number. */
  text: string;
  interchange: string;
  test: boolean;
  park: Park;
  date: Date;
  /** The id of the file the interchange came in: orders it captures or cancels carry it. */
  correlationId?: string;
}

export interface Taken {
  outcome: SetOutcome;
  parked?: boolean;
  captured?: string;
  ack855?: { segments: string[][]; document: string };
}

const NAMES: Record<string, string> = {
  '850': 'purchase order',
  '860': 'purchase order change',
  '856': 'ship notice',
  '846': 'inventory advice',
  '945': 'shipping advice',
  '997': 'functional acknowledgment',
};

/** Parked errors with a path like "PO1 (segment 7)/PO103" as AK3/AK4 (7: invalid code value, 6: invalid character). */
function asSegmentErrors(errors: readonly Issue[]): SegmentError[] {
  const out: SegmentError[] = [];
  for (const e of errors) {
    const m = /^([A-Z0-9]{2,3}) \(segment (\d+)\)(?:\/[A-Z0-9]{2,3}?(\d{2}))?$/.exec(e.path);
    if (!m) continue;
    const position = Number(m[2]);
    let seg = out.find((s) => s.position === position);
    if (!seg) out.push((seg = { segment: m[1]!, position, code: '8', elements: [] }));
    if (m[3]) seg.elements.push({ position: Number(m[3]), code: m[3] === '02' ? '6' : '7', message: e.message });
  }
  return out;
}

export class InboundSets {
  private seq = 0;

  constructor(private readonly o: EdiPartnerOptions) {}

  async take(tx: Transaction, ctx: SetContext): Promise<Taken> {
    const base = { set: tx.set, control: tx.control };
    const name = NAMES[tx.set];
    if (!name) {
      // A set the hub does not take (an 810 or 855 sent to it, a 940 it sends but never takes, an 864, ...).
      const reason = `transaction set ${tx.set} (ST02 ${tx.control}) is not one the hub takes from ${this.o.id}: it takes ${SETS_TAKEN.join(', ')}`;
      const parked = await this.keep(ctx, reason, [{ path: 'ST01', message: `${tx.set} is not taken` }]);
      return { outcome: { ...base, status: 'R', note: '1', errors: [] }, parked };
    }
    const missing = mandatoryErrors(tx);
    if (missing.length > 0) {
      const reason = `${name} in transaction ${tx.control} rejected: mandatory segments or elements missing or malformed`;
      // Kept, a 997 too (it is never answered: the partner learns nothing, a person must).
      const parked = await this.keep(ctx, reason, describeErrors(missing));
      return { outcome: { ...base, status: 'R', note: '5', errors: missing }, parked };
    }
    switch (tx.set) {
      case '850':
        return this.purchaseOrder(tx, ctx);
      case '860':
        return this.changeOrder(tx, ctx);
      case '856':
        return this.stock(tx, ctx, 'ship notice', this.o.receivesAt, 'receivesAt (a supplier shipping to one of the hub locations)', supplyFrom856);
      case '846':
        return this.stock(tx, ctx, 'inventory advice', this.o.location, "a location's authority (a 3PL running it)", snapshotFrom846);
      case '945':
        return this.shippingAdvice(tx, ctx);
      default:
        return this.acknowledgment(tx, ctx);
    }
  }

  /** Parks unless in test mode (a test document is never kept for replay: replayed, it would take effect). */
  private async keep(ctx: SetContext, reason: string, errors: Issue[], unknown?: XrefKey[]): Promise<boolean> {
    if (ctx.test) {
      this.o.log('warn', `${this.o.id}: test interchange ${ctx.interchange}: ${reason}`, { system: this.o.id });
      return false;
    }
    await ctx.park(reason, errors, ctx.text, unknown);
    return true;
  }

  private async purchaseOrder(tx: Transaction, ctx: SetContext): Promise<Taken> {
    const base = { set: tx.set, control: tx.control };
    const read = readPurchaseOrder850(tx);
    const mapped = read.ok ? await translatePurchaseOrder(read.po, this.o.mapping, this.o.id, this.o.references) : read;
    if (!mapped.ok) {
      const unknown = ('unknownReferences' in mapped ? mapped.unknownReferences : []) as XrefKey[];
      const what = read.ok ? `purchase order ${read.po.poNumber}` : `purchase order in transaction ${tx.control}`;
      const reason =
        unknown.length > 0
          ? `${what} waits for cross-references: ${describeReferences(unknown)}${mapped.errors.length > 0 ? `; and ${mapped.errors.length} line errors` : ''}`
          : `${what} could not be read`;
      const errors = [...asSegmentErrors(mapped.errors), ...this.unknownAt(tx, unknown)];
      if (ctx.test) {
        await this.keep(ctx, reason, mapped.errors, unknown);
        return { outcome: { ...base, status: 'R', note: '5', errors } };
      }
      await ctx.park(reason, mapped.errors, ctx.text, unknown);
      // Held whole and taken when the mapping is added (or a person fixes it): accepted, errors noted.
      return { outcome: { ...base, status: 'E', errors }, parked: true };
    }
    const { po } = mapped;
    if (ctx.test) {
      // Test mode: the document and its references are checked; nothing is captured or reserved,
      // and the 855 says how the hub read each line (stock is not looked at).
      const lines: AckLine[] = po.request.lines.map((l, i) => ({ ...po.partnerLines[i]!, reserved: l.qty, backordered: 0 }));
      return {
        outcome: { ...base, status: 'A', errors: [] },
        ack855: { segments: acknowledgment855(po, ctx.date, lines, false), document: `PO ${po.poNumber} (test)` },
      };
    }
    // One key per partner and PO number: a re-sent purchase order answers the same order.
    const result = await this.o.capture(po.request, `edi:${this.o.partner.id.trim()}:${po.poNumber}`, ctx.correlationId);
    if (result.kind === 'refused') {
      await ctx.park(`purchase order ${po.poNumber}: ${result.reason}`, result.errors, ctx.text);
      return { outcome: { ...base, status: 'E', errors: [] }, parked: true };
    }
    if (result.kind === 'captured' && this.o.orderLines)
      // Not in the capture's transaction (the placement is the order use case's, one per backend):
      // kept before the 855 and the file's move, so a failure here leaves the file to be taken
      // again, when the capture answers with the same order (its key) and this write is made then;
      // a second write for an order changes nothing. An order without them is answered in the hub's terms.
      await this.o.orderLines.keep(
        result.orderId,
        this.o.id,
        po.request.lines.map((l, i) => {
          const p = po.partnerLines[i]!;
          return { sku: l.sku, lineId: p.line.lineId, unit: p.line.unit, factor: p.factor, base: p.base, products: p.line.products };
        }),
      );
    const lines: AckLine[] = po.request.lines.map((l, i) => {
      const got = result.kind === 'captured' ? result.lines.find((x) => x.sku === l.sku) : undefined;
      const backordered = got?.backordered ?? 0;
      const expected = backordered > 0 ? this.o.expectedSupply?.(l.sku, po.request.channel) : undefined;
      return { ...po.partnerLines[i]!, reserved: got?.reserved ?? 0, backordered, ...(expected ? { expected } : {}) };
    });
    return {
      outcome: { ...base, status: 'A', errors: [] },
      ...(result.kind === 'captured' ? { captured: result.orderId } : {}),
      ack855: { segments: acknowledgment855(po, ctx.date, lines, result.kind === 'no_stock'), document: `PO ${po.poNumber}` },
    };
  }

  /** AK3/AK4 for the ids the document waits for: the PO1 (PO107) or N1 (N104) naming each, code 7 (invalid code value). */
  private unknownAt(tx: Transaction, unknown: readonly XrefKey[], itemSegment: 'PO1' | 'POC' = 'PO1'): SegmentError[] {
    const out: SegmentError[] = [];
    // Product ids are pairs from PO106/07 on a PO1, from POC08/09 on a POC.
    const first = itemSegment === 'PO1' ? 7 : 9;
    tx.segments.forEach((s, i) => {
      const hits = unknown.filter((k) =>
        k.kind === 'customer'
          ? s[0] === 'N1' && s[1] === 'ST' && s[4]?.trim() === k.external
          : s[0] === itemSegment && s.some((v, j) => j >= first && j % 2 === 1 && v.trim() === k.external && s[j - 1] === k.scheme),
      );
      if (hits.length === 0) return;
      const elements = hits.map((k) => {
        const position = k.kind === 'customer' ? 4 : s.findIndex((v, j) => j >= first && j % 2 === 1 && v.trim() === k.external && s[j - 1] === k.scheme);
        return { position, reference: k.kind === 'customer' ? '67' : '234', code: '7', value: k.external, message: `${k.scheme} ${k.external} is not mapped` };
      });
      out.push({ segment: s[0]!, position: i + 2, code: '8', elements });
    });
    return out;
  }

  private async changeOrder(tx: Transaction, ctx: SetContext): Promise<Taken> {
    const base = { set: tx.set, control: tx.control };
    const change = readChangeOrder860(tx);
    const purpose = CHANGE_PURPOSES[change.purpose];
    if (!purpose) {
      const errors: SegmentError[] = [
        {
          segment: 'BCH',
          position: 2 + tx.segments.findIndex((s) => s[0] === 'BCH'),
          code: '8',
          elements: [{ position: 1, reference: '353', code: '7', value: change.purpose, message: 'not 01, 04 or 05' }],
        },
      ];
      const parked = await this.keep(
        ctx,
        `purchase order change ${change.poNumber}: BCH01 '${change.purpose}' is not a purpose the hub knows (01 cancellation, 04 change, 05 replace)`,
        describeErrors(errors),
      );
      return { outcome: { ...base, status: 'R', note: '5', errors }, parked };
    }
    if (ctx.test) return { outcome: { ...base, status: 'A', errors: [] } };
    if (purpose === 'cancellation') {
      const result = await this.o.cancel(change.poNumber, ctx.correlationId);
      if (result.kind === 'cancelled') {
        this.o.log('info', `${this.o.id}: purchase order ${change.poNumber} cancelled (order ${result.orderId})`, { system: this.o.id });
        return { outcome: { ...base, status: 'A', errors: [] } };
      }
      const reason =
        result.kind === 'unknown'
          ? `purchase order change ${change.poNumber} (cancellation): no order was captured for it from ${this.o.id}; replay it once the order is there`
          : `purchase order change ${change.poNumber} (cancellation): ${result.reason}`;
      await ctx.park(reason, [{ path: 'BCH03', message: change.poNumber }], ctx.text);
      return { outcome: { ...base, status: 'E', errors: [] }, parked: true };
    }
    return this.amendOrder(tx, ctx, change, purpose);
  }

  /** 860 BCH01 04 (change) or 05 (replace): the order is amended in place to the lines the document leaves it with. */
  private async amendOrder(tx: Transaction, ctx: SetContext, change: ReturnType<typeof readChangeOrder860>, purpose: string): Promise<Taken> {
    const base = { set: tx.set, control: tx.control };
    const what = `purchase order change ${change.poNumber} (${purpose})`;
    const order = await this.o.orderNow(change.poNumber);
    if (!order) {
      await ctx.park(
        `${what}: no order was captured for it from ${this.o.id}; replay it once the order is there`,
        [{ path: 'BCH03', message: change.poNumber }],
        ctx.text,
      );
      return { outcome: { ...base, status: 'E', errors: [] }, parked: true };
    }
    const translated = await translateChange(change, order.lines, this.o.mapping, this.o.id, this.o.references);
    if (!translated.ok) {
      const unknown = translated.unknownReferences;
      const reason =
        unknown.length > 0
          ? `${what} waits for cross-references: ${describeReferences(unknown)}${translated.errors.length > 0 ? `; and ${translated.errors.length} line errors` : ''}`
          : `${what} could not be applied as written`;
      await ctx.park(reason, translated.errors, ctx.text, unknown);
      return { outcome: { ...base, status: 'E', errors: [...asSegmentErrors(translated.errors), ...this.unknownAt(tx, unknown, 'POC')] }, parked: true };
    }
    // One key per partner, interchange and transaction: a replay of this document answers the same amendment.
    const key = `edi:${this.o.partner.id.trim()}:${change.poNumber}:860:${ctx.interchange}:${tx.control}`;
    const result = await this.o.amend(order.orderId, translated.lines, key, ctx.correlationId);
    if (result.kind === 'refused') {
      // Refused whole (shipped, released, no stock...): nothing changed; kept for a person with the reason.
      await ctx.park(`${what}: ${result.reason}`, result.errors, ctx.text);
      return { outcome: { ...base, status: 'E', errors: [] }, parked: true };
    }
    // As for an 850 (see capture): after the amendment, so a failure leaves the file to be taken again,
    // when the same key answers the same amendment and this write is made then.
    if (this.o.orderLines) await this.o.orderLines.addMissing(result.orderId, this.o.id, translated.partnerLines);
    this.o.log('info', `${this.o.id}: ${what} amended order ${result.orderId}`, { system: this.o.id });
    return { outcome: { ...base, status: 'A', errors: [] } };
  }

  /** An 856 (inbound supply) or 846 (a count) as inventory events at `location`. */
  private async stock(
    tx: Transaction,
    ctx: SetContext,
    what: string,
    location: string | undefined,
    needs: string,
    read: (tx: Transaction, c: StockContext) => { ok: true; events: import('../../model/hub-event.js').HubEvent[] } | { ok: false; errors: Issue[] },
  ): Promise<Taken> {
    const base = { set: tx.set, control: tx.control };
    if (!location) {
      const parked = await this.keep(ctx, `a ${tx.set} ${what} came from ${this.o.id}, which is not ${needs}`, [
        { path: 'ST01', message: `${tx.set} is not taken from ${this.o.id}` },
      ]);
      return { outcome: { ...base, status: 'R', note: '1', errors: [] }, parked };
    }
    const items = await this.itemsOf(linIds(tx));
    if (items.invalid.length > 0) {
      const parked = await this.keep(ctx, `${what} in transaction ${tx.control} names items by ids that are not valid`, items.invalid);
      return { outcome: { ...base, status: 'R', note: '5', errors: this.invalidAt(tx, 'LIN') }, parked };
    }
    if (items.unknown.length > 0) {
      const reason = `${what} in transaction ${tx.control} waits for cross-references: ${describeReferences(items.unknown)}`;
      const parked = await this.keep(ctx, reason, [], items.unknown);
      return { outcome: { ...base, status: ctx.test ? 'R' : 'E', ...(ctx.test ? { note: '5' } : {}), errors: [] }, parked };
    }
    const mapped = read(tx, { source: this.o.id, location, seq: this.nextSeq(), at: ctx.date.toISOString(), skuOf: items.skuOf, unitSize: items.unitSize });
    if (!mapped.ok) {
      const parked = await this.keep(ctx, `${what} in transaction ${tx.control} could not be read`, mapped.errors);
      return { outcome: { ...base, status: ctx.test ? 'R' : 'E', note: '5', errors: asSegmentErrors(mapped.errors) }, parked };
    }
    if (ctx.test) return { outcome: { ...base, status: 'A', errors: [] } };
    const result = await this.o.ingest(mapped.events);
    if (result.rejected.length > 0) {
      await ctx.park(`${what} in transaction ${tx.control}: the hub rejected ${result.rejected.length} of its events`, [], ctx.text);
      return { outcome: { ...base, status: 'E', errors: [] }, parked: true };
    }
    return { outcome: { ...base, status: 'A', errors: [] } };
  }

  /** A 945: the 3PL shipped an order from its location. */
  private async shippingAdvice(tx: Transaction, ctx: SetContext): Promise<Taken> {
    const base = { set: tx.set, control: tx.control };
    if (!this.o.location) {
      const parked = await this.keep(ctx, `a 945 came from ${this.o.id}, which runs no location (make it a location's authority)`, [
        { path: 'ST01', message: `945 is not taken from ${this.o.id}` },
      ]);
      return { outcome: { ...base, status: 'R', note: '1', errors: [] }, parked };
    }
    const w12s = tx.segments.filter((s) => s[0] === 'W12');
    const items = await this.itemsOf(w12s.map(productIdsOfW12));
    if (items.unknown.length > 0) {
      const parked = await this.keep(
        ctx,
        `shipping advice in transaction ${tx.control} waits for cross-references: ${describeReferences(items.unknown)}`,
        [],
        items.unknown,
      );
      return { outcome: { ...base, status: ctx.test ? 'R' : 'E', ...(ctx.test ? { note: '5' } : {}), errors: [] }, parked };
    }
    const mapped = eventsFrom945(tx, {
      source: this.o.id,
      location: this.o.location,
      interchange: ctx.interchange,
      seq: this.nextSeq(),
      at: ctx.date.toISOString(),
      skuOf: (s) => items.skuOf(productIdsOfW12(s)),
      unitSize: items.unitSize,
    });
    if (!mapped.ok) {
      const parked = await this.keep(ctx, `shipping advice in transaction ${tx.control} could not be read`, mapped.errors);
      return { outcome: { ...base, status: ctx.test ? 'R' : 'E', note: '5', errors: asSegmentErrors(mapped.errors) }, parked };
    }
    if (ctx.test) return { outcome: { ...base, status: 'A', errors: [] } };
    const result = await this.o.ingest(mapped.events);
    if (result.rejected.length > 0) {
      await ctx.park(`shipping advice for ${mapped.orderId}: the hub rejected ${result.rejected.length} of its events`, [], ctx.text);
      return { outcome: { ...base, status: 'E', errors: [] }, parked: true };
    }
    return { outcome: { ...base, status: 'A', errors: [] } };
  }

  /** A partner's 997: each set it rejected is matched to what the hub sent and kept as an exception on that document. */
  private async acknowledgment(tx: Transaction, ctx: SetContext): Promise<Taken> {
    const base = { set: tx.set, control: tx.control };
    const ack = readAcknowledgment997(tx);
    const sent = await this.o.controls.sentInGroup(this.o.id, Number(ack.group));
    for (const r of rejectionsIn(ack, sent)) {
      const doc = r.sent
        ? `${r.set} ${r.sent.document} (interchange ${r.sent.interchange}, group ${ack.group}, transaction ${r.control})`
        : `${r.set} transaction ${r.control} of group ${ack.group}, which the hub has no record of sending`;
      const reason = `${this.o.id} rejected ${doc}: ${r.why}`;
      if (ctx.test) {
        this.o.log('warn', `${this.o.id}: test 997: ${reason}`, { system: this.o.id });
        continue;
      }
      await this.o.rejected(
        reason,
        [{ path: `${r.set}/${r.control}`, message: r.sent?.document ?? 'not sent by the hub' }, ...r.details],
        ctx.text,
        ctx.correlationId,
      );
    }
    return { outcome: { ...base, status: 'A', errors: [] } };
  }

  /** AK3/AK4 for each product id with a wrong check digit in the set's `segment`s (code 7, invalid code value). */
  private invalidAt(tx: Transaction, segment: string): SegmentError[] {
    const out: SegmentError[] = [];
    tx.segments.forEach((s, i) => {
      if (s[0] !== segment) return;
      const elements = s.flatMap((v, j) =>
        j >= 3 && j % 2 === 1 && gtinProblem(s[j - 1]!, v.trim())
          ? [{ position: j, reference: '234', code: '7', value: v, message: gtinProblem(s[j - 1]!, v.trim())! }]
          : [],
      );
      if (elements.length > 0) out.push({ segment, position: i + 2, code: '8', elements });
    });
    return out;
  }

  /** Seqs from the clock in microseconds keep increasing across documents and restarts. */
  private nextSeq(): number {
    this.seq = Math.max(this.seq + 1000, this.o.now() * 1000);
    return this.seq;
  }

  /**
   * How a document's item lines (each its qualifier/id pairs) name the hub's items: the
   * `itemQualifier` as is, else the partner's qualifiers through the cross-references; and their
   * units through the item's and the partner's packing. `unknown` lists what is not mapped.
   */
  private async itemsOf(lines: [string, string][][]) {
    const { itemQualifier, itemQualifiers } = this.o.mapping;
    const keys = lines.flatMap((ids) =>
      ids.filter(([q]) => itemQualifiers.includes(q)).map(([scheme, external]) => ({ kind: 'item' as const, system: this.o.id, scheme, external })),
    );
    const found = await this.o.references.resolve(keys);
    const mapped = new Map(found.flatMap((r) => (r ? [[`${r.scheme}\u0000${r.external}`, r.id] as const] : [])));
    const skuOf = (ids: [string, string][]) => {
      const asIs = itemQualifier ? ids.find(([q]) => q === itemQualifier)?.[1] : undefined;
      if (asIs) return asIs;
      for (const q of itemQualifiers) {
        const id = ids.find(([p]) => p === q)?.[1];
        const sku = id === undefined ? undefined : mapped.get(`${q}\u0000${id}`);
        if (sku) return sku;
      }
      return undefined;
    };
    const unmapped = lines
      .filter((ids) => skuOf(ids) === undefined)
      .flatMap((ids) => keys.filter((k) => ids.some(([q, id]) => q === k.scheme && id === k.external)));
    // A UPC or EAN with a wrong check digit can never be mapped: an error in the document, not a reference to wait for.
    const invalid = unmapped.flatMap((k) => {
      const problem = gtinProblem(k.scheme, k.external);
      return problem ? [{ path: `LIN/${k.scheme}`, message: problem }] : [];
    });
    const unknown = unmapped.filter((k) => gtinProblem(k.scheme, k.external) === undefined);
    const skus = lines.map(skuOf).filter((s): s is string => s !== undefined);
    const packing = await this.o.references.packing(this.o.id, skus);
    const unitSize = (sku: string, unit: string) => {
      const p = packing.get(sku);
      return unitFactor(unit, p?.base ?? 'EA', p?.partner, p?.item);
    };
    return { skuOf, unitSize, unknown, invalid };
  }
}
