/**
 * A short slice of the fuzz suite (test/fuzz/fuzz-run.ts) on the embedded backend: a few hundred
 * generated and mutated inputs over HTTP and through the folders, each answered with a problem
 * naming the field or taken, parked or moved aside with its reason, and the hub's figures and
 * orders equal to the oracle afterwards. FUZZ_SLICE sets the size, FUZZ_SEED the seed (a failure
 * prints the seed to reproduce it). `npm run fuzz` runs the full suite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embedded } from './support/backends.js';
import { fixturesSkip } from './support/fixtures.js';
import { runFuzz } from './fuzz/fuzz-run.js';

const inputs = Number(process.env.FUZZ_SLICE ?? 400);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

test(`${inputs} fuzz inputs on the embedded hub: no 5xx, hang or crash; refusals name the field; state equals the oracle`, {
  skip: fixturesSkip(),
  timeout: 180_000,
}, async () => {
  const figures = await runFuzz({ backend: embedded, inputs, seed });
  assert.deepEqual(figures.failures, [], `seed ${seed} (FUZZ_SEED=${seed} reproduces it): ${JSON.stringify(figures.outcomes)}`);
  assert.ok(figures.compared.stockFigures > 0 && figures.compared.orders > 0, `compared ${JSON.stringify(figures.compared)}`);
});
