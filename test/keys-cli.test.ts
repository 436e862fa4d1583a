/** `crossdock keys create|list|revoke` against a running hub: the key printed once works, is listed, and is refused once revoked. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADMIN_KEY, NETWORK, startTestHub, type TestHub } from './support/test-hub.js';

const CLI = fileURLToPath(new URL('../../bin/crossdock.js', import.meta.url));
let hub: TestHub;
before(async () => {
  hub = await startTestHub({ file: NETWORK });
});
after(async () => {
  await hub.stop();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'keys', ...args], {
      env: { ...process.env, CROSSDOCK_URL: hub.url, CROSSDOCK_API_KEY: ADMIN_KEY },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('keys create prints the key once; list shows it without the secret; revoke makes it fail', async () => {
  const created = await cli('create', 'web shop', '--scopes', 'availability:read,orders:read', '--channels', 'web');
  assert.equal(created.code, 0, created.stderr);
  const key = /^key: (\S+)$/m.exec(created.stdout)![1]!;
  const id = /created key (key_[0-9a-f]+)/.exec(created.stdout)![1]!;
  assert.equal((await hub.api('GET', '/v1/orders', undefined, { key })).status, 200);

  const listed = await cli('list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${id}\\tweb shop\\tactive\\t${key.slice(0, 10)}…\\tavailability:read,orders:read\\tchannels web`));
  assert.ok(!listed.stdout.includes(key), 'the secret is not listed');

  const revoked = await cli('revoke', id);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /revoked at \d{4}-/);
  assert.equal((await hub.api('GET', '/v1/orders', undefined, { key })).status, 401);
  assert.match((await cli('list')).stdout, /\trevoked\t/);
});

test('keys create names the field the hub refused, and a wrong invocation says how to call it', async () => {
  const bad = await cli('create', 'x', '--scopes', 'orders:reed');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /400 .*\/scopes\/0/);
  const usage = await cli('create', 'x');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Usage: crossdock keys create NAME --scopes/);
});
