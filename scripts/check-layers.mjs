#!/usr/bin/env node
// The layering rule of docs/ARCHITECTURE.md as a lint check over every file under src/: each layer
// imports only the layers below it, model/domain/ports/app stay free of I/O packages, no file
// reaches out of src/ (into sim/, bench/ or test/), src/ uses only packages it ships with, and no
// two files import each other, directly or round a longer loop. Imports are read with
// TypeScript's own pre-processor, not regexes. `--root DIR` checks another tree (the tests do).
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? resolve(process.argv[rootArg + 1]) : resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

const PURE_PACKAGES = ['@sinclair/typebox', '@sinclair/typebox/compiler', '@sinclair/typebox/value'];
const ANY_PACKAGE = '*';
const ANY_LAYER = '*';

// Each layer names the layers it may import and the packages it may use. A file belongs to the
// longest layer path that contains it; a layer may always import itself. main.ts is the wiring root.
const LAYERS = {
  model: { mayImport: [], packages: PURE_PACKAGES },
  domain: { mayImport: ['model'], packages: PURE_PACKAGES },
  ports: { mayImport: ['domain', 'model'], packages: [] },
  // cockatiel: resilience policies (circuit breaker) over callbacks the app passes in; it does no I/O itself.
  app: { mayImport: ['ports', 'domain', 'model'], packages: ['node:crypto', 'cockatiel'] },
  adapters: { mayImport: ['ports', 'domain', 'model'], packages: [ANY_PACKAGE] },
  connectors: { mayImport: ['ports', 'domain', 'model'], packages: [ANY_PACKAGE] },
  config: { mayImport: ['domain', 'model'], packages: [ANY_PACKAGE] },
  'interfaces/http': { mayImport: ['app', 'ports', 'domain', 'model'], packages: [ANY_PACKAGE] },
  // The CLI is where a process begins: it reads the config file and hands it to the wiring.
  'interfaces/cli': { mayImport: ['interfaces/http', 'app', 'ports', 'domain', 'model', 'config', 'wiring', 'main.ts'], packages: [ANY_PACKAGE] },
  wiring: { mayImport: [ANY_LAYER], packages: [ANY_PACKAGE] },
  'main.ts': { mayImport: [ANY_LAYER], packages: [ANY_PACKAGE] },
};

function* sourceFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

const posix = (p) => p.split(sep).join('/');

/** The layer a path under src/ belongs to, or undefined when no layer claims it. */
function layerOf(srcPath) {
  return Object.keys(LAYERS)
    .filter((layer) => srcPath === layer || srcPath.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

/** The packages src/ ships with: node's own modules and package.json's dependencies (not devDependencies). */
function shippedPackages() {
  const manifest = join(root, 'package.json');
  const deps = existsSync(manifest) ? Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {}) : [];
  return { builtin: new Set(builtinModules), deps: new Set(deps) };
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function allowedPackage(packages, specifier) {
  return packages.includes(ANY_PACKAGE) || packages.includes(specifier);
}

/** The .ts file a relative import names (TypeScript's NodeNext spelling: `./x.js` for `./x.ts`). */
function resolveImport(fromFile, specifier) {
  const target = resolve(dirname(fromFile), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, join(target, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return target.replace(/\.js$/, '.ts');
}

const problems = [];
const report = (file, specifier, why) => {
  const named = specifier.startsWith('.') ? specifier : `'${specifier}'`;
  problems.push(`${posix(relative(root, file))} imports ${named}: ${why}`);
};

const shipped = shippedPackages();
const graph = new Map();
const files = existsSync(src) ? [...sourceFiles(src)] : [];
for (const file of files) {
  const own = posix(relative(src, file));
  const layer = layerOf(own);
  const edges = [];
  graph.set(file, edges);
  if (layer === undefined) {
    problems.push(`src/${own} sits in no layer: put it under one of ${Object.keys(LAYERS).join(', ')}`);
    continue;
  }
  const rule = LAYERS[layer];
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  for (const { fileName: specifier } of importedFiles) {
    if (specifier.startsWith('.')) {
      const target = resolveImport(file, specifier);
      const inSrc = posix(relative(src, target));
      if (inSrc.startsWith('../')) {
        report(
          file,
          specifier,
          `src/ must not import outside src/ (found ${posix(relative(root, target))}); sim/, bench/ and test/ use src/, never the reverse`,
        );
        continue;
      }
      edges.push(target);
      const targetLayer = layerOf(inSrc);
      const allowed = targetLayer === layer || rule.mayImport.includes(ANY_LAYER) || rule.mayImport.includes(targetLayer);
      if (!allowed) report(file, specifier, `${layer}/ may import only ${[layer, ...rule.mayImport].join(', ')}`);
    } else {
      const bare = specifier.replace(/^node:/, '');
      const isBuiltin = shipped.builtin.has(bare) || shipped.builtin.has(specifier);
      if (!allowedPackage(rule.packages, specifier)) {
        report(file, specifier, `${layer}/ must stay free of I/O and frameworks (may use ${rule.packages.join(', ') || 'no packages'})`);
      } else if (!isBuiltin && !shipped.deps.has(packageName(specifier)) && existsSync(join(root, 'package.json'))) {
        report(file, specifier, `'${packageName(specifier)}' is not among package.json's dependencies, so an installed hub would not have it`);
      }
    }
  }
}

// Import cycles, found as strongly connected components (Tarjan); each is reported once, as a loop.
function cycles() {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) found.push({ loop: loopThrough(new Set(component), node), knot: component });
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** One concrete loop inside a strongly connected component, starting and ending at `start`. */
function loopThrough(component, start) {
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

for (const { loop, knot } of cycles()) {
  const others = knot.filter((f) => !loop.includes(f)).map((f) => posix(relative(root, f)));
  const alsoIn = others.length > 0 ? ` (the same knot also holds ${others.sort().join(', ')})` : '';
  problems.push(`import cycle: ${loop.map((f) => posix(relative(root, f))).join(' -> ')}${alsoIn}`);
}

if (problems.length > 0) {
  console.error(`Layering check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`layering check: ${files.length} files under src/ import only what their layer allows, nothing outside src/, no cycles`);
