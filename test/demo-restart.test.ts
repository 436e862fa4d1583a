/**
 * The first ten minutes of a new user, over the real `crossdock start` with the bundled demo:
 * the generated admin key is kept (owner-only) and reused after a restart, the CLI finds the
 * local hub and its key with nothing exported, says which URL it tried when no hub answers, the
 * shutdown says it was clean, and a restart raises no order exceptions (the demo's 3PL must not
 * ship again what it already confirmed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, spawnHub, stopGracefully } from './support/hub-process.js';
import { tempDataDir } from './support/test-hub.js';

const DEMO = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));
const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The README's "Try it" commands, one per entry (continued lines joined). */
function tryItCommands(): string[] {
  const start = README.indexOf('Try it while the demo runs');
  assert.ok(start >= 0, 'the README has its "Try it" block');
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(start))![1]!;
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Runs each "Try it" command as pasted, against the hub on `port` instead of 8080; each must succeed. */
function runTryIt(cwd: string, port: string): void {
  for (const command of tryItCommands()) {
    const line = command.replaceAll('npx crossdock', `"${process.execPath}" "${CLI}"`).replaceAll('localhost:8080', `localhost:${port}`);
    const r = spawnSync('bash', ['-c', line], { cwd, env: { ...secondTerminalEnv(), PORT: port }, encoding: 'utf8' });
    assert.equal(r.status, 0, `${command}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /"status":\s*[45]\d\d/, `${command} answered an error: ${r.stdout}`);
    assert.notEqual(r.stdout.trim(), '', `${command} printed nothing`);
  }
}

/** The environment of a fresh terminal: nothing of Crossdock's exported. */
function secondTerminalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CROSSDOCK_') && k !== 'PORT') env[k] = v;
  return env;
}

/** The CLI as typed in a second terminal in the project folder: nothing exported but the hub's port. */
function cliInSecondTerminal(cwd: string, port: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...secondTerminalEnv(), PORT: port }, encoding: 'utf8' });
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('the demo restarts with its admin key, no false order exceptions and a clean shutdown line; the CLI finds the hub by itself', {
  timeout: 240_000,
}, async () => {
  const project = tempDataDir();
  const dataDir = join(project, 'data');
  mkdirSync(dataDir);
  // The bundled demo, with orders coming faster so the 3PL has shipped a few within seconds.
  const config = join(project, 'demo.yaml');
  const demo = readFileSync(DEMO, 'utf8');
  assert.match(demo, /ordersPerMinute: \d+/);
  writeFileSync(config, demo.replace(/ordersPerMinute: \d+/, 'ordersPerMinute: 90'));
  const env = { CROSSDOCK_DATA_DIR: dataDir, CROSSDOCK_CONFIG: config, CROSSDOCK_ADMIN_KEY: '', CROSSDOCK_DEMO_TRAFFIC: 'on' };
  const shipped = () => {
    const dir = join(dataDir, 'edi', '3pl-rno', 'processed');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('945')).length : 0;
  };
  let hub = await spawnHub(env);
  try {
    const keyFile = join(dataDir, 'admin.key');
    assert.match(hub.stderr(), /generated the admin key/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the admin key file is readable by its owner only');
    const key = readFileSync(keyFile, 'utf8').trim();
    assert.ok(hub.stderr().includes(key), 'the generated key is printed once, for the person who started the hub');
    const port = new URL(hub.url).port;

    const lookup = cliInSecondTerminal(project, port, ['availability', 'ABC-100', '--channel', 'web']);
    assert.equal(lookup.status, 0, lookup.stderr);
    assert.match(lookup.stdout, /ABC-100 on web: \d+ available/);
    runTryIt(project, port);

    await waitFor('the 3PL to confirm three shipments', () => shipped() >= 3);
    assert.equal(await stopGracefully(hub), 0);
    assert.match(hub.stderr(), /stopped cleanly/);
    const shippedBefore = shipped();

    const nobody = cliInSecondTerminal(project, port, ['availability', 'ABC-100', '--channel', 'web']);
    assert.equal(nobody.status, 69);
    assert.match(nobody.stderr, new RegExp(`no hub answered at http://127\\.0\\.0\\.1:${port}`));
    assert.match(nobody.stderr, /CROSSDOCK_URL/);

    hub = await spawnHub({ ...env, PORT: port });
    assert.match(hub.stderr(), /Admin key from .*admin\.key/);
    assert.ok(!hub.stderr().includes(key), 'a kept key is not printed again');
    const again = cliInSecondTerminal(project, port, ['availability', 'ABC-100', '--channel', 'web']);
    assert.equal(again.status, 0, `the same key works after the restart: ${again.stderr}`);
    runTryIt(project, port);

    // The 3PL looks at its folder every 4 s and the hub at the 3PL's every 2 s: wait for a new
    // confirmation to go through after the restart, so anything re-sent has been taken too.
    await waitFor('a shipment confirmed after the restart', () => shipped() > shippedBefore);
    await new Promise((r) => setTimeout(r, 6000));
    const res = await fetch(`${hub.url}/v1/order-exceptions`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const { exceptions } = (await res.json()) as { exceptions: unknown[] };
    assert.deepEqual(exceptions, [], 'no order exceptions after the restart');
    assert.equal(await stopGracefully(hub), 0);
  } finally {
    if (hub.child.exitCode === null) await stopGracefully(hub);
    rmSync(project, { recursive: true, force: true });
  }
});
