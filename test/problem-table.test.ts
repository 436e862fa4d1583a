/**
 * Every CrossdockError the hub defines has an answer in the HTTP problem table
 * (src/interfaces/http/problem.ts): a class added without one would be answered 500, and this
 * test names it. Classes are found by loading every compiled module under src/, not from a list
 * that could fall behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CrossdockError } from '../src/domain/errors.js';
import { toProblem } from '../src/interfaces/http/problem.js';

const compiledSrc = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function* modules(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* modules(p);
    else if (p.endsWith('.js') && !p.endsWith('.test.js')) yield p;
  }
}

type ErrorClass = new (...args: unknown[]) => CrossdockError;

async function crossdockErrorClasses(): Promise<Map<string, ErrorClass>> {
  const found = new Map<string, ErrorClass>();
  for (const file of modules(compiledSrc)) {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof CrossdockError) found.set(`${relative(compiledSrc, file)}: ${name}`, value as ErrorClass);
    }
  }
  return found;
}

/** An instance built from placeholder arguments: empty lists read as empty text and empty shortfalls alike. */
const instanceOf = (Class: ErrorClass): CrossdockError => new Class(...Array.from({ length: Class.length }, () => []));

test('every CrossdockError subclass has its own answer in the problem table', async () => {
  const classes = await crossdockErrorClasses();
  assert.ok(classes.size >= 20, `found only ${classes.size} error classes under ${compiledSrc}`);
  const missing: string[] = [];
  for (const [where, Class] of classes) {
    const err = instanceOf(Class);
    const problem = toProblem(err);
    if (problem.status === 500) missing.push(`${where} (code '${err.code}')`);
    else assert.equal(problem.type, `urn:crossdock:problem:${err.code}`, where);
  }
  assert.deepEqual(missing, [], `error codes with no entry in the problem table of src/interfaces/http/problem.ts: ${missing.join(', ')}`);
});

test('an error whose code the table lacks is answered 500, not given a guessed status', () => {
  class UnmappedError extends CrossdockError {
    readonly code = 'never_mapped';
  }
  const problem = toProblem(new UnmappedError('a condition nobody mapped'));
  assert.equal(problem.status, 500);
  assert.equal(problem.type, 'urn:crossdock:problem:internal');
});
