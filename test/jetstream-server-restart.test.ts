/**
 * The scale-out log through a NATS server restart: a follower (every api process's read model)
 * and a worker group both go on receiving after the server comes back, every entry once and in
 * order for the follower. The server is a private nats-server on its own port and store, started
 * and stopped by this test, so the shared one the other suites use is never disturbed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JetStreamEventLog } from '../src/adapters/nats/jetstream-event-log.js';
import type { LogEntry } from '../src/ports/event-log.js';
import { reachable } from './support/reachable.js';
import { until } from './support/until.js';

const NATS_SERVER = process.env.NATS_SERVER_BIN || '/usr/sbin/nats-server';

function skipReason(): string | false {
  if (existsSync(NATS_SERVER)) return false;
  const reason = `no nats-server binary at ${NATS_SERVER} (set NATS_SERVER_BIN) to restart a private server`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it`);
  return `${reason}: skipped`;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
  await until(
    'the private nats-server to listen',
    () => reachable(`nats://127.0.0.1:${port}`, port),
    (up) => up,
  );
  return child;
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const entries = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'inventory' as const,
    key: `SKU-${(from + i) % 3}`,
    dedupeId: `e-${from + i}`,
    body: JSON.stringify({ n: from + i }),
  }));

test('a follower and a worker group go on after the NATS server restarts: every entry once, in order', { skip: skipReason(), timeout: 60_000 }, async (t) => {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'crossdock-nats-'));
  let server = await startServer(port, storeDir);
  const restarts: number[] = [];
  const log = await JetStreamEventLog.open({
    url: `nats://127.0.0.1:${port}`,
    namespace: 't_restart',
    followCheckMs: 200,
    ackWaitMs: 1000,
    onFollowRestarted: (p) => restarts.push(p),
  });
  const followed: LogEntry[] = [];
  const worked = new Set<number>();
  try {
    const following = await log.follow(0, (e) => followed.push(e));
    const working = await log.work('apply', async (items) => {
      for (const i of items) {
        worked.add(i.entry.position);
        i.done();
      }
    });

    await log.append(entries(0, 10));
    await until(
      'the first entries to be followed',
      async () => followed.length,
      (n) => n === 10,
    );

    // Appends go on through the restart, one every 20 ms; one refused while the client reconnects
    // is sent again, as an api's client would.
    const total = 200;
    let next = 10;
    const appender = (async () => {
      while (next < total) {
        if (
          await log.append(entries(next, 1)).then(
            () => true,
            () => false,
          )
        )
          next++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await stopServer(server);
    await new Promise((r) => setTimeout(r, 500));
    server = await startServer(port, storeDir);
    await appender;

    await until(
      'every entry to be followed after the restart',
      async () => followed.length,
      (n) => n >= total,
      20_000,
    );
    assert.deepEqual(
      followed.map((e) => JSON.parse(e.body).n),
      Array.from({ length: total }, (_, i) => i),
      'each entry once, in log order',
    );
    assert.deepEqual(
      followed.map((e) => e.position),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    await until(
      'the worker group to have every entry',
      async () => worked.size,
      (n) => n === total,
      20_000,
    );
    t.diagnostic(`the follower followed again ${restarts.length} time(s), from ${restarts.join(', ') || '-'}`);
    // The client's own ordered consumer stalls after a server restart: the follower's watch is what
    // brought it back, from the last entry it had seen (never past what was appended).
    assert.ok(restarts.length >= 1, 'the follower followed again after the restart');
    assert.ok(
      restarts.every((p) => p >= 10 && p <= total),
      `followed again from ${restarts.join(', ')}`,
    );
    await following.stop();
    await working.stop();
  } finally {
    await log.destroy().catch(() => {});
    await log.close().catch(() => {});
    await stopServer(server);
    rmSync(storeDir, { recursive: true, force: true });
  }
});
