// Mutation testing (`npm run mutate`): StrykerJS changes the code one small way at a time and runs
// the unit tests (node:test, read as TAP) against each change; a change no test notices is a
// guarantee nobody checks. Not part of `npm test`: a full run takes a long time on two cores.
// MUTATE=<glob> narrows a run to some files (for example MUTATE=src/domain/inventory/*.ts), and
// MUTATE_TESTS=<glob> to the unit tests that cover them (the run is only as fast as its tests).
const mutate = process.env.MUTATE
  ? process.env.MUTATE.split(',')
  : ['src/domain/**/*.ts', 'src/app/**/*.ts', '!src/**/*.test.ts', '!src/**/*.test-support.ts'];
const testFiles = process.env.MUTATE_TESTS ? process.env.MUTATE_TESTS.split(',') : ['dist/src/domain/**/*.test.js', 'dist/src/app/**/*.test.js'];

export default {
  testRunner: 'tap',
  tap: { testFiles },
  buildCommand: 'node scripts/clean-build.mjs',
  mutate,
  coverageAnalysis: 'perTest',
  // Two cores: one test process per core at most (`--concurrency 1` when the machine is shared).
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
