/**
 * Shared benchmark plumbing: the machine's details, percentiles, and writing a benchmark's
 * section into bench/results.md (each benchmark owns the text between its markers).
 */
import { cpus, totalmem, release, platform } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const RESULTS = fileURLToPath(new URL('../../bench/results.md', import.meta.url));

export function machine(): string {
  const cpu = cpus();
  const sqlite = (new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v;
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}, SQLite ${sqlite}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function writeSection(name: string, body: string): void {
  const start = `<!-- bench:${name} -->`,
    end = `<!-- /bench:${name} -->`;
  let text = existsSync(RESULTS)
    ? readFileSync(RESULTS, 'utf8')
    : '# Benchmark results\n\nWritten by `npm run bench`; each section is replaced by the benchmark that owns it.\n';
  const section = `${start}\n${body.trim()}\n\n_Measured ${new Date().toISOString()} on ${machine()}._\n${end}`;
  const i = text.indexOf(start),
    j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, text);
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
