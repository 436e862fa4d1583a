/**
 * The chaos suite's short variant (`npm run chaos` runs it at full size): each scenario of
 * test/chaos/ against a real hub process, at a size that keeps this file near a minute on two
 * cores. CHAOS_SCALE overrides every size, CHAOS_SEED the random choices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS } from './chaos/scenarios.js';
import { failures, scaleOutUnavailable, table } from './chaos/support.js';

const SHORT: Record<string, number> = {
  'kill-restart': 0.02,
  'duplicates-reordered': 0.05,
  'simulator-outages': 0.05,
  'scarce-items': 0.2,
  'slow-client-flood': 0.1,
  'scarce-items-scale-out': 0.2,
};
// Each restart of a scale-out process takes seconds (and an order caught mid-capture waits for its lease): `npm run chaos` only.
const CHAOS_ONLY = new Set(['kill-restart-scale-out']);
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

const scaleOutSkip = await scaleOutUnavailable();

for (const { key, backend, run } of SCENARIOS) {
  if (CHAOS_ONLY.has(key)) continue;
  const skip = backend === 'scale-out' && scaleOutSkip ? `${scaleOutSkip}: skipped` : false;
  if (skip && process.env.CI === 'true') throw new Error(`${scaleOutSkip}; CI=true requires them`);
  test(`chaos: ${key} matches its oracle (seed ${seed})`, { skip }, async () => {
    const report = await run({ scale: Number(process.env.CHAOS_SCALE ?? SHORT[key] ?? 0.05), seed });
    assert.deepEqual(
      failures(report).map((f) => f.figure),
      [],
      `${report.name}: ${report.setting}\n${table(report)}`,
    );
  });
}
