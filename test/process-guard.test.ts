/**
 * The process-level policy on uncaught errors, in a real child process: a system error thrown from
 * a timer and a rejection nobody awaited are logged and survived; a TypeError thrown from a timer
 * is logged as fatal and ends the process with exit code 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const GUARD = fileURLToPath(new URL('../src/wiring/process-guard.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(body: string) {
  const script = `
    import { guardProcess } from ${JSON.stringify(GUARD)};
    import { pino } from 'pino';
    import { readFileSync } from 'node:fs';
    guardProcess(pino(pino.destination({ dest: 2, sync: true })));
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  const logs = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } });
  return { code: r.status, stdout: r.stdout, logs };
}

test('a system error thrown from a timer and an unawaited rejection are logged, and the process carries on', () => {
  const r = run(`
    setTimeout(() => readFileSync('/no/such/partner/file.edi'), 10);
    setTimeout(() => { Promise.reject(new TypeError('a lookup nobody awaited')); }, 20);
    setTimeout(() => console.log('still serving'), 100);
  `);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), 'still serving');
  assert.deepEqual(
    r.logs.map((l) => [l.level, l.err?.message.split(',')[0]]),
    [
      [50, 'ENOENT: no such file or directory'],
      [50, 'a lookup nobody awaited'],
    ],
  );
});

test('a programming error thrown from a timer is logged as fatal and ends the process with code 1', () => {
  const r = run(`
    setTimeout(() => { const order = undefined; order.lines.length; }, 10);
    setTimeout(() => console.log('should not run'), 500);
  `);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.logs.length, 1);
  assert.equal(r.logs[0]!.level, 60);
  assert.match(r.logs[0]!.err!.message, /Cannot read properties of undefined/);
});
