/**
 * The chaos suite's short variant (`npm run chaos` runs it at full size): each scenario of
 * test/chaos/ against a real hub process, at a size that keeps this file near a minute on two
 * cores. CHAOS_SCALE overrides every size, CHAOS_SEED the random choices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS } from './chaos/scenarios.js';
import { failures, table } from './chaos/support.js';

const SHORT: Record<string, number> = {
  'kill-restart': 0.02,
  'duplicates-reordered': 0.05,
  'simulator-outages': 0.05,
  'scarce-items': 0.2,
  'slow-client-flood': 0.1,
};
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

for (const [key, run] of Object.entries(SCENARIOS)) {
  test(`chaos: ${key} matches its oracle (seed ${seed})`, async () => {
    const report = await run({ scale: Number(process.env.CHAOS_SCALE ?? SHORT[key] ?? 0.05), seed });
    assert.deepEqual(
      failures(report).map((f) => f.figure),
      [],
      `${report.name}: ${report.setting}\n${table(report)}`,
    );
  });
}
