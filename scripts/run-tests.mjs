#!/usr/bin/env node
// Runs every compiled test (dist/**/*.test.js) with Node's test runner. Unit tests sit next to
// their code under src/, integration suites under test/.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
