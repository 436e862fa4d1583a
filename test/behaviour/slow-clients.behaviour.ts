/**
 * Slow and hostile clients cannot stop the hub, on both backends: a body sent a byte at a time is
 * cut off at the request timeout while a normal client is served meanwhile; connections beyond
 * the cap are closed as they open while the hub keeps answering; an overloaded process answers
 * 503 problem+json with Retry-After (except /healthz). Run by slow-clients-*.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ADMIN_KEY, movement } from '../support/test-hub.js';
import { skipReason, type Backend, type HarnessHub } from '../support/backends.js';

const NETWORK = { locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' } }, channels: { web: { locations: ['DAL'] } } };

/** A raw connection to the hub's port, resolved once it is open. */
function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the milliseconds until the server closes `socket` and what it answered, or undefined if it is still open after `withinMs`. */
function closedWithin(socket: Socket, withinMs: number): Promise<{ ms: number; answer: string } | undefined> {
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString();
  });
  socket.on('error', () => {});
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, answer });
    });
  });
}

/** GET /healthz over a given agent (so over a connection kept alive from before). */
function healthz(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/healthz`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function slowClientBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`slow and hostile clients on the ${backend.name} backend`, { skip }, () => {
    let hub: HarnessHub;
    const sockets: Socket[] = [];
    before(async () => {
      hub = await backend.start({
        ...NETWORK,
        // Short request timeouts; a long idle timeout, so that only the request timeout can cut a trickling body.
        http: { requestTimeoutMs: 800, headersTimeoutMs: 800, idleTimeoutMs: 60_000, maxConnections: 20 },
      } as never);
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await hub?.stop();
    });

    test('a body sent one byte at a time is cut off at the request timeout while a normal client is served', async () => {
      const slow = await openSocket(hub.url);
      sockets.push(slow);
      const body = JSON.stringify([movement({ source: 'wms-dal', seq: 1, sku: 'SLOW-1', location: 'DAL', delta: { onHand: 5 } })]);
      slow.write(
        `POST /v1/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      let sent = 0;
      const trickle = setInterval(() => {
        if (!slow.destroyed && sent < body.length) slow.write(body[sent++]!);
      }, 50);
      const cut = closedWithin(slow, 5000);
      // Meanwhile a normal client is served, write and read.
      const normal = await hub.api('POST', '/v1/events', [movement({ source: 'wms-dal', seq: 2, sku: 'FAST-1', location: 'DAL', delta: { onHand: 3 } })]);
      assert.equal(normal.status, 200);
      assert.equal((await hub.api('GET', '/v1/availability/FAST-1?channel=web')).body.available, 3);
      const closed = await cut;
      clearInterval(trickle);
      assert.ok(closed, 'the trickling client is still connected after 5 s: the request timeout does not cut it off');
      assert.ok(sent < body.length, `the whole body (${body.length} bytes) got through before the cut`);
      assert.match(closed.answer, /^HTTP\/1\.1 408/, `the cut is answered 408, got ${JSON.stringify(closed.answer.slice(0, 40))}`);
      // Nothing of the cut request was taken.
      assert.equal((await hub.api('GET', '/v1/availability/SLOW-1?channel=web')).status, 404);
    });

    test('connections beyond the cap are closed as they open, the hub keeps answering, and idle ones are let go', async () => {
      const kept = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        assert.equal(await healthz(hub.url, kept), 200);
        const flood = await Promise.all(Array.from({ length: 40 }, () => openSocket(hub.url)));
        sockets.push(...flood);
        const outcomes = await Promise.all(flood.map((s) => closedWithin(s, 300)));
        const admitted = outcomes.filter((o) => o === undefined).length;
        // 20 allowed, one of them the kept-alive connection (and the test client may hold others from before): 19 of the flood fit at most.
        assert.ok(admitted <= 19, `${admitted} of 40 connections were admitted beside one already open, over a cap of 20`);
        assert.equal(await healthz(hub.url, kept), 200, 'the hub stops answering when flooded with idle connections');
        // The idle ones hold their slots only until the headers timeout; then new clients get in.
        const status = await (async () => {
          for (let i = 0; i < 50; i++) {
            const res = await fetch(`${hub.url}/healthz`).catch(() => undefined);
            if (res) return res.status;
            await new Promise((r) => setTimeout(r, 100));
          }
          return undefined;
        })();
        assert.equal(status, 200);
      } finally {
        kept.destroy();
      }
    });
  });

  describe(`load shedding on the ${backend.name} backend`, { skip }, () => {
    let hub: HarnessHub;
    before(async () => {
      // A heap limit of one byte: the process counts as overloaded from its first sample on (sampled every 100 ms).
      hub = await backend.start({ ...NETWORK, http: { shedding: { maxHeapUsedBytes: 1, maxEventLoopDelayMs: 100, retryAfterSeconds: 7 } } } as never);
      await new Promise((r) => setTimeout(r, 400));
    });
    after(async () => {
      await hub?.stop();
    });

    test('an overloaded hub answers 503 problem+json with Retry-After, and /healthz still answers', async () => {
      const res = await hub.api('POST', '/v1/events', [movement({ source: 'wms-dal', seq: 1, sku: 'SHED-1', location: 'DAL', delta: { onHand: 1 } })]);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(res.body.type, 'urn:crossdock:problem:overloaded');
      assert.equal(res.body.retryable, true);
      assert.match(res.body.detail, /shedding load/);
      assert.equal((await hub.api('GET', '/healthz')).status, 200);
    });
  });
}
