/**
 * A submission the store cannot take fails alone, though it shares a group commit with others:
 * 600 concurrent valid event batches and one the database refuses (a real SQLite trigger on the
 * log table), over HTTP on the embedded hub; and the generic group commit of the order writes,
 * on a real SQLite table with a CHECK constraint. (The scale-out backend appends each request to
 * the log on its own, with no group shared between requests.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { GroupCommit } from '../src/app/group-commit.js';
import { StorageFailedError } from '../src/domain/errors.js';
import { connect, type Socket } from 'node:net';
import { ADMIN_KEY, movement, snapshot, startTestHub, NETWORK } from './support/test-hub.js';

/** An open connection to the hub on which one POST can be written at once, and its answer read. */
async function connection(url: string): Promise<{ send(path: string, body: unknown): void; answer: Promise<{ status: number; body: any }> }> {
  const { hostname, port } = new URL(url);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(Number(port), hostname, () => resolve(s));
    s.once('error', reject);
  });
  let text = '';
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    socket.on('data', (chunk) => {
      text += chunk.toString();
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && length && Buffer.byteLength(text.slice(head + 4)) >= Number(length[1])) {
        socket.destroy();
        resolve({ status: Number(text.slice(9, 12)), body: JSON.parse(text.slice(head + 4)) });
      }
    });
    socket.on('error', reject);
  });
  return {
    send(path, body) {
      const json = JSON.stringify(body);
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      );
    },
    answer,
  };
}

test('600 concurrent batches and one the store refuses: the 600 are stored, the one alone gets 422, state equals the oracle', { timeout: 60_000 }, async () => {
  const hub = await startTestHub({ file: NETWORK });
  try {
    const SKUS = 12;
    const opening = Array.from({ length: SKUS }, (_, k) => snapshot({ source: 'wms-dal', seq: 1 + k, sku: `GC-${k}`, location: 'DAL', onHand: 1000 }));
    assert.equal((await hub.api('POST', '/v1/events', opening)).status, 200);
    // The database refuses any batch carrying the poisoned SKU, whatever else shares its transaction.
    hub.store.db.exec(
      `CREATE TEMP TRIGGER refuse_poison BEFORE INSERT ON log_batches WHEN NEW.payload LIKE '%GC-POISON%' BEGIN SELECT RAISE(ABORT, 'refused by the disk'); END`,
    );
    const oracle = new Map<string, number>(Array.from({ length: SKUS }, (_, k) => [`GC-${k}`, 1000]));
    const batches = Array.from({ length: 600 }, (_, i) => {
      const sku = `GC-${i % SKUS}`;
      const delta = (i % 7) - 3 || 1;
      oracle.set(sku, oracle.get(sku)! + delta);
      return [movement({ source: 'wms-dal', seq: 100 + i, sku, location: 'DAL', delta: { onHand: delta } })];
    });
    batches.splice(300, 0, [movement({ source: 'wms-dal', seq: 99, sku: 'GC-POISON', location: 'DAL', delta: { onHand: 5 } })]);
    // Every request written in one turn of the event loop, so that the hub reads them together and
    // the poisoned one shares its group commit with many others.
    const connections = await Promise.all(batches.map(() => connection(hub.url)));
    for (const [i, c] of connections.entries()) c.send('/v1/events', batches[i]);
    const answers = await Promise.all(connections.map((c) => c.answer));
    const bad = answers.splice(300, 1)[0]!;

    assert.deepEqual(
      answers.filter((a) => a.status !== 200 || a.body.accepted !== 1).map((a) => [a.status, a.body.type]),
      [],
      'every valid batch is stored',
    );
    assert.equal(new Set(answers.map((a) => a.body.position)).size, 600, 'each stored batch has its own log position');
    assert.deepEqual([bad.status, bad.body.type, bad.body.retryable], [422, 'urn:crossdock:problem:unstorable_submission', false]);

    for (const [sku, onHand] of oracle) {
      const explained = await hub.api('GET', `/v1/availability/${sku}/explain?channel=web`);
      assert.equal(explained.status, 200);
      const dal = (explained.body.locations as { location: string; onHand: number }[]).find((l) => l.location === 'DAL');
      assert.equal(dal?.onHand, onHand, `${sku} at DAL`);
    }
    assert.equal((await hub.api('GET', '/v1/availability/GC-POISON?channel=web')).status, 404);
    // Once the cause is gone the same batch is taken, once.
    hub.store.db.exec('DROP TRIGGER refuse_poison');
    const retried = await hub.api('POST', '/v1/events', batches[300]);
    assert.deepEqual([retried.status, retried.body.accepted], [200, 1]);
  } finally {
    await hub.stop();
  }
});

test('the order writes group commit: a write the table refuses fails alone, the others commit, memory is rebuilt once', async () => {
  const db = new Database(':memory:');
  db.exec("CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT NOT NULL CHECK (status <> 'poison'))");
  const insert = db.prepare('INSERT INTO orders (id, status) VALUES (?, ?)');
  let recovered = 0;
  const commits = new GroupCommit(
    (fn) => db.transaction(fn)(),
    () => recovered++,
  );
  const ids = Array.from({ length: 50 }, (_, i) => `SO-${i}`);
  const pending = ids.map((id, i) => commits.commit(`order ${id}`, () => insert.run(id, i === 17 ? 'poison' : 'open')));
  const outcomes = await Promise.allSettled(pending);
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [[ids[i], (o.reason as Error).constructor.name]] : []));
  assert.deepEqual(failed, [['SO-17', StorageFailedError.name]]);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n, 49);
  assert.equal(recovered, 1);

  // When every write fails (the store itself is failing), every waiter hears it, after a few attempts rather than one per write.
  let attempts = 0;
  const broken = new GroupCommit(
    () => {
      attempts++;
      throw new Error('SQLITE_IOERR: disk I/O error');
    },
    () => {},
  );
  const all = await Promise.allSettled(ids.map((id) => broken.commit(`order ${id}`, () => {})));
  assert.ok(all.every((o) => o.status === 'rejected'));
  assert.equal(attempts, 3);
});
