/**
 * An EDI trading partner exchanging X12 files through folders: interchanges dropped in in/ are
 * read; each 850 is captured as an order, answered by a 997 (what was received) and an 855
 * (what was accepted or backordered); documents go to out/ with increasing control numbers.
 * An interchange whose envelope is broken goes to failed/ with the reason; an order that cannot
 * be captured (unknown item, bad line) is parked with its reason, never dropped. A file-system
 * fault harms only its file (folder-inbox.ts); no fault stops the poller.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Issue } from '../../domain/errors.js';
import type { OrderRequest } from '../../model/order.js';
import type { HubEvent } from '../../model/hub-event.js';
import { eventsFrom945, productIdsOfW12 } from './warehouse-940-945.js';
import { unitFactor } from '../../domain/master-data/units-of-measure.js';
import type { ControlNumbers } from '../../ports/control-numbers.js';
import type { TradingPartner } from '../../ports/trading-partner.js';
import { acknowledgment855, acknowledgment997, readPurchaseOrder850, translatePurchaseOrder, type AckLine, type PartnerMapping } from './purchase-order-850.js';
import { describeReferences, type XrefKey } from '../../domain/master-data/cross-reference.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';
import { checkSegments, readInterchange, writeInterchange, type Party } from './x12-interchange.js';
import { FolderInbox, isTransient, type FileFault } from '../folder-inbox.js';

/** What capturing an order came to, as the partner's connector needs to answer it. */
export type CaptureResult =
  | { kind: 'captured'; orderId: string; lines: { sku: string; qty: number; reserved: number; backordered: number }[] }
  | { kind: 'no_stock' }
  | { kind: 'refused'; reason: string; errors: Issue[] };

export interface EdiPartnerOptions {
  id: string;
  folder: string;
  pollMs: number;
  /** Us and them, as the ISA names us. */
  us: Party;
  partner: Party;
  usage: 'P' | 'T';
  mapping: PartnerMapping;
  controls: ControlNumbers;
  capture: (request: OrderRequest, key: string) => Promise<CaptureResult>;
  /** Hub events the partner's documents stand for (945 shipping advice from a 3PL). */
  ingest: (events: HubEvent[]) => Promise<{ accepted: number; rejected: { index: number }[] }>;
  /** The location this partner runs as a 3PL, if any (where its 945s ship from). */
  location?: string;
  /** Keeps a document that cannot be taken, whole; `unknownReferences` names what it waits for. */
  park: (reason: string, errors: Issue[], body: string, unknownReferences?: XrefKey[]) => void | Promise<void>;
  /** The cross-references and units its ids translate through. */
  references: ReferenceLookup;
  log: (level: 'info' | 'warn', msg: string, fields?: object) => void;
  /** A file the poller could not take as it stands (logged and counted by the wiring). */
  fault: (f: FileFault) => void;
  now: () => number;
}

