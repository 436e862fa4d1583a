/**
 * Bodies that are not valid UTF-8 are refused with 400 invalid_utf8 on every route that takes a
 * body (found from /openapi.json, so a new route is covered too), instead of being decoded with
 * replacement characters, under which two distinct ids collided into one. A signed webhook whose
 * body is valid UTF-8 with characters beyond ASCII (and a byte order mark) still verifies.
 * Fails with the earlier parsers (parseAs: 'string'): 200 and a "duplicate" for the second id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ADMIN_KEY, NETWORK, movement, startTestHub } from './support/test-hub.js';
import { firstInvalidByte } from '../src/interfaces/http/utf8-body.js';

const post = (url: string, path: string, body: Buffer, headers: Record<string, string> = {}) =>
  fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...headers },
    body: new Uint8Array(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

/** The JSON of `value` with the marker text replaced by raw bytes. */
const withBytes = (value: unknown, bytes: number[]) => {
  const [before, after] = JSON.stringify(value).split('@BYTES@') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
};

test('ids differing only in invalid bytes are refused, not stored as one id and a duplicate', async () => {
  const hub = await startTestHub({ file: NETWORK });
  try {
    const first = await post(
      hub.url,
      '/v1/events',
      withBytes([movement({ id: 'u8-@BYTES@', seq: 1, sku: 'U8', location: 'DAL', delta: { onHand: 1 } })], [0xff]),
    );
    const second = await post(
      hub.url,
      '/v1/events',
      withBytes([movement({ id: 'u8-@BYTES@', seq: 2, sku: 'U8', location: 'DAL', delta: { onHand: 1 } })], [0xfe]),
    );
    for (const answer of [first, second]) {
      assert.equal(answer.status, 400);
      assert.equal(answer.body.type, 'urn:crossdock:problem:invalid_utf8');
      assert.deepEqual(answer.body.errors, [{ path: '/', message: `byte 11 (0x${answer === first ? 'ff' : 'fe'}) is not part of a valid UTF-8 sequence` }]);
    }
    assert.equal((await hub.api('GET', '/v1/events')).body.events.length, 0, 'nothing stored');
    // Valid UTF-8 beyond ASCII is taken as sent.
    const fine = await hub.api('POST', '/v1/events', [movement({ id: 'u8-Ω-ü-😀', seq: 3, sku: 'U8', location: 'DAL', delta: { onHand: 1 } })]);
    assert.equal(fine.body.accepted, 1);
    assert.equal((await hub.api('GET', '/v1/events')).body.events[0].event.id, 'u8-Ω-ü-😀');
  } finally {
    await hub.stop();
  }
});

test('every route that takes a body refuses invalid UTF-8 with 400 invalid_utf8', async () => {
  const hub = await startTestHub({ file: NETWORK });
  try {
    const spec = (await hub.api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['post', 'put', 'patch'].includes(m))
        .map((m) => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, '1')] as const),
    );
    assert.ok(routes.length >= 10, `found ${routes.length} routes with bodies`);
    const wrong: string[] = [];
    for (const [method, path] of routes) {
      const res = await fetch(hub.url + path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // {"a":"<CESU surrogate>"}
      });
      const body = (await res.json()) as { type?: string };
      if (res.status !== 400 || body.type !== 'urn:crossdock:problem:invalid_utf8') wrong.push(`${method} ${path}: ${res.status} ${body.type}`);
    }
    assert.deepEqual(wrong, []);
  } finally {
    await hub.stop();
  }
});

test('a signed webhook with a byte order mark and characters beyond ASCII still verifies over the bytes sent', async () => {
  process.env.TEST_UTF8_SHOP_SECRET = 'utf8-secret';
  const hub = await startTestHub({
    file: { ...NETWORK, systems: { shop: { type: 'shopify', channel: 'web', customer: 'C-1', webhookSecretEnv: 'TEST_UTF8_SHOP_SECRET' } } } as never,
  });
  try {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":1,"name":"Zoë ✓"}')]);
    const signature = createHmac('sha256', 'utf8-secret').update(raw).digest('base64');
    const headers = { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'w-u8' };
    const signed = await post(hub.url, '/hooks/shop', raw, { ...headers, 'x-shopify-hmac-sha256': signature });
    assert.notEqual(signed.status, 401, JSON.stringify(signed.body));
    assert.ok(signed.status < 500, JSON.stringify(signed.body));
    const tampered = await post(hub.url, '/hooks/shop', Buffer.concat([raw, Buffer.from([0xff])]), { ...headers, 'x-shopify-hmac-sha256': signature });
    assert.equal(tampered.body.type, 'urn:crossdock:problem:invalid_utf8');
    // A raw NUL byte is valid UTF-8 but never part of JSON text; kept as sent, it failed the scale-out store (500).
    const withNul = Buffer.concat([raw.subarray(0, 10), Buffer.from([0x00]), raw.subarray(10)]);
    const nul = await post(hub.url, '/hooks/shop', withNul, {
      ...headers,
      'x-shopify-hmac-sha256': createHmac('sha256', 'utf8-secret').update(withNul).digest('base64'),
    });
    assert.equal(nul.status, 400);
    assert.deepEqual(nul.body.errors, [{ path: '/', message: 'byte 10 is U+0000 (NUL), which no JSON text carries raw' }]);
  } finally {
    await hub.stop();
  }
});

test('firstInvalidByte agrees with a strict TextDecoder on any bytes', () => {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const valid = (b: Uint8Array) => {
    try {
      strict.decode(b);
      return true;
    } catch {
      return false;
    }
  };
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 24 }),
        fc.string({ unit: 'binary' }).map((s) => new Uint8Array(Buffer.from(s))),
      ),
      (bytes) => {
        const at = firstInvalidByte(bytes);
        assert.equal(at === bytes.length, valid(bytes));
        assert.ok(valid(bytes.subarray(0, at)), 'what precedes the offset is valid');
      },
    ),
    { numRuns: 5000 },
  );
});
