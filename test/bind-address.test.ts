/**
 * The hub listens where its banner says: on loopback unless told otherwise (HOST, or the file's
 * http.host), and a banner naming a wildcard address says so, with the URL to use locally.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnHub, stopGracefully } from './support/hub-process.js';
import { tempDataDir } from './support/test-hub.js';
import { listeningAt } from '../src/wiring/hub-process.js';

/** An address of this machine that is not loopback, if it has one. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** The status of GET /healthz at host:port, or the connection error's code. */
function healthz(host: string, port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/healthz', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

function hubFiles(fileText = 'locations:\n  DAL: { name: Dallas, authority: wms-dal }\n') {
  const dir = tempDataDir();
  const config = join(dir, 'hub.yaml');
  writeFileSync(config, fileText);
  return { CROSSDOCK_DATA_DIR: join(dir, 'data'), CROSSDOCK_CONFIG: config, CROSSDOCK_ADMIN_KEY: 'bind-admin-key-0123456789' };
}

test('without HOST the hub listens on loopback only, and its banner says 127.0.0.1', {
  skip: outside ? false : 'this machine has no non-loopback IPv4 address',
}, async () => {
  const hub = await spawnHub({ ...hubFiles(), HOST: '' });
  try {
    assert.match(hub.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(hub.url).port);
    assert.equal(await healthz('127.0.0.1', port), 200);
    assert.equal(await healthz(outside!, port), 'ECONNREFUSED', 'not reachable from the network');
  } finally {
    await stopGracefully(hub);
  }
});

test("the file's http.host is used when HOST is not set; a wildcard banner names it and the local URL", {
  skip: outside ? false : 'no non-loopback address',
}, async () => {
  const hub = await spawnHub({ ...hubFiles('http:\n  host: 0.0.0.0\n'), HOST: '' });
  try {
    assert.match(hub.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    const port = Number(new URL(hub.url).port);
    assert.match(hub.stderr(), new RegExp(`listening on http://0\\.0\\.0\\.0:${port}.*from this machine: http://127\\.0\\.0\\.1:${port}`));
    assert.equal(await healthz(outside!, port), 200, 'reachable on every interface, as the banner says');
  } finally {
    await stopGracefully(hub);
  }
});

test('listeningAt names the bound address and a URL a local client can call', () => {
  assert.deepEqual(listeningAt({ address: '127.0.0.1', family: 'IPv4', port: 8080 }, { host: '127.0.0.1', port: 8080 }), {
    url: 'http://127.0.0.1:8080',
    bound: 'http://127.0.0.1:8080',
  });
  assert.deepEqual(listeningAt({ address: '::', family: 'IPv6', port: 9 }, { host: '::', port: 9 }), { url: 'http://[::1]:9', bound: 'http://[::]:9' });
  assert.deepEqual(listeningAt({ address: '0.0.0.0', family: 'IPv4', port: 1 }, { host: '0.0.0.0', port: 1 }), {
    url: 'http://127.0.0.1:1',
    bound: 'http://0.0.0.0:1',
  });
});
