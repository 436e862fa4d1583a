/**
 * Security headers on the docs UI and on problem answers, and a Content-Security-Policy the docs
 * UI still runs under: every script, style and image its page names comes from the hub itself,
 * the page has no inline script or style the policy would block, and the OpenAPI document it
 * fetches is served from the same origin.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from './support/test-hub.js';

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

/** The policy's directives by name. */
function policy(res: Response): Map<string, string[]> {
  const header = res.headers.get('content-security-policy');
  assert.ok(header, `${res.url} carries a Content-Security-Policy`);
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

function assertHardened(res: Response): void {
  const csp = policy(res);
  assert.deepEqual(csp.get('script-src'), ["'self'"], res.url);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(csp.get('object-src'), ["'none'"]);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
}

test('the docs UI loads under the policy: its page and every asset it names come from the hub, with the headers, and it names no inline code', async () => {
  const page = await fetch(`${hub.url}/docs/`);
  assert.equal(page.status, 200);
  assertHardened(page);
  const html = await page.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script (script-src self would block it)');
  assert.doesNotMatch(html, /<style|\sstyle=/i, 'no inline style (style-src self would block it)');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handler (script-src-attr none)');
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith('swagger-ui-bundle.js')));
  for (const asset of assets) {
    const url = new URL(asset, page.url);
    assert.equal(url.origin, new URL(hub.url).origin, `${asset} is served by the hub itself`);
    const res = await fetch(url);
    assert.equal(res.status, 200, asset);
    assertHardened(res);
  }
  // The initializer tells the UI where the document is: the same origin, which connect-src allows.
  const initializer = await (await fetch(new URL('static/swagger-initializer.js', page.url))).text();
  assert.match(initializer, /validatorUrl: null/, 'no badge from validator.swagger.io (img-src self)');
  const specUrl = /url: resolveUrl\('([^']+)'\)/.exec(initializer)?.[1];
  assert.ok(specUrl, 'the initializer names the document relative to the page');
  const spec = await fetch(new URL(specUrl, page.url));
  assert.equal(spec.status, 200);
  assert.equal(new URL(spec.url).origin, new URL(hub.url).origin);
  assert.ok(((await spec.json()) as { paths: object }).paths);
  assert.deepEqual(policy(page).get('connect-src'), ["'self'"]);
});

test('problem answers carry the headers: unauthenticated, no route, an unknown webhook system', async () => {
  const answers = [
    await fetch(`${hub.url}/v1/events`, { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } }),
    await fetch(`${hub.url}/no/such/route`),
    await fetch(`${hub.url}/hooks/nobody`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }),
  ];
  for (const res of answers) {
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    assertHardened(res);
  }
});
