/**
 * An EDI trading partner exchanging X12 files through folders. A file in in/ may hold several
 * interchanges, each with several groups; each interchange is checked (its sender and receiver
 * against the partner's configuration, its control number against those already taken, its test
 * indicator against the partner's test setting) and each set in it taken by its kind
 * (inbound-sets.ts), then answered: a 997 per group saying truthfully what was taken, an 855 per
 * purchase order captured, a TA1 when the sender asked for one (ISA14 = 1). A 997 is never
 * answered with a 997. Documents go to out/ with increasing control numbers; what was sent is
 * recorded so the partner's 997 can be matched to it. A file that was taken goes to processed/;
 * one with an interchange the hub could not read or refused goes to failed/ with the reasons
 * (the interchanges of it that were taken are recorded, so the file dropped again after a fix
 * takes only the rest). A file-system fault harms only its file (folder-inbox.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SentTransaction } from '../../ports/control-numbers.js';
import type { Issue } from '../../domain/errors.js';
import type { TradingPartner } from '../../ports/trading-partner.js';
import { checkSegments, readInterchange, splitInterchanges, writeInterchange, X12Error, type Interchange, type Party } from './x12-interchange.js';
import { acknowledgment997, ta1, type SetOutcome } from './x12-acknowledgment.js';
import { InboundSets, type SetContext } from './inbound-sets.js';
import { FolderInbox, isTransient } from '../folder-inbox.js';
import type { EdiPartnerOptions, Park } from './partner-options.js';

export type { AmendResult, CancelResult, CaptureResult, EdiPartnerOptions, Park } from './partner-options.js';

export interface ReceiveSummary {
  captured: string[];
  parked: number;
  rejected: number;
  /** Interchanges already taken under the same control number from the same sender. */
  duplicates: number;
  /** Interchanges taken in test mode. */
  tests: number;
  /** Why interchanges of the file were not taken (unreadable, wrong sender or receiver, test refused). */
  failures: string[];
}

const trim = (s: string | undefined) => (s ?? '').trim();

/** TA1 note codes (TA105) a partner may answer the hub's interchanges with, in words. */
const TA1_NOTES: Record<string, string> = {
  '000': 'no error',
  '001': 'ISA13 and IEA02 do not match',
  '005': 'invalid sender id qualifier',
  '006': 'invalid sender id',
  '007': 'invalid receiver id qualifier',
  '008': 'invalid receiver id',
  '014': 'invalid date',
  '015': 'invalid time',
  '020': 'invalid test indicator',
  '021': 'invalid number of included groups',
  '022': 'invalid control structure',
  '023': 'improper end of file',
  '024': 'invalid interchange content',
  '025': 'duplicate interchange control number',
};

