/**
 * Watches a folder for a 3PL's stock files: each complete file is read, turned into snapshots and
 * ingested, then moved to processed/ with a .result.json beside it (every row counted as taken,
 * skipped or refused, those not taken listed with their lines and reasons), or to failed/ with a
 * .error.txt when the whole file cannot be read; neither move replaces an earlier file of the name. A
 * file dropped twice applies once (snapshot ids come from its name and content). A file-system
 * fault harms only its file (folder-inbox.ts); no fault stops the poller.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IngestResult } from '../../model/inventory-event.js';
import { FolderInbox, isTransient, type FileFault } from '../folder-inbox.js';
import { snapshotsFromCsv, type CsvSnapshotResult, type CsvSnapshotSettings, type RowNotTaken } from './csv-snapshots.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';
import type { TradingPartner } from '../../ports/trading-partner.js';
import { WAITS_FOR_REFERENCES, type XrefKey } from '../../domain/master-data/cross-reference.js';
import type { Issue } from '../../domain/errors.js';

export interface CsvDropOptions extends CsvSnapshotSettings {
  id: string;
  folder: string;
  pollMs: number;
  /** How long a file's size and modification time must hold before it is read (0: at once); default 2 s. */
  settleMs?: number;
  /** `correlationId`: the id minted for the file, carried by its events (their own wins). */
  ingest: (events: unknown[], correlationId: string) => Promise<IngestResult>;
  log: (level: 'info' | 'warn', msg: string, fields?: object) => void;
  /** A file the poller could not take as it stands (logged and counted by the wiring). */
  fault: (f: FileFault) => void;
  /** A file taken: its rows counted by outcome (for metrics). */
  taken?: (rows: RowCounts) => void;
  now: () => number;
  /** When set, the sku column holds the 3PL's item codes under this scheme, translated through `references`. */
  itemScheme?: string;
  references?: ReferenceLookup;
  /** Keeps a file whose item codes are not all mapped, whole, until they are (then `receive` takes it again). */
  park?: (reason: string, errors: Issue[], body: string, unknownReferences: XrefKey[], correlationId: string) => void | Promise<void>;
}

/** Every row of a file is one of these. */
export interface RowCounts {
  taken: number;
  skipped: number;
  refused: number;
}

/** What a stock file came to, as written beside it in processed/ (<name>.result.json). */
export interface StockFileReport extends RowCounts {
  file: string;
  /** Minted when the file was taken: its log lines, its events and anything parked from it carry it. */
  correlationId: string;
  /** The name it was archived under in processed/ (stamped when the name was there already). */
  archivedAs?: string;
  location: string;
  rows: number;
  accepted: number;
  duplicates: number;
  /** The rows not taken, skipped and refused, each with its line and reason. */
  rejected: RowNotTaken[];
  position: number | null;
}

export class CsvFileDrop implements TradingPartner {
  get id(): string {
    return this.o.id;
  }

  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastSeq = 0;
  private readonly inbox: FolderInbox;

