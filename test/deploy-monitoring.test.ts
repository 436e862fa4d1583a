/**
 * The shipped Prometheus alert rules are valid and fire on the series that should raise them:
 * `promtool check rules` and `promtool test rules` (Debian's prometheus package; .ci/run installs
 * it). Skipped with the reason when promtool is missing, failed instead with CI=true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROMTOOL = process.env.PROMTOOL || 'promtool';
const RULES = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

function missing(): string | false {
  const found = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return false;
  const reason = `${PROMTOOL} is not installed (apt-get install prometheus)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it`);
  return `${reason}: skipped`;
}

const skip = missing();

test('the alert rules pass promtool check rules', { skip }, () => {
  const out = execFileSync(PROMTOOL, ['check', 'rules', 'crossdock-rules.yml'], { cwd: RULES, encoding: 'utf8' });
  assert.match(out, /SUCCESS: 8 rules found/);
});

test('the alert rules fire as their promtool tests expect', { skip }, () => {
  const run = spawnSync(PROMTOOL, ['test', 'rules', 'crossdock-rules.test.yml'], { cwd: RULES, encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /SUCCESS/);
});
