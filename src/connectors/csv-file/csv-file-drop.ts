/**
 * Watches a folder for a 3PL's stock files: each file is read, turned into snapshots and
 * ingested, then moved to processed/ with a .result.json beside it (accepted, duplicates, rejected
 * rows with their lines), or to failed/ with a .error.txt when the whole file cannot be read. A
 * file dropped twice applies once (snapshot ids come from its name and content).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IngestResult } from '../../model/inventory-event.js';
import { snapshotsFromCsv, type CsvSnapshotSettings } from './csv-snapshots.js';

export interface CsvDropOptions extends CsvSnapshotSettings {
  id: string;
  folder: string;
  pollMs: number;
  ingest: (events: unknown[]) => Promise<IngestResult>;
  log: (level: 'info' | 'warn', msg: string, fields?: object) => void;
  now: () => number;
}

export class CsvFileDrop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastSeq = 0;

  constructor(private readonly o: CsvDropOptions) {
    for (const dir of ['', 'processed', 'failed']) mkdirSync(join(o.folder, dir), { recursive: true });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.scan().finally(() => {
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
    const files = readdirSync(this.o.folder)
      .filter((f) => !f.startsWith('.') && statSync(join(this.o.folder, f)).isFile())
      .sort();
    for (const name of files) await this.take(name);
  }

  private async take(name: string): Promise<void> {
    const { folder } = this.o;
    const path = join(folder, name);
    let text: string;
    let occurredAt: string;
    try {
      text = readFileSync(path, 'utf8');
      occurredAt = statSync(path).mtime.toISOString();
    } catch {
      return;
    } // still being written or gone: the next scan sees it
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
    // Seqs must increase per source across files: the clock in microseconds, never repeating.
    this.lastSeq = Math.max(this.lastSeq + 1_000_000, this.o.now() * 1000);
    try {
      const { snapshots, rejected } = snapshotsFromCsv(text, this.o, { name, digest, occurredAt, firstSeq: this.lastSeq });
      const result = snapshots.length > 0 ? await this.o.ingest(snapshots) : undefined;
      this.lastSeq += snapshots.length + rejected.length + 1;
      const report = {
        file: name,
        location: this.o.location,
        rows: snapshots.length + rejected.length,
        accepted: result?.accepted ?? 0,
        duplicates: result?.duplicates ?? 0,
        rejected: [...rejected, ...(result?.rejected ?? []).map((r) => ({ line: NaN, message: r.errors.map((e) => `${e.path}: ${e.message}`).join('; ') }))],
        position: result?.position ?? null,
      };
      renameSync(path, join(folder, 'processed', name));
      writeFileSync(join(folder, 'processed', `${name}.result.json`), JSON.stringify(report, null, 2));
      this.o.log(
        rejected.length > 0 ? 'warn' : 'info',
        `${this.o.id}: ${name}: ${report.accepted} snapshots accepted, ${report.duplicates} duplicates, ${report.rejected.length} rows rejected`,
        { system: this.o.id, file: name },
      );
    } catch (err) {
      const reason = (err as Error).message;
      // Storage failures leave the file in place for the next scan; a file that cannot be read goes to failed/.
      if ((err as { retryable?: boolean }).retryable) {
        this.o.log('warn', `${this.o.id}: ${name}: ${reason}; will retry`);
        return;
      }
      renameSync(path, join(folder, 'failed', name));
      writeFileSync(join(folder, 'failed', `${name}.error.txt`), `${reason}\n`);
      this.o.log('warn', `${this.o.id}: ${name} could not be read: ${reason}`, { system: this.o.id, file: name });
    }
  }
}