  constructor(private readonly o: CsvDropOptions) {
    for (const dir of ['', 'processed', 'failed']) mkdirSync(join(o.folder, dir), { recursive: true });
    this.inbox = new FolderInbox({
      system: o.id,
      inbox: o.folder,
      failed: join(o.folder, 'failed'),
      fault: o.fault,
      now: o.now,
      ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
    });
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

  /** Takes every file waiting in the folder, oldest name first. */
  async scan(): Promise<void> {
    for (const name of this.inbox.waiting()) await this.take(name);
  }

  /** The 3PL's item codes as the hub's SKUs, or the codes not mapped (the file then waits for them, whole). */
  private async translate(read: CsvSnapshotResult, scheme: string, references: ReferenceLookup): Promise<CsvSnapshotResult & { unknown: XrefKey[] }> {
    const keys = read.snapshots.map((s) => ({ kind: 'item' as const, system: this.o.id, scheme, external: s.sku }));
    const found = await references.resolve(keys);
    const unknown = keys.filter((_, i) => !found[i]);
    return { ...read, snapshots: read.snapshots.map((s, i) => ({ ...s, sku: found[i]?.id ?? s.sku })), unknown };
  }

  /** A parked file taken again (its references were added): ingested whole, or parked again with what it still waits for. */
  async receive(text: string, park: NonNullable<CsvDropOptions['park']>): Promise<{ captured: string[]; parked: number; rejected: number }> {
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
    this.lastSeq = Math.max(this.lastSeq + 1_000_000, this.o.now() * 1000);
    const correlationId = randomUUID();
    const outcome = await this.apply(text, { name: 'replayed', digest, occurredAt: new Date(this.o.now()).toISOString() }, park, correlationId);
    if (outcome === 'parked') return { captured: [], parked: 1, rejected: 0 };
    // Its rows are counted as a dropped file's are: in the log and the metrics (it has no .result.json now).
    const report = reportOf('(replayed)', this.o.location, outcome, correlationId);
    this.o.taken?.({ taken: report.taken, skipped: report.skipped, refused: report.refused });
    this.o.log(
      report.rejected.length > 0 ? 'warn' : 'info',
      `${this.o.id}: a parked stock file replayed: ${report.rows} rows: ${report.taken} taken, ${report.skipped} skipped, ${report.refused} refused${report.rejected.length > 0 ? `; first not taken: line ${report.rejected[0]!.line}: ${report.rejected[0]!.message}` : ''}`,
      { system: this.o.id, correlationId, taken: report.taken, skipped: report.skipped, refused: report.refused },
    );
    return { captured: [], parked: 0, rejected: report.skipped + report.refused };
  }

  /** Reads, translates and ingests one file's rows; 'parked' when it waits for cross-references. Throws when the file cannot be read. */
  private async apply(
    text: string,
    file: { name: string; digest: string; occurredAt: string },
    park: CsvDropOptions['park'],
    correlationId: string,
  ): Promise<'parked' | { snapshots: number; lines: number[]; rejected: CsvSnapshotResult['rejected']; result: IngestResult | undefined }> {
    const read = snapshotsFromCsv(text, this.o, { ...file, firstSeq: this.lastSeq });
    const translated = this.o.itemScheme && this.o.references ? await this.translate(read, this.o.itemScheme, this.o.references) : { ...read, unknown: [] };
    if (translated.unknown.length > 0 && park) {
      const codes = translated.unknown.map((k) => k.external).join(', ');
      await park(
        `stock file ${file.name} ${WAITS_FOR_REFERENCES}: item codes not mapped (system ${this.o.id}, scheme ${this.o.itemScheme}): ${codes}`,
        [],
        text,
        translated.unknown,
        correlationId,
      );
      return 'parked';
    }
    const { snapshots, lines, rejected } = translated;
    const result = snapshots.length > 0 ? await this.o.ingest(snapshots, correlationId) : undefined;
    this.lastSeq += snapshots.length + rejected.length + 1;
    return { snapshots: snapshots.length, lines, rejected, result };
  }

  private async take(name: string): Promise<void> {
    const { folder } = this.o;
    const file = this.inbox.read(name);
    if (!file) return;
    const { text } = file;
    const occurredAt = file.modified.toISOString();
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
    // Seqs must increase per source across files: the clock in microseconds, never repeating.
    this.lastSeq = Math.max(this.lastSeq + 1_000_000, this.o.now() * 1000);
    // One id for everything the file causes: its log lines, its .result.json, its events and its parked record.
    const correlationId = randomUUID();
    try {
      const outcome = await this.apply(text, { name, digest, occurredAt }, this.o.park, correlationId);
      if (outcome === 'parked') {
        const parked = `${JSON.stringify({ parked: true, correlationId })}\n`;
        if (!this.inbox.move(name, join(folder, 'processed'), { suffix: '.result.json', text: parked })) return;
        this.o.log('warn', `${this.o.id}: ${name}: parked until its item codes are mapped (GET /v1/inbound/parked)`, {
          system: this.o.id,
          file: name,
          correlationId,
        });
        return;
      }
      const report = reportOf(name, this.o.location, outcome, correlationId);
      const archived = this.inbox.move(name, join(folder, 'processed'), {
        suffix: '.result.json',
        text: (archivedAs) => JSON.stringify(archivedAs === name ? report : { ...report, archivedAs }, null, 2),
      });
      if (!archived) return;
      this.o.taken?.({ taken: report.taken, skipped: report.skipped, refused: report.refused });
      const rows = {
        system: this.o.id,
        file: name,
        correlationId,
        archivedAs: archived,
        taken: report.taken,
        skipped: report.skipped,
        refused: report.refused,
      };
      this.o.log(
        report.rejected.length > 0 ? 'warn' : 'info',
        `${this.o.id}: ${name}: ${report.rows} rows: ${report.taken} taken (${report.accepted} snapshots accepted, ${report.duplicates} duplicates), ${report.skipped} skipped, ${report.refused} refused${report.rejected.length > 0 ? `; first not taken: line ${report.rejected[0]!.line}: ${report.rejected[0]!.message}` : ''}`,
        rows,
      );
    } catch (err) {
      const reason = (err as Error).message;
      // Storage failures leave the file in place for the next scan; a file that cannot be read goes to failed/.
      if ((err as { retryable?: boolean }).retryable || isTransient(err)) {
        this.o.log('warn', `${this.o.id}: ${name}: ${reason}; will retry`, { system: this.o.id, file: name, correlationId });
        return;
      }
      const failedAs = this.inbox.move(name, join(folder, 'failed'), { suffix: '.error.txt', text: `${reason}\n` });
      if (!failedAs) return;
      this.o.log('warn', `${this.o.id}: ${name} could not be read: ${reason}; moved to failed/${failedAs}`, {
        system: this.o.id,
        file: name,
        correlationId,
        archivedAs: failedAs,
      });
    }
  }
}

/** The file's report: ingest refusals take the line of the row they came from. */
function reportOf(
  name: string,
  location: string,
  outcome: { snapshots: number; lines: number[]; rejected: RowNotTaken[]; result: IngestResult | undefined },
  correlationId: string,
): StockFileReport {
  const { result } = outcome;
  const refusedByIngest: RowNotTaken[] = (result?.rejected ?? []).map((r) => ({
    line: outcome.lines[r.index] ?? Number.NaN,
    outcome: 'refused',
    message: r.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
  }));
  const rejected = [...outcome.rejected, ...refusedByIngest].sort((a, b) => a.line - b.line);
  const skipped = rejected.filter((r) => r.outcome === 'skipped').length;
  return {
    file: name,
    correlationId,
    location,
    rows: outcome.snapshots + outcome.rejected.length,
    taken: outcome.snapshots - refusedByIngest.length,
    skipped,
    refused: rejected.length - skipped,
    accepted: result?.accepted ?? 0,
    duplicates: result?.duplicates ?? 0,
    rejected,
    position: result?.position ?? null,
  };
}
