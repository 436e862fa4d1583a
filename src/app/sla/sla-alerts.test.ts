/**
 * SLA alerts over the embedded exception store and alert outbox (SQLite in memory), sent to a
 * recording webhook: what each breach and resolution posts (once per webhook), the headers, what
 * is skipped as stale, and retries with backoff until the webhook answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Db } from '../../adapters/sqlite/open-database.js';
import { SqliteAlertOutbox } from '../../adapters/sqlite/sqlite-alert-outbox.js';
import { SqliteExceptionStore } from '../../adapters/sqlite/sqlite-exception-store.js';
import type { StoredAlert } from '../../ports/alert-outbox.js';
import type { NewException } from '../../ports/exception-store.js';
import { SlaAlerts, type SlaAlertsDeps } from './sla-alerts.js';

const T0 = Date.parse('2026-12-06T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function memoryDb(): Db {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return db;
}

interface Post {
  url: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

interface Rig {
  alerts: SlaAlerts;
  exceptions: SqliteExceptionStore;
  outbox: SqliteAlertOutbox;
  posts: Post[];
  failures: [number, string][];
  clock: { t: number };
  refuse: Set<string>;
}

function rig(over: Partial<SlaAlertsDeps> = {}): Rig {
  const db = memoryDb();
  const exceptions = new SqliteExceptionStore(db);
  const outbox = new SqliteAlertOutbox(db);
  const posts: Post[] = [];
  const failures: [number, string][] = [];
  const clock = { t: T0 };
  const refuse = new Set<string>();
  const alerts = new SlaAlerts({
    exceptions,
    outbox,
    webhooks: [
      { id: 'slack', url: 'https://hooks.example/slack' },
      { id: 'pager', url: 'https://hooks.example/pager' },
    ],
    clock: { now: () => clock.t },
    post: async (url, body, headers) => {
      posts.push({ url, body: body as Record<string, unknown>, headers });
      if (refuse.has(url)) throw new Error(`${url} answered 503`);
    },
    retryMaxMs: 5_000,
    onFailure: (a: StoredAlert, err: unknown) => failures.push([a.id, (err as Error).message]),
    ...over,
  });
  return { alerts, exceptions, outbox, posts, failures, clock, refuse };
}

const breach = (key: string, at: number, over: Partial<NewException> = {}): NewException => ({
  key,
  class: 'sla_breach',
  severity: 'high',
  owner: 'ops',
  entity: { kind: 'order', id: key.split(':')[1]!.split('@')[0]! },
  group: 'sla:erp',
  correlationId: null,
  error: `erp: order late ${key}`,
  payload: null,
  system: 'erp',
  createdAt: iso(at),
  opened: { at: iso(at), actor: 'hub', action: 'opened', note: 'x', status: 'open' },
  ...over,
});

test('a breach is announced once to every webhook, with an idempotency key per alert and its correlation id', async () => {
  const r = rig();
  r.exceptions.open([breach('erp/order:O1@t', T0 - 60_000, { correlationId: 'corr-1' }), breach('erp/order:O2@t', T0 - 60_000)]);
  await r.alerts.run();
  assert.deepEqual(
    r.posts.map((p) => [p.url, p.headers, p.body.exception]),
    [
      ['https://hooks.example/slack', { 'idempotency-key': 'crossdock-sla-alert-1', 'x-correlation-id': 'corr-1' }, 1],
      ['https://hooks.example/pager', { 'idempotency-key': 'crossdock-sla-alert-2', 'x-correlation-id': 'corr-1' }, 1],
      ['https://hooks.example/slack', { 'idempotency-key': 'crossdock-sla-alert-3' }, 2],
      ['https://hooks.example/pager', { 'idempotency-key': 'crossdock-sla-alert-4' }, 2],
    ],
  );
  assert.deepEqual(r.posts[0]!.body, {
    text: ':rotating_light: SLA breached: erp for order O1 (high, owner ops): erp: order late erp/order:O1@t [exception 1]',
    kind: 'breach',
    rule: 'erp',
    exception: 1,
    entity: { kind: 'order', id: 'O1' },
    severity: 'high',
    owner: 'ops',
    error: 'erp: order late erp/order:O1@t',
    correlationId: 'corr-1',
    at: iso(T0),
  });
  const recent = await r.alerts.recent();
  assert.equal(recent.length, 4);
  assert.ok(recent.every((a) => a.deliveredAt === iso(T0)));
  assert.deepEqual(
    (await r.alerts.recent(1)).map((a) => a.id),
    [4],
  );
  r.clock.t += 60_000;
  await r.alerts.run();
  assert.equal(r.posts.length, 4, 'nothing is announced twice');
});

test('a resolution follows its breach, saying how it resolved; a breach first seen resolved is announced both ways, in order', async () => {
  const r = rig({ webhooks: [{ id: 'slack', url: 'https://hooks.example/slack' }] });
  r.exceptions.open([breach('erp/order:O1@t', T0 - 60_000), breach('erp/order:O2@t', T0 - 60_000)]);
  await r.alerts.run();
  r.exceptions.change(1, {
    status: 'auto_resolved',
    entry: { at: iso(T0), actor: 'hub', action: 'auto_resolved', note: 'the ERP took order O1 as E-1', status: 'auto_resolved' },
    whileStatus: ['open'],
  });
  r.exceptions.change(2, {
    status: 'resolved',
    entry: { at: iso(T0), actor: 'alice', action: 'discard', note: 'test order', status: 'resolved' },
    whileStatus: ['open'],
  });
  r.exceptions.open([breach('erp/order:O3@t', T0 - 60_000)]);
  r.exceptions.change(3, {
    status: 'resolved',
    entry: { at: iso(T0), actor: 'bob', action: 'discard', note: 'dup', status: 'resolved' },
    whileStatus: ['open'],
  });
  await r.alerts.run();
  assert.deepEqual(
    r.posts.slice(2).map((p) => [p.body.exception, p.body.kind, p.body.resolution ?? null]),
    [
      [1, 'resolved', 'the ERP took order O1 as E-1 (resolved by itself)'],
      [2, 'resolved', 'test order (by alice)'],
      [3, 'breach', null],
      [3, 'resolved', 'dup (by bob)'],
    ],
  );
  assert.equal(r.posts[2]!.body.text, ':white_check_mark: SLA holds again: erp for order O1: the ERP took order O1 as E-1 (resolved by itself) [exception 1]');
});

test('breaches quiet for a day or more are not announced; other classes never are', async () => {
  const r = rig();
  r.exceptions.open([
    breach('erp/order:O1@t', T0 - 86_400_000),
    breach('erp/order:O2@t', T0 - 86_399_999),
    { ...breach('erp/order:O3@t', T0), class: 'dead_letter' },
  ]);
  await r.alerts.run();
  assert.deepEqual([...new Set(r.posts.map((p) => p.body.exception))], [2]);
});

test('nothing is owed or sent without webhooks', async () => {
  const r = rig({ webhooks: [] });
  r.exceptions.open([breach('erp/order:O1@t', T0)]);
  await r.alerts.run();
  assert.deepEqual(await r.alerts.recent(), []);
});

test('a webhook that fails is tried again after a backoff that doubles up to the most allowed; the other webhook is not held up', async () => {
  const r = rig();
  r.refuse.add('https://hooks.example/pager');
  r.exceptions.open([breach('erp/order:O1@t', T0)]);
  await r.alerts.run();
  assert.deepEqual(r.failures, [[2, 'https://hooks.example/pager answered 503']]);
  const pager = () => r.outbox.recent(10).find((a) => a.webhook === 'pager')!;
  assert.deepEqual(
    [pager().attempts, pager().nextAt, pager().lastError, pager().deliveredAt],
    [1, iso(T0 + 1000), 'https://hooks.example/pager answered 503', null],
  );
  assert.equal(r.outbox.recent(10).find((a) => a.webhook === 'slack')!.deliveredAt, iso(T0));
  // Not due yet: not sent.
  r.clock.t = T0 + 999;
  await r.alerts.run();
  assert.equal(r.posts.length, 2);
  r.clock.t = T0 + 1000;
  await r.alerts.run();
  assert.equal(r.posts.length, 3);
  assert.equal(pager().nextAt, iso(T0 + 1000 + 2000));
  r.clock.t = T0 + 3000;
  await r.alerts.run();
  assert.equal(pager().nextAt, iso(T0 + 3000 + 4000));
  r.clock.t = T0 + 7000;
  await r.alerts.run();
  assert.equal(pager().nextAt, iso(T0 + 7000 + 5000), 'capped at retryMaxMs');
  r.refuse.clear();
  r.clock.t = T0 + 12_000;
  await r.alerts.run();
  assert.equal(pager().deliveredAt, iso(T0 + 12_000));
  assert.equal(pager().attempts, 5, 'four failed attempts and the one that went');
});

test('an alert for a webhook no longer configured fails with why, and is kept', async () => {
  const r = rig();
  r.exceptions.open([breach('erp/order:O1@t', T0)]);
  r.outbox.add([{ exceptionId: 99, kind: 'breach', webhook: 'old', body: {}, createdAt: iso(T0) }]);
  await r.alerts.run();
  assert.deepEqual(r.failures, [[1, 'the webhook old is no longer configured']]);
  assert.equal(r.posts.length, 2);
});

test('alerts due are sent in batches until none is left', async () => {
  const r = rig({ webhooks: [{ id: 'slack', url: 'https://hooks.example/slack' }] });
  r.exceptions.open(Array.from({ length: 45 }, (_, i) => breach(`erp/order:O${i}@t`, T0)));
  await r.alerts.run();
  assert.equal(r.posts.length, 45);
  assert.deepEqual(
    r.posts.map((p) => p.body.exception),
    Array.from({ length: 45 }, (_, i) => i + 1),
  );
});

test('a failing alert is not told to anyone when no failure listener is set', async () => {
  const r = rig({ onFailure: undefined });
  r.refuse.add('https://hooks.example/slack');
  r.exceptions.open([breach('erp/order:O1@t', T0)]);
  await r.alerts.run();
  assert.equal(r.outbox.recent(10).find((a) => a.webhook === 'slack')!.attempts, 1);
});

test('settled alerts older than the retention are forgotten, counted by the outbox', async () => {
  const asked: string[] = [];
  const r = rig({
    outbox: {
      forgetSettled: (beforeIso: string) => {
        asked.push(beforeIso);
        return 3;
      },
    } as unknown as SlaAlertsDeps['outbox'],
  });
  assert.equal(await r.alerts.forgetSettled(3_600_000), 3);
  assert.deepEqual(asked, [iso(T0 - 3_600_000)]);
});