export class EdiPartner implements TradingPartner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private seq = 0;
  private readonly inbox: FolderInbox;

  get id(): string {
    return this.o.id;
  }

  constructor(private readonly o: EdiPartnerOptions) {
    for (const dir of ['in', 'out', 'processed', 'failed']) mkdirSync(join(o.folder, dir), { recursive: true });
    this.inbox = new FolderInbox({ system: o.id, inbox: join(o.folder, 'in'), failed: join(o.folder, 'failed'), fault: o.fault });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.scan()
        .catch((err: Error) => this.o.log('warn', `${this.o.id}: the scan failed: ${err.message}; the next one tries again`, { system: this.o.id }))
        .finally(() => {
          this.running = undefined;
        });
    }, this.o.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async scan(): Promise<void> {
    for (const name of this.inbox.waiting()) await this.take(name);
  }

  /** Takes one interchange's text; `park` hears what cannot be captured (a replay passes its own). */
  async receive(text: string, park: EdiPartnerOptions['park'] = this.o.park): Promise<{ captured: string[]; parked: number; rejected: number }> {
    const interchange = readInterchange(text);
    const acks: { gs: string[]; results: { set: string; control: string; accepted: boolean }[] }[] = [];
    const poAcks: string[][][] = [];
    const summary = { captured: [] as string[], parked: 0, rejected: 0 };
    const date = new Date(this.o.now());
    for (const group of interchange.groups) {
      const results: { set: string; control: string; accepted: boolean }[] = [];
      for (const tx of group.transactions) {
        if (tx.set === '945') {
          const ok = await this.takeAdvice(tx, interchange.isa[13] ?? '', text, park);
          results.push({ set: tx.set, control: tx.control, accepted: ok });
          if (!ok) summary.parked++;
          continue;
        }
        if (tx.set !== '850') {
          results.push({ set: tx.set, control: tx.control, accepted: true });
          continue;
        }
        const read = readPurchaseOrder850(tx);
        const mapped = read.ok ? await translatePurchaseOrder(read.po, this.o.mapping, this.o.id, this.o.references) : read;
        if (!mapped.ok) {
          const unknown = ('unknownReferences' in mapped ? mapped.unknownReferences : []) as XrefKey[];
          const what = read.ok ? `purchase order ${read.po.poNumber}` : `purchase order in transaction ${tx.control}`;
          const reason =
            unknown.length > 0
              ? `${what} waits for cross-references: ${describeReferences(unknown)}${mapped.errors.length > 0 ? `; and ${mapped.errors.length} line errors` : ''}`
              : `${what} could not be read`;
          await park(reason, mapped.errors, text, unknown);
          summary.parked++;
          results.push({ set: tx.set, control: tx.control, accepted: false });
          continue;
        }
        results.push({ set: tx.set, control: tx.control, accepted: true });
        const { po } = mapped;
        // One key per partner and PO number: a re-sent interchange answers the same order.
        const result = await this.o.capture(po.request, `edi:${this.o.partner.id.trim()}:${po.poNumber}`);
        if (result.kind === 'refused') {
          await park(`purchase order ${po.poNumber}: ${result.reason}`, result.errors, text);
          summary.parked++;
          continue;
        }
        const lines: AckLine[] = po.request.lines.map((l, i) => {
          const got = result.kind === 'captured' ? result.lines.find((x) => x.sku === l.sku) : undefined;
          return { ...po.partnerLines[i]!, reserved: got?.reserved ?? 0, backordered: got?.backordered ?? 0 };
        });
        if (result.kind === 'captured') summary.captured.push(result.orderId);
        else summary.rejected++;
        poAcks.push(acknowledgment855(po.poNumber, date, lines, result.kind === 'no_stock', po.shipToParty));
      }
      acks.push({ gs: group.gs, results });
    }
    const receipts = acks.map((a) => acknowledgment997(a.gs, a.results));
    // Both answers are checked before either is numbered or written (X12ValueError: the file goes to failed/ with it).
    for (const segments of receipts) checkSegments('997', segments);
    for (const segments of poAcks) checkSegments('855', segments);
    await this.send('997', 'FA', receipts, date);
    if (poAcks.length > 0) await this.send('855', 'PR', poAcks, date);
    return summary;
  }

  /** A 945: the 3PL shipped an order from its location; false when it cannot be read (parked). */
  private async takeAdvice(tx: Parameters<typeof eventsFrom945>[0], interchange: string, text: string, park: EdiPartnerOptions['park']): Promise<boolean> {
    if (!this.o.location) {
      await park(`a 945 came from ${this.o.id}, which runs no location (make it a location's authority)`, [], text);
      return false;
    }
    // Seqs from the clock in microseconds keep increasing across documents and restarts.
    this.seq = Math.max(this.seq + 1000, this.o.now() * 1000);
    const items = await this.adviceItems(tx);
    if (items.unknown.length > 0) {
      await park(`shipping advice in transaction ${tx.control} waits for cross-references: ${describeReferences(items.unknown)}`, [], text, items.unknown);
      return false;
    }
    const mapped = eventsFrom945(tx, {
      source: this.o.id,
      location: this.o.location,
      interchange,
      seq: this.seq,
      at: new Date(this.o.now()).toISOString(),
      skuOf: items.skuOf,
      unitSize: items.unitSize,
    });
    if (!mapped.ok) {
      await park(`shipping advice in transaction ${tx.control} could not be read`, mapped.errors, text);
      return false;
    }
    const result = await this.o.ingest(mapped.events);
    if (result.rejected.length > 0) {
      await park(`shipping advice for ${mapped.orderId}: the hub rejected ${result.rejected.length} of its events`, [], text);
      return false;
    }
    return true;
  }

  /**
   * How a 945's lines name the hub's items: the `itemQualifier` as is, else the partner's
   * qualifiers through the cross-references; and their units through the item's and the partner's
   * packing. `unknown` lists what a line named that is not mapped.
   */
  private async adviceItems(tx: Parameters<typeof eventsFrom945>[0]) {
    const { itemQualifier, itemQualifiers } = this.o.mapping;
    const w12s = tx.segments.filter((s) => s[0] === 'W12');
    const keys = w12s.flatMap((s) =>
      productIdsOfW12(s)
        .filter(([q]) => itemQualifiers.includes(q))
        .map(([scheme, external]) => ({ kind: 'item' as const, system: this.o.id, scheme, external })),
    );
    const found = await this.o.references.resolve(keys);
    const mapped = new Map(found.flatMap((r) => (r ? [[`${r.scheme}\u0000${r.external}`, r.id] as const] : [])));
    const skuOf = (s: string[]) => {
      const ids = productIdsOfW12(s);
      const asIs = itemQualifier ? ids.find(([q]) => q === itemQualifier)?.[1] : undefined;
      if (asIs) return asIs;
      for (const q of itemQualifiers) {
        const id = ids.find(([p]) => p === q)?.[1];
        const sku = id === undefined ? undefined : mapped.get(`${q}\u0000${id}`);
        if (sku) return sku;
      }
      return undefined;
    };
    const unknown = w12s
      .filter((s) => skuOf(s) === undefined)
      .flatMap((s) => keys.filter((k) => productIdsOfW12(s).some(([q, id]) => q === k.scheme && id === k.external)));
    const skus = w12s.map(skuOf).filter((s): s is string => s !== undefined);
    const packing = await this.o.references.packing(this.o.id, skus);
    const unitSize = (sku: string, unit: string) => {
      const p = packing.get(sku);
      return unitFactor(unit, p?.base ?? 'EA', p?.partner, p?.item);
    };
    return { skuOf, unitSize, unknown };
  }

  private async send(set: string, functionalId: string, transactions: string[][][], at: Date): Promise<void> {
    const numbers = await this.o.controls.allocate(this.o.id, [transactions.length]);
    const control = numbers.interchange;
    const text = writeInterchange({
      sender: this.o.us,
      receiver: this.o.partner,
      control,
      at,
      usage: this.o.usage,
      groups: [
        {
          functionalId,
          control: numbers.groups[0]!,
          transactions: transactions.map((segments, k) => ({ set, control: numbers.transactions[0]![k]!, segments })),
        },
      ],
    });
    writeFileSync(join(this.o.folder, 'out', `${set}-${String(control).padStart(9, '0')}.edi`), text);
  }

  private async take(name: string): Promise<void> {
    const file = this.inbox.read(name);
    if (!file) return;
    try {
      const summary = await this.receive(file.text);
      if (!this.inbox.move(name, join(this.o.folder, 'processed'))) return;
      this.o.log('info', `${this.o.id}: ${name}: ${summary.captured.length} orders captured, ${summary.rejected} rejected, ${summary.parked} parked`, {
        system: this.o.id,
        file: name,
      });
    } catch (err) {
      if ((err as { retryable?: boolean }).retryable || isTransient(err)) {
        this.o.log('warn', `${this.o.id}: ${name}: ${(err as Error).message}; will retry`);
        return;
      }
      if (!this.inbox.move(name, join(this.o.folder, 'failed'), { suffix: '.error.txt', text: `${(err as Error).message}\n` })) return;
      this.o.log('warn', `${this.o.id}: ${name} was not taken: ${(err as Error).message}`, { system: this.o.id, file: name });
    }
  }
}