export class EdiPartner implements TradingPartner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly inbox: FolderInbox;
  private readonly sets: InboundSets;

  get id(): string {
    return this.o.id;
  }

  constructor(private readonly o: EdiPartnerOptions) {
    for (const dir of ['in', 'out', 'processed', 'failed']) mkdirSync(join(o.folder, dir), { recursive: true });
    this.inbox = new FolderInbox({
      system: o.id,
      inbox: join(o.folder, 'in'),
      failed: join(o.folder, 'failed'),
      fault: o.fault,
      ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
    });
    this.sets = new InboundSets(o);
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

  /**
   * Takes a file's interchanges; `park` hears what cannot be taken. A replay (a parked document
   * taken again) passes its own `park` and `fromFile` false: the interchange was recorded as
   * taken when it was parked, so it is not a duplicate of itself.
   */
  async receive(text: string, park: Park = this.o.park, fromFile = false, correlationId?: string): Promise<ReceiveSummary> {
    const summary: ReceiveSummary = { captured: [], parked: 0, rejected: 0, duplicates: 0, tests: 0, failures: [] };
    const pieces = splitInterchanges(text);
    for (const [n, piece] of pieces.entries()) {
      const which = pieces.length > 1 ? `interchange ${n + 1} of ${pieces.length}` : 'the interchange';
      let interchange: Interchange;
      try {
        interchange = readInterchange(piece);
      } catch (err) {
        if (!(err instanceof X12Error)) throw err;
        summary.failures.push(`${which}: ${err.message}`);
        await this.answerUnreadable(piece, err.note);
        continue;
      }
      const failure = await this.takeInterchange(interchange, piece, park, fromFile, summary, correlationId);
      if (failure) summary.failures.push(`${which} (ISA13 ${trim(interchange.isa[13])}): ${failure}`);
    }
    return summary;
  }

  /** One interchange read whole; returns why it was not taken, or undefined. */
  private async takeInterchange(
    x: Interchange,
    text: string,
    park: Park,
    fromFile: boolean,
    summary: ReceiveSummary,
    correlationId: string | undefined,
  ): Promise<string | undefined> {
    const isa = x.isa;
    const control = trim(isa[13]);
    const sender = `${trim(isa[5])}:${trim(isa[6])}`;
    const wrong = this.wrongParties(x);
    if (wrong) {
      // Not answered: the sender is not the partner, and the partner did not send it.
      await park(`interchange ${control} refused: ${wrong.message}`, [wrong], text);
      summary.parked++;
      return wrong.message;
    }
    if (fromFile && (await this.o.controls.receivedAt(this.o.id, sender, control)) !== undefined) {
      summary.duplicates++;
      this.o.log('warn', `${this.o.id}: interchange ${control} from ${sender} was taken already; this copy changes nothing`, { system: this.o.id });
      if (isa[14] === '1') await this.sendTa1(isa, 'R', '025');
      return undefined;
    }
    const test = isa[15] === 'T';
    if (test && this.o.testInterchanges === 'refuse') {
      const reason = `test interchange ${control} (ISA15 = T) refused: ${this.o.id} takes no test interchanges (set testInterchanges: test-mode to take them without effect)`;
      await park(reason, [{ path: 'ISA15', message: 'T (test) is refused for this partner' }], text);
      summary.parked++;
      if (isa[14] === '1') await this.sendTa1(isa, 'R', '020');
      return reason;
    }
    if (test) summary.tests++;
    const date = new Date(this.o.now());
    // A TA1 from the partner answers one of the hub's interchanges: never answered back; a rejection is kept.
    for (const t of x.ta1) {
      if (t[4] === 'A' || test) continue;
      await this.o.rejected(
        `${this.o.id} ${t[4] === 'E' ? 'accepted with errors' : 'rejected'} the hub's interchange ${trim(t[1])} (TA1 note ${t[5] ?? ''}${TA1_NOTES[t[5] ?? ''] ? `: ${TA1_NOTES[t[5] ?? '']}` : ''})`,
        [{ path: `interchange/${trim(t[1])}`, message: `interchange ${trim(t[1])}` }],
        text,
        correlationId,
      );
    }
    const answers: { gs: string[]; outcomes: SetOutcome[]; groupError?: { code: string; sets: number } }[] = [];
    const poAcks: { segments: string[][]; document: string }[] = [];
    for (const group of x.groups) {
      if (group.envelopeError) {
        // Only this group is refused; the other groups of the interchange are taken.
        const fault = group.envelopeError;
        if (!test) {
          await park(`group ${group.gs[6]} of interchange ${control} rejected: ${fault.message}`, [{ path: 'GE', message: fault.message }], text);
          summary.parked++;
        }
        summary.rejected += group.transactions.length;
        if (group.gs[1] !== 'FA') answers.push({ gs: group.gs, outcomes: [], groupError: { code: fault.code, sets: group.transactions.length } });
        continue;
      }
      const outcomes: SetOutcome[] = [];
      for (const tx of group.transactions) {
        if (tx.envelopeError) {
          // Only this set is refused (AK5 R 4 or 3); its trailer cannot be trusted, so it is not read.
          if (!test) {
            await park(
              `transaction ${tx.control} (${tx.set}) of interchange ${control} rejected: ${tx.envelopeError.message}`,
              [{ path: 'SE', message: tx.envelopeError.message }],
              text,
            );
            summary.parked++;
          }
          summary.rejected++;
          if (tx.set !== '997') outcomes.push({ set: tx.set, control: tx.control, status: 'R', note: tx.envelopeError.code, errors: [] });
          continue;
        }
        const ctx: SetContext = { text, interchange: control, test, park, date, ...(correlationId ? { correlationId } : {}) };
        const taken = await this.sets.take(tx, ctx);
        if (tx.set === '997') continue; // a 997 is never answered with a 997
        outcomes.push(taken.outcome);
        if (taken.outcome.status === 'R') summary.rejected++;
        if (taken.parked) summary.parked++;
        if (taken.captured) summary.captured.push(taken.captured);
        if (taken.ack855) poAcks.push(taken.ack855);
      }
      if (outcomes.length > 0) answers.push({ gs: group.gs, outcomes });
    }
    const receipts = answers.map((a) => ({
      segments: acknowledgment997(a.gs, a.outcomes, a.groupError),
      document: `997 for group ${a.gs[6]} of interchange ${control}`,
    }));
    // Every answer is checked before any is numbered or written (X12ValueError: the file goes to failed/ with it).
    for (const r of receipts) checkSegments('997', r.segments);
    for (const a of poAcks) checkSegments('855', a.segments);
    const usage = test ? 'T' : this.o.usage;
    if (isa[14] === '1') await this.sendTa1(isa, 'A', '000', usage);
    if (receipts.length > 0) await this.send('997', 'FA', receipts, date, usage);
    if (poAcks.length > 0) await this.send('855', 'PR', poAcks, date, usage);
    await this.o.controls.recordReceived(this.o.id, sender, control, date.toISOString());
    return undefined;
  }

  /** The envelope's sender or receiver that is not the one configured, with where it is named; undefined when all match. */
  private wrongParties(x: Interchange): Issue | undefined {
    const { partner, us } = this.o;
    const is = (q: string | undefined, id: string | undefined, p: Party) => trim(q) === p.qualifier && trim(id) === p.id;
    const named = (q: string | undefined, id: string | undefined) => `${trim(q)}:${trim(id)}`;
    const isa = x.isa;
    if (!is(isa[5], isa[6], partner))
      return { path: 'ISA05/ISA06', message: `sent by ${named(isa[5], isa[6])}, but ${this.o.id} sends as ${partner.qualifier}:${partner.id}` };
    if (!is(isa[7], isa[8], us))
      return { path: 'ISA07/ISA08', message: `addressed to ${named(isa[7], isa[8])}, but ${this.o.id} sends to ${us.qualifier}:${us.id}` };
    for (const g of x.groups) {
      if (trim(g.gs[2]) !== (partner.applicationId ?? partner.id))
        return {
          path: 'GS02',
          message: `group ${g.gs[6]} sent by ${trim(g.gs[2])}, but ${this.o.id}'s application code is ${partner.applicationId ?? partner.id}`,
        };
      if (trim(g.gs[3]) !== (us.applicationId ?? us.id))
        return {
          path: 'GS03',
          message: `group ${g.gs[6]} addressed to ${trim(g.gs[3])}, but the hub's application code for ${this.o.id} is ${us.applicationId ?? us.id}`,
        };
    }
    return undefined;
  }

  /** A TA1 for an interchange whose envelope cannot be read, when it asked for one and is the partner's. */
  private async answerUnreadable(text: string, note: string): Promise<void> {
    const start = text.indexOf('ISA');
    const element = text[start + 3];
    if (start < 0 || !element) return;
    const isa = text.slice(start, start + 106).split(element);
    if (isa.length < 16 || isa[14] !== '1' || trim(isa[5]) !== this.o.partner.qualifier || trim(isa[6]) !== this.o.partner.id) return;
    await this.sendTa1(isa, 'R', note);
  }

  private async sendTa1(isa: readonly string[], status: 'A' | 'R', note: string, usage: 'P' | 'T' = isa[15] === 'T' ? 'T' : this.o.usage): Promise<void> {
    const numbers = await this.o.controls.allocate(this.o.id, []);
    const text = writeInterchange({
      sender: this.o.us,
      receiver: this.o.partner,
      control: numbers.interchange,
      at: new Date(this.o.now()),
      usage,
      ta1: [ta1(isa, status, note)],
      groups: [],
    });
    writeFileSync(join(this.o.folder, 'out', `TA1-${String(numbers.interchange).padStart(9, '0')}.edi`), text);
  }

  private async send(set: string, functionalId: string, transactions: { segments: string[][]; document: string }[], at: Date, usage: 'P' | 'T'): Promise<void> {
    const numbers = await this.o.controls.allocate(this.o.id, [transactions.length]);
    const control = numbers.interchange;
    const group = numbers.groups[0]!;
    const text = writeInterchange({
      sender: this.o.us,
      receiver: this.o.partner,
      control,
      at,
      usage,
      groups: [
        { functionalId, control: group, transactions: transactions.map((t, k) => ({ set, control: numbers.transactions[0]![k]!, segments: t.segments })) },
      ],
    });
    const sent: SentTransaction[] = transactions.map((t, k) => ({
      interchange: control,
      group,
      functionalId,
      set,
      transaction: numbers.transactions[0]![k]!,
      document: t.document,
      sentAt: at.toISOString(),
    }));
    await this.o.controls.recordSent(this.o.id, sent);
    writeFileSync(join(this.o.folder, 'out', `${set}-${String(control).padStart(9, '0')}.edi`), text);
  }

  private async take(name: string): Promise<void> {
    const file = this.inbox.read(name);
    if (!file) return;
    // One id for the file: its log lines and every document parked from it carry it.
    const correlationId = randomUUID();
    const park: Park = (reason, errors, body, unknownReferences) => this.o.park(reason, errors, body, unknownReferences, correlationId);
    try {
      const summary = await this.receive(file.text, park, true, correlationId);
      const counts = `${summary.captured.length} orders captured, ${summary.rejected} sets rejected, ${summary.parked} parked, ${summary.duplicates} duplicate interchanges, ${summary.tests} test interchanges`;
      if (summary.failures.length > 0) {
        if (!this.inbox.move(name, join(this.o.folder, 'failed'), { suffix: '.error.txt', text: `${summary.failures.join('\n')}\n(${counts})\n` })) return;
        this.o.log('warn', `${this.o.id}: ${name} was not taken whole: ${summary.failures.join('; ')}`, { system: this.o.id, file: name, correlationId });
        return;
      }
      if (!this.inbox.move(name, join(this.o.folder, 'processed'))) return;
      this.o.log('info', `${this.o.id}: ${name}: ${counts}`, { system: this.o.id, file: name, correlationId });
    } catch (err) {
      if ((err as { retryable?: boolean }).retryable || isTransient(err)) {
        this.o.log('warn', `${this.o.id}: ${name}: ${(err as Error).message}; will retry`, { system: this.o.id, file: name, correlationId });
        return;
      }
      if (!this.inbox.move(name, join(this.o.folder, 'failed'), { suffix: '.error.txt', text: `${(err as Error).message}\n` })) return;
      this.o.log('warn', `${this.o.id}: ${name} was not taken: ${(err as Error).message}`, { system: this.o.id, file: name, correlationId });
    }
  }
}
