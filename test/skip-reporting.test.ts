/**
 * Nothing is skipped silently: a run that cannot reach PostgreSQL names every suite it left out,
 * with the reason, in its summary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('a run without PostgreSQL names each skipped suite and why in its summary', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
  delete env.CI;
  // Run as a top-level test run, not as a child reporting to this one.
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'contract-control-numbers'], { env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const summary = run.stdout.slice(run.stdout.indexOf('# skipped:'));
  assert.match(summary, /# skipped: [1-9]\d* suite\(s\) or test\(s\) did not run/);
  assert.match(summary, /postgres.*127\.0\.0\.1:1\/none.*skipped/i);
});
