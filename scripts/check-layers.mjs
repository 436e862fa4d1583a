#!/usr/bin/env node
// The layering rule of docs/ARCHITECTURE.md as a lint check: domain/ and model/ import nothing that does I/O
// (only each other and pure libraries); ports import no adapters; app imports no adapters or
// interfaces. Imports are read with TypeScript's own pre-processor, not regexes.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? resolve(process.argv[rootArg + 1]) : resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');
const PURE_PACKAGES = new Set(['@sinclair/typebox', '@sinclair/typebox/compiler', '@sinclair/typebox/value']);

const rules = [
  { layer: 'domain', mayImport: ['domain', 'model'], packages: PURE_PACKAGES },
  { layer: 'model', mayImport: ['model'], packages: PURE_PACKAGES },
  { layer: 'ports', mayImport: ['ports', 'domain', 'model'], packages: new Set() },
  // cockatiel: resilience policies (circuit breaker) over callbacks the app passes in; it does no I/O itself.
  { layer: 'app', mayImport: ['app', 'ports', 'domain', 'model'], packages: new Set(['node:crypto', 'cockatiel']) },
];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const problems = [];
for (const rule of rules) {
  const dir = join(src, rule.layer);
  if (!existsSync(dir)) continue;
  for (const file of files(dir)) {
    if (file.endsWith('.test.ts')) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) {
        const target = relative(src, resolve(dirname(file), fileName));
        const layer = target.split('/')[0];
        if (target.startsWith('..') || !rule.mayImport.includes(layer)) {
          problems.push(`${relative(root, file)} imports ${fileName}: ${rule.layer}/ may import only ${rule.mayImport.join(', ')}`);
        }
      } else if (!rule.packages.has(fileName)) {
        problems.push(`${relative(root, file)} imports '${fileName}': ${rule.layer}/ must stay free of I/O and frameworks`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`Layering check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layering check: domain, model, ports and app import only what their layer allows');
