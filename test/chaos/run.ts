/**
 * `npm run chaos`: every chaos scenario at full size (CHAOS_SCALE=1 unless set), one after the
 * other on the embedded backend; prints each table and writes them all to docs/chaos-results.md
 * with the machine's details. Exits 1 when any figure differs from its oracle.
 * `npm run chaos -- kill scarce` runs the scenarios whose key contains one of the words.
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { failures, scaleOutUnavailable, table, type ScenarioReport } from './support.js';
import { SCENARIOS } from './scenarios.js';

const RESULTS = fileURLToPath(new URL('../../../docs/chaos-results.md', import.meta.url));
const scale = Number(process.env.CHAOS_SCALE ?? '1');
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const chosen = process.argv.slice(2);

const reports: ScenarioReport[] = [];
const skipped: string[] = [];
for (const { key, backend, run } of SCENARIOS) {
  if (chosen.length > 0 && !chosen.some((c) => key.includes(c))) continue;
  const unavailable = backend === 'scale-out' ? await scaleOutUnavailable() : undefined;
  if (unavailable) {
    skipped.push(`${key}: ${unavailable}`);
    console.log(`\n## ${key}: skipped, ${unavailable}`);
    continue;
  }
  console.log(`\n## ${key} (scale ${scale}, seed ${seed})`);
  const report = await run({ scale, seed });
  reports.push(report);
  console.log(`${report.name}: ${report.setting}\n${table(report)}`);
}

const failed = reports.filter((r) => failures(r).length > 0);
writeFileSync(RESULTS, resultsFile(reports));
console.log(`\nwritten to ${RESULTS}`);
if (failed.length > 0) {
  console.error(`\n${failed.length} scenario(s) differ from their oracle: ${failed.map((r) => r.name).join('; ')}`);
  process.exitCode = 1;
}

function resultsFile(rs: ScenarioReport[]): string {
  const sections = rs.map((r) => `## ${r.name}\n\n${r.setting}\n\n${table(r)}\n`);
  return `# Chaos results

Written by \`npm run chaos\` (test/chaos/, described in README.md, "Chaos suite"); every figure is
compared with an oracle computed from the traffic the scenario generated.

- date: ${new Date().toISOString()}
- scale: CHAOS_SCALE=${scale}, seed: CHAOS_SEED=${seed}, backends: embedded for every scenario, scale-out as well for those marked so (each hub a \`node bin/crossdock.js start\` process)
- nproc: ${cpus().length} (${cpus()[0]?.model ?? 'unknown CPU'}), memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB
- uname -a: ${execSync('uname -a').toString().trim()}
- node: ${process.version}
- skipped: ${skipped.length === 0 ? 'none' : skipped.join('; ')}
- verdict: ${rs.every((r) => failures(r).length === 0) ? 'every figure matches its oracle' : `${rs.filter((r) => failures(r).length > 0).length} scenario(s) differ from their oracle`}

${sections.join('\n')}`;
}
