#!/usr/bin/env node
// The build: TypeScript into dist/, from an empty dist/ so a source file removed or renamed leaves
// no compiled copy behind for the test runner (or a test that loads every module) to find; then
// the operations console (console/, type-checked, bundled by Vite into dist/console, which the
// hub serves at /console/).
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url);
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
for (const project of ['tsconfig.json', 'console/tsconfig.json']) {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const { build } = await import('vite');
await build({ configFile: new URL('../console/vite.config.mjs', import.meta.url).pathname });
