/**
 * Refusals say what to do about them: a wrong content type names the one to send, an oversized
 * body states the limit, an enumerated field lists the values it takes, and `crossdock ingest`
 * counts what was parked. These answers come from the HTTP layer both backends share; the order
 * refusals that differ by backend are in test/behaviour/order-capture.behaviour.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_KEY, NETWORK, movement, startTestHub, type TestHub } from './support/test-hub.js';
import { CLI } from './support/hub-process.js';

let hub: TestHub;
before(async () => {
  hub = await startTestHub({ file: NETWORK });
});
after(async () => {
  await hub.stop();
});

test('a body that is not JSON is 415 and says to send content-type: application/json', async () => {
  const res = await hub.api('POST', '/v1/events', undefined, { raw: 'sku,qty\nA,1\n', headers: { 'content-type': 'text/csv' } });
  assert.equal(res.status, 415);
  assert.equal(res.body.type, 'urn:crossdock:problem:unsupported_body');
  assert.match(res.body.detail, /content-type: application\/json/);
});

/** Announces a body one byte over `bytes` and sends only its start: the hub refuses on the header. */
function postOversized(bytes: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL('/v1/events', hub.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(bytes + 1), authorization: `Bearer ${ADMIN_KEY}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.write('[');
  });
}

test('an oversized body is 413 and states the limit in bytes', async () => {
  const limit = 64 * 1024 * 1024;
  const res = await postOversized(limit);
  assert.equal(res.status, 413);
  assert.equal(res.body.type, 'urn:crossdock:problem:body_too_large');
  assert.equal(res.body.limitBytes, limit);
  assert.match(String(res.body.detail), new RegExp(`limit is ${limit} bytes`));
});

test('an enumerated field with a value it does not take lists the values it does', async () => {
  const res = await hub.api('POST', '/v1/events', [movement({ sku: 'ENUM-1', location: 'DAL', delta: { onHand: 1 }, reason: 'misplaced' })]);
  assert.equal(res.status, 200);
  assert.equal(res.body.rejected.length, 1);
  const issue = res.body.rejected[0].errors.find((e: { path: string }) => e.path === '/reason');
  assert.ok(issue, JSON.stringify(res.body.rejected));
  assert.match(issue.message, /^must be one of .*\badjustment\b/);
  assert.match(issue.message, /\bpick\b/);
});

test('crossdock ingest says how many events were parked, and why', async () => {
  const file = join(hub.dataDir, 'events.ndjson');
  const events = [
    movement({ sku: 'PARK-1', location: 'DAL', delta: { onHand: 5 } }),
    movement({ source: 'wms-reno', sku: 'PARK-1', location: 'RNO', delta: { onHand: 3 } }),
    movement({ source: 'wms-reno', sku: 'PARK-2', location: 'RNO', delta: { onHand: 4 } }),
  ];
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'ingest', file, '--url', hub.url, '--key', ADMIN_KEY], { encoding: 'utf8' });
  assert.match(stdout, /accepted 3, duplicates 0, rejected 0, parked 2;/);
  assert.match(stdout, /event 1: .*RNO/);
  assert.match(stdout, /event 2: .*RNO/);
});
