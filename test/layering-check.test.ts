/**
 * scripts/check-layers.mjs against throwaway source trees: a clean tree passes, and each kind of
 * breach fails with a message naming the file that breaks the rule. The real tree is checked by
 * `npm run lint`; this proves the check would notice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts/check-layers.mjs');

/** A tree with one small file per layer, each importing only what its layer may. */
const CLEAN: Record<string, string> = {
  'package.json': JSON.stringify({ dependencies: { fastify: '5.12.8', '@sinclair/typebox': '0.34.52' }, devDependencies: { 'fast-check': '4.10.2' } }),
  'src/model/sku.ts': `import { Type } from '@sinclair/typebox';\nexport const Sku = Type.String();\n`,
  'src/domain/stock.ts': `import type { Sku } from '../model/sku.js';\nexport const onHand = (s: typeof Sku) => s;\n`,
  'src/ports/store.ts': `import { onHand } from '../domain/stock.js';\nexport interface Store { get: typeof onHand }\n`,
  'src/app/look-up.ts': `import type { Store } from '../ports/store.js';\nimport { randomUUID } from 'node:crypto';\nexport const lookUp = (s: Store) => [s, randomUUID()];\n`,
  'src/adapters/sqlite-store.ts': `import type { Store } from '../ports/store.js';\nimport { readFileSync } from 'node:fs';\nexport const open = (): Store | string => readFileSync('x', 'utf8');\n`,
  'src/connectors/shop.ts': `import type { Store } from '../ports/store.js';\nexport const shop = (s: Store) => s;\n`,
  'src/config/hub-config.ts': `import { Sku } from '../model/sku.js';\nexport const config = { Sku };\n`,
  'src/interfaces/http/server.ts': `import Fastify from 'fastify';\nimport { lookUp } from '../../app/look-up.js';\nexport const api = () => [Fastify(), lookUp];\n`,
  'src/interfaces/cli/start.ts': `import { config } from '../../config/hub-config.js';\nimport { startHub } from '../../main.js';\nexport const start = () => startHub(config);\n`,
  'src/wiring/hub.ts': `import { open } from '../adapters/sqlite-store.js';\nimport { api } from '../interfaces/http/server.js';\nexport const wire = () => [open, api];\n`,
  'src/main.ts': `import { wire } from './wiring/hub.js';\nexport const startHub = (c: unknown) => [wire(), c];\n`,
  'sim/erp.ts': `export const erp = 1;\n`,
};

function check(changes: Record<string, string>): { ok: boolean; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-layers-'));
  try {
    for (const [path, text] of Object.entries({ ...CLEAN, ...changes })) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const run = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function assertRefused(changes: Record<string, string>, ...expected: RegExp[]): void {
  const { ok, output } = check(changes);
  assert.equal(ok, false, `the check passed a tree it should refuse:\n${output}`);
  for (const pattern of expected) assert.match(output, pattern);
}

test('a tree that keeps every layer to its imports passes', () => {
  const { ok, output } = check({});
  assert.equal(ok, true, output);
  assert.match(output, /layering check/);
});

test('domain importing an adapter fails, naming the file', () => {
  assertRefused(
    { 'src/domain/stock.ts': `import { open } from '../adapters/sqlite-store.js';\nexport const onHand = open;\n` },
    /src\/domain\/stock\.ts imports \.\.\/adapters\/sqlite-store\.js: domain\/ may import only domain, model/,
  );
});

test('app importing the HTTP interface fails, naming the file', () => {
  assertRefused(
    { 'src/app/look-up.ts': `import { api } from '../interfaces/http/server.js';\nexport const lookUp = api;\n` },
    /src\/app\/look-up\.ts imports \.\.\/interfaces\/http\/server\.js: app\/ may import only/,
  );
});

test('a connector importing an adapter fails', () => {
  assertRefused(
    { 'src/connectors/shop.ts': `import { open } from '../adapters/sqlite-store.js';\nexport const shop = open;\n` },
    /src\/connectors\/shop\.ts imports \.\.\/adapters\/sqlite-store\.js: connectors\/ may import only/,
  );
});

test('an import cycle fails, naming each file round the loop', () => {
  assertRefused(
    {
      'src/app/reserve.ts': `import { release } from './release.js';\nexport const reserve = () => release;\n`,
      'src/app/release.ts': `import type { reserve } from './reserve.js';\nexport const release = (r: typeof reserve) => r;\n`,
    },
    /import cycle: src\/app\/(reserve|release)\.ts -> src\/app\/(reserve|release)\.ts -> src\/app\/(reserve|release)\.ts/,
  );
});

test('a longer cycle across layers allowed to import each other fails too', () => {
  assertRefused(
    {
      'src/wiring/hub.ts': `import { startHub } from '../main.js';\nexport const wire = () => startHub;\n`,
    },
    /import cycle: .*src\/main\.ts/,
    /import cycle: .*src\/wiring\/hub\.ts/,
  );
});

test('src importing sim/ fails, naming the file', () => {
  assertRefused(
    { 'src/wiring/hub.ts': `import { erp } from '../../sim/erp.js';\nexport const wire = () => erp;\n` },
    /src\/wiring\/hub\.ts imports \.\.\/\.\.\/sim\/erp\.js: src\/ must not import outside src\//,
  );
});

test('a package import in a pure layer fails, naming the file', () => {
  for (const [file, text] of [
    ['src/domain/stock.ts', `import Fastify from 'fastify';\nexport const onHand = Fastify;\n`],
    ['src/model/sku.ts', `import { readFileSync } from 'node:fs';\nexport const Sku = readFileSync;\n`],
    ['src/ports/store.ts', `import pg from 'pg';\nexport interface Store { get: typeof pg }\n`],
    ['src/app/look-up.ts', `import { readFileSync } from 'node:fs';\nexport const lookUp = readFileSync;\n`],
  ] as const) {
    const escaped = file.replace(/[/.]/g, (c) => `\\${c}`);
    assertRefused({ [file]: text }, new RegExp(`${escaped} imports '[^']+': [a-z]+/ must stay free of I/O and frameworks`));
  }
});

test('src using a package it does not ship with (a devDependency) fails', () => {
  assertRefused(
    { 'src/adapters/sqlite-store.ts': `import fc from 'fast-check';\nexport const open = () => fc;\n` },
    /src\/adapters\/sqlite-store\.ts imports 'fast-check': 'fast-check' is not among package\.json's dependencies/,
  );
});

test('a file outside every layer fails', () => {
  assertRefused({ 'src/helpers/misc.ts': `export const x = 1;\n` }, /src\/helpers\/misc\.ts sits in no layer/);
});
