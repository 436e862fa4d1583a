#!/usr/bin/env node
// Runs every compiled test (dist/**/*.test.js) with Node's test runner. Unit tests sit next to
// their code under src/, integration suites under test/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

function* find(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* find(p);
    else if (p.endsWith('.test.js')) yield p;
  }
}

const filter = process.argv.slice(2);
const files = [...find('dist/src'), ...find('dist/test')].filter((f) => filter.length === 0 || filter.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files found under dist/: run `npm run build` first');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'crossdock-tests-'));
const skipsFile = join(scratch, 'skipped.json');
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    `--test-reporter=${new URL('./skip-summary.mjs', import.meta.url).pathname}`,
    `--test-reporter-destination=${skipsFile}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
reportSkips();
rmSync(scratch, { recursive: true, force: true });
process.exit(result.status ?? 1);

/** Nothing is skipped silently: every suite or test that did not run is named with its reason. */
function reportSkips() {
  let skipped = [];
  try {
    skipped = JSON.parse(readFileSync(skipsFile, 'utf8'));
  } catch {
    return;
  }
  if (skipped.length === 0) {
    console.log('# skipped: none');
    return;
  }
  console.log(`# skipped: ${skipped.length} suite(s) or test(s) did not run`);
  for (const s of skipped) console.log(`#   ${s.file ? relative(process.cwd(), s.file) : '?'} — ${s.name}: ${s.reason}`);
}
