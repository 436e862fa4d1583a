// Mutation testing (`npm run mutate`): StrykerJS changes the code one small way at a time and runs
// the unit tests (node:test, read as TAP) against each change; a change no test notices is a
// guarantee nobody checks. Not part of `npm test`: a full run takes a long time on two cores.
// MUTATE=<glob> narrows a run to some files (for example MUTATE=src/domain/inventory/*.ts).
const mutate = process.env.MUTATE
  ? process.env.MUTATE.split(',')
  : ['src/domain/**/*.ts', '!src/domain/**/*.test.ts'];

export default {
  testRunner: 'tap',
  tap: { testFiles: ['dist/src/domain/**/*.test.js'] },
  buildCommand: 'node scripts/clean-build.mjs',
  mutate,
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
