/**
 * The console as the hub serves it, without a browser: the built app at /console/ under the hub's
 * security headers, its first load within 300 KB of compressed JavaScript, the session a key
 * signs in with (scopes, never the key), and the dashboard's server-sent events.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY, startTestHub, type TestHub } from './support/test-hub.js';
import { CONSOLE_ROOT } from '../src/interfaces/http/routes/console.js';

let hub: TestHub;
before(async () => {
  hub = await startTestHub({ file: { locations: { DAL: { name: 'Dallas', authority: 'wms-dal' } }, channels: { web: { locations: ['DAL'] } } } });
});
after(() => hub.stop());

test('/console/ serves the built app under the same security policy as the API, and /console redirects to it', async () => {
  const res = await fetch(`${hub.url}/console/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const html = await res.text();
  const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(scripts.length > 0, html);
  assert.ok(!/<script(?![^>]*src=)[^>]*>/.test(html), 'no inline script: the policy would refuse it');
  const asset = await fetch(`${hub.url}${scripts[0]}`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  const redirect = await fetch(`${hub.url}/console`, { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/console/');
});

test("the console's first load is under 300 KB of gzip-compressed JavaScript", () => {
  const html = readFileSync(join(CONSOLE_ROOT, 'index.html'), 'utf8');
  // Everything the page loads at once: its entry script and the modules it preloads.
  const files = [...html.matchAll(/(?:src|href)="\/console\/([^"]+\.js)"/g)].map((m) => m[1]!);
  assert.ok(files.length > 0, 'the page names its scripts');
  const bytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(CONSOLE_ROOT, f))).length, 0);
  assert.ok(bytes < 300 * 1024, `first load is ${bytes} bytes compressed`);
});

test("the session names the key's scopes, never the key; an unknown key is 401", async () => {
  const ok = await hub.api('GET', '/v1/console/session');
  assert.equal(ok.status, 200);
  assert.equal(ok.body.name, 'admin');
  assert.ok(ok.body.scopes.includes('admin'));
  assert.ok(!JSON.stringify(ok.body).includes(ADMIN_KEY), 'the key is not sent back');
  const limited = await hub.api('POST', '/v1/keys', { name: 'reader', scopes: ['orders:read'] });
  assert.equal(limited.status, 201);
  const reader = await hub.api('GET', '/v1/console/session', undefined, { key: limited.body.key });
  assert.deepEqual(reader.body.scopes, ['orders:read']);
  assert.equal((await hub.api('GET', '/v1/console/session', undefined, { key: 'cdk_not-a-key-at-all-0000000000000' })).status, 401);
  assert.equal((await hub.api('GET', '/v1/console/session', undefined, { key: null })).status, 401);
  // The stream needs the metrics scope (or admin): a reader's key is refused naming it.
  const refused = await hub.api('GET', '/v1/console/stream', undefined, { key: limited.body.key });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.requiredScope, 'metrics');
});

test('the stream sends the dashboard figures as server-sent events, and the position follows the events taken', async () => {
  const abort = new AbortController();
  const res = await fetch(`${hub.url}/v1/console/stream`, { headers: { authorization: `Bearer ${ADMIN_KEY}` }, signal: abort.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const samples: any[] = [];
  const next = async () => {
    for (;;) {
      const cut = text.indexOf('\n\n');
      if (cut >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: sample') && data) return JSON.parse(data.slice(6));
        continue;
      }
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream stays open');
      text += decoder.decode(value, { stream: true });
    }
  };
  samples.push(await next());
  const first = samples[0];
  for (const field of ['at', 'position', 'eventsPerSecond', 'ordersPerSecond', 'destinations', 'openExceptionsByOwner']) assert.ok(field in first, field);
  const sent = await hub.api('POST', '/v1/events', [
    {
      id: 'console-1',
      type: 'inventory.snapshot',
      source: 'wms-dal',
      seq: 1,
      occurredAt: '2026-12-06T10:00:00Z',
      sku: 'ABC-100',
      location: 'DAL',
      balance: { onHand: 5 },
    },
  ]);
  assert.equal(sent.body.accepted, 1);
  let later = await next();
  while (later.position < sent.body.position) later = await next();
  assert.equal(later.position, sent.body.position);
  abort.abort();
});
