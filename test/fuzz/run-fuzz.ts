/**
 * `npm run fuzz`: the full fuzz suite. FUZZ_INPUTS (default 10,000) inputs per backend, FUZZ_SEED
 * (default: the time), FUZZ_BACKENDS (default "embedded,scale-out"; scale-out is skipped with a
 * message when PostgreSQL or NATS is not there). Prints the figures and the machine, writes them
 * as JSON to FUZZ_REPORT when set, and exits 1 on any failure.
 */
import { cpus, release, type as osType } from 'node:os';
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { embedded, scaleOut, type Backend } from '../support/backends.js';
import { fixturesSkip } from '../support/fixtures.js';
import { runFuzz, type FuzzFigures } from './fuzz-run.js';

const inputs = Number(process.env.FUZZ_INPUTS ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const wanted = (process.env.FUZZ_BACKENDS ?? 'embedded,scale-out').split(',');
const skip = fixturesSkip();
if (skip) {
  console.log(`fuzz: skipped: ${skip}`);
  process.exit(0);
}

const machine = {
  nproc: cpus().length,
  uname: (() => {
    try {
      return execSync('uname -a').toString().trim();
    } catch {
      return `${osType()} ${release()}`;
    }
  })(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
};
const results: (FuzzFigures | { backend: string; skipped: string })[] = [];
for (const backend of [embedded, scaleOut] as Backend[]) {
  if (!wanted.includes(backend.name)) continue;
  const unavailable = await backend.unavailable();
  if (unavailable) {
    console.log(`fuzz on ${backend.name}: skipped: ${unavailable}`);
    results.push({ backend: backend.name, skipped: unavailable });
    continue;
  }
  console.log(`fuzz on ${backend.name}: ${inputs} inputs, seed ${seed}`);
  const figures = await runFuzz({ backend, inputs, seed, progress: (line) => console.log(`  ${line}`) });
  results.push(figures);
  console.log(JSON.stringify(figures, null, 2));
}
console.log(JSON.stringify({ machine }, null, 2));
if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
const failed = results.some((r) => 'failures' in r && r.failures.length > 0);
process.exit(failed ? 1 : 0);
