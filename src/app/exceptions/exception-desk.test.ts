/**
 * The exception queue over the real embedded store (SQLite in memory) and scripted sources: what
 * reconciling opens and auto-resolves, what each action records in the history, who may act on
 * what, and group actions. The sources record the actions they were asked to carry out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../adapters/sqlite/open-database.js';
import { SqliteExceptionStore } from '../../adapters/sqlite/sqlite-exception-store.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { ActionNotAllowedError, ExceptionClosedError } from '../../domain/exceptions/exception-errors.js';
import type { HubException, Severity, SourceAction } from '../../domain/exceptions/exception-rules.js';
import type { ActionContext, ActionOutcome, CurrentProblem, ExceptionSource } from '../../ports/exception-source.js';
import { ExceptionDesk, type ExceptionDeskDeps } from './exception-desk.js';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const NOW_ISO = new Date(NOW).toISOString();

function memoryStore(): SqliteExceptionStore {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return new SqliteExceptionStore(db);
}

const problem = (key: string, over: Partial<CurrentProblem> = {}): CurrentProblem => ({
  key,
  entity: { kind: 'event', id: key },
  error: `problem ${key}`,
  group: 'g1',
  system: 'wms',
  correlationId: `corr-${key}`,
  since: '2026-12-06T10:00:00.000Z',
  ...over,
});

/** A source whose problems the test sets; it records what it was asked. */
class Source implements ExceptionSource {
  problems: CurrentProblem[] = [];
  readonly acted: { id: number; action: SourceAction; ctx: ActionContext }[] = [];
  readonly payloadsRead: string[] = [];
  reads = 0;
  failRead?: Error;
  onAct?: (e: HubException, action: SourceAction, ctx: ActionContext) => ActionOutcome | Promise<ActionOutcome>;
  constructor(
    readonly cls: string,
    readonly actions: readonly SourceAction[] = ['retry', 'discard', 'edit'],
    readonly severity: Severity = 'medium',
  ) {}
  get class(): string {
    return this.cls;
  }
  async current(): Promise<CurrentProblem[]> {
    this.reads++;
    if (this.failRead) throw this.failRead;
    return this.problems;
  }
  async payload(key: string): Promise<unknown> {
    this.payloadsRead.push(key);
    return { read: key };
  }
  async whyGone(e: HubException): Promise<string> {
    return `record of ${e.key} is fine now`;
  }
  async act(e: HubException, action: SourceAction, ctx: ActionContext): Promise<ActionOutcome> {
    this.acted.push({ id: e.id, action, ctx });
    return this.onAct ? this.onAct(e, action, ctx) : { note: `${action} done` };
  }
}

interface Rig {
  desk: ExceptionDesk;
  store: SqliteExceptionStore;
  a: Source;
  b: Source;
  opened: HubException[][];
  errors: [string, unknown][];
}

function rig(over: Partial<ExceptionDeskDeps> = {}): Rig {
  const store = memoryStore();
  const a = new Source('parked_event');
  const b = new Source('dead_letter', ['retry'], 'high');
  const opened: HubException[][] = [];
  const errors: [string, unknown][] = [];
  const desk = new ExceptionDesk({
    store,
    sources: [a, b],
    clock: { now: () => NOW },
    owners: {
      rules: [
        { class: 'dead_letter', system: 'shop', owner: 'ecommerce' },
        { system: 'erp', owner: 'finance' },
      ],
      fallback: 'ops',
    },
    onOpened: (e) => opened.push([...e]),
    onSourceError: (cls, err) => errors.push([cls, err]),
    ...over,
  });
  return { desk, store, a, b, opened, errors };
}

const ctx = (over: Partial<ActionContext & { owner?: string }> = {}) => ({ actor: 'alice', correlationId: 'c-act', ...over });

test('reconciling opens one exception per new problem, with its owner, severity, payload and an opening history entry', async () => {
  const r = rig();
  r.a.problems = [problem('p1', { payload: { given: 1 } }), problem('p2', { system: 'erp', severity: 'critical', correlationId: null })];
  r.b.problems = [problem('d1', { system: 'shop', group: 'shop-down', entity: { kind: 'destination', id: 'shop' } }), problem('d2', { system: 'edi' })];
  await r.desk.reconcile();
  const all = (await r.desk.list({ limit: 10 })).reverse();
  assert.deepEqual(all[0], {
    id: 1,
    key: 'p1',
    class: 'parked_event',
    severity: 'medium',
    status: 'open',
    owner: 'ops',
    entity: { kind: 'event', id: 'p1' },
    group: 'g1',
    correlationId: 'corr-p1',
    error: 'problem p1',
    payload: { given: 1 },
    system: 'wms',
    createdAt: '2026-12-06T10:00:00.000Z',
    updatedAt: NOW_ISO,
    history: [{ at: NOW_ISO, actor: 'hub', action: 'opened', note: 'problem p1', status: 'open' }],
    actions: ['retry', 'discard', 'edit', 'acknowledge', 'assign'],
  });
  assert.deepEqual(
    all.map((e) => [e.key, e.owner, e.severity, e.payload, e.correlationId]),
    [
      ['p1', 'ops', 'medium', { given: 1 }, 'corr-p1'],
      ['p2', 'finance', 'critical', { read: 'p2' }, null],
      ['d1', 'ecommerce', 'high', { read: 'd1' }, 'corr-d1'],
      ['d2', 'ops', 'high', { read: 'd2' }, 'corr-d2'],
    ],
  );
  assert.deepEqual(r.a.payloadsRead, ['p2'], 'a payload the problem carries is not read again');
  assert.deepEqual(
    r.opened.map((batch) => batch.map((e) => e.key)),
    [
      ['p1', 'p2'],
      ['d1', 'd2'],
    ],
  );
  await r.desk.reconcile();
  assert.equal((await r.desk.list({ limit: 10 })).length, 4, 'a known problem opens nothing new');
  assert.equal(r.opened.length, 2, 'nothing opened, nothing told');
  assert.deepEqual(r.a.payloadsRead, ['p2']);
});

test('a problem that went away resolves its exception by itself, saying why; a source without problems reads no store keys', async () => {
  const r = rig();
  r.a.problems = [problem('p1'), problem('p2')];
  await r.desk.reconcile();
  r.a.problems = [problem('p2')];
  await r.desk.reconcile();
  const p1 = await r.desk.get(1);
  assert.equal(p1.status, 'auto_resolved');
  assert.deepEqual(p1.actions, []);
  assert.deepEqual(p1.history.at(-1), { at: NOW_ISO, actor: 'hub', action: 'auto_resolved', note: 'record of p1 is fine now', status: 'auto_resolved' });
  assert.equal((await r.desk.get(2)).status, 'open');
  r.a.problems = [];
  await r.desk.reconcile();
  assert.equal((await r.desk.get(2)).status, 'auto_resolved');
  // Gone for good: a later round leaves its history alone.
  await r.desk.reconcile();
  assert.equal((await r.desk.get(2)).history.length, 2);
});

test('a problem that comes back after its exception resolved opens nothing new (one exception per problem)', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  r.a.problems = [];
  await r.desk.reconcile();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  assert.equal((await r.desk.list({ limit: 10 })).length, 1);
});

test('a source that cannot be read is skipped and said so; the others are still reconciled, and its exceptions stay', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  const boom = new Error('parked events unreadable');
  r.a.failRead = boom;
  r.b.problems = [problem('d1')];
  await r.desk.reconcile();
  assert.deepEqual(r.errors, [['parked_event', boom]]);
  assert.equal((await r.desk.get(1)).status, 'open');
  assert.equal((await r.desk.get(2)).key, 'd1');
});

test('without an error listener a failing source is still skipped quietly', async () => {
  const r = rig({ onSourceError: undefined, onOpened: undefined });
  r.a.failRead = new Error('x');
  r.b.problems = [problem('d1')];
  await r.desk.reconcile();
  assert.equal((await r.desk.list({ limit: 10 })).length, 1);
});

test('reconciling calls made while one runs share it; a call after it finished runs again', async () => {
  const r = rig();
  const first = r.desk.reconcile();
  const second = r.desk.reconcile();
  assert.equal(first, second);
  await Promise.all([first, second]);
  assert.equal(r.a.reads, 1);
  await r.desk.reconcile();
  assert.equal(r.a.reads, 2);
});

test('an unknown exception is not found, for reading and for acting', async () => {
  const r = rig();
  await assert.rejects(r.desk.get(7), (e: unknown) => e instanceof NotFoundError && e.message === "Exception '7' does not exist.");
  await assert.rejects(r.desk.act(7, 'acknowledge', ctx()), NotFoundError);
});

test('acknowledging records who and why; without a reason it says acknowledged', async () => {
  const r = rig();
  r.a.problems = [problem('p1'), problem('p2')];
  await r.desk.reconcile();
  const e = await r.desk.act(1, 'acknowledge', ctx({ reason: 'looking into it' }));
  assert.equal(e.status, 'acknowledged');
  assert.deepEqual(e.history.at(-1), { at: NOW_ISO, actor: 'alice', action: 'acknowledge', note: 'acknowledged: looking into it', status: 'acknowledged' });
  assert.deepEqual(e.actions, ['retry', 'discard', 'edit', 'acknowledge', 'assign'], 'an acknowledged exception is still live');
  assert.equal((await r.desk.act(2, 'acknowledge', ctx())).history.at(-1)!.note, 'acknowledged');
  assert.deepEqual(r.a.acted, [], 'a queue action does not touch the record');
});

test('assigning moves the exception to the new owner and records the old one', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  const e = await r.desk.act(1, 'assign', ctx({ owner: 'warehouse' }));
  assert.equal(e.owner, 'warehouse');
  assert.equal(e.status, 'open');
  assert.deepEqual(e.history.at(-1), { at: NOW_ISO, actor: 'alice', action: 'assign', note: 'assigned to warehouse (was ops)', status: 'open' });
  // An acknowledged exception keeps its status when assigned.
  await r.desk.act(1, 'acknowledge', ctx());
  assert.equal((await r.desk.act(1, 'assign', ctx({ owner: 'ops' }))).status, 'acknowledged');
});

test("a source action is carried out by the source, with the caller's context, and its note recorded", async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  const e = await r.desk.act(1, 'retry', ctx());
  assert.deepEqual(r.a.acted, [{ id: 1, action: 'retry', ctx: ctx() }]);
  assert.equal(e.status, 'open');
  assert.deepEqual(e.history.at(-1), { at: NOW_ISO, actor: 'alice', action: 'retry', note: 'retry done', status: 'open' });
});

test('discarding resolves; an action whose outcome settles the problem resolves too', async () => {
  const r = rig();
  r.a.problems = [problem('p1'), problem('p2')];
  await r.desk.reconcile();
  const d = await r.desk.act(1, 'discard', ctx({ reason: 'duplicate' }));
  assert.equal(d.status, 'resolved');
  assert.deepEqual(d.actions, []);
  r.a.onAct = () => ({ note: 'corrected by a new event', resolves: true });
  const e = await r.desk.act(2, 'retry', ctx());
  assert.equal(e.status, 'resolved');
  assert.equal(e.history.at(-1)!.note, 'corrected by a new event');
  r.a.onAct = () => ({ note: 'tried', resolves: false });
  r.a.problems = [problem('p3')];
  await r.desk.reconcile();
  assert.equal((await r.desk.act(3, 'retry', ctx())).status, 'open');
});

test('editing stores the new payload; other actions leave it', async () => {
  const r = rig();
  r.a.problems = [problem('p1', { payload: { qty: 1 } })];
  await r.desk.reconcile();
  assert.deepEqual((await r.desk.act(1, 'retry', ctx({ payload: { qty: 5 } }))).payload, { qty: 1 });
  assert.deepEqual((await r.desk.act(1, 'edit', ctx({ payload: { qty: 2 } }))).payload, { qty: 2 });
});

test('a closed exception cannot be acted on; an action another class has is not allowed, listing those that are', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  r.b.problems = [problem('d1')];
  await r.desk.reconcile();
  await assert.rejects(
    r.desk.act(2, 'edit', ctx()),
    (e: unknown) =>
      e instanceof ActionNotAllowedError &&
      e.message === "'edit' does not apply to a dead_letter exception; the actions that do are: retry, acknowledge, assign.",
  );
  await r.desk.act(1, 'discard', ctx());
  await assert.rejects(r.desk.act(1, 'acknowledge', ctx()), (e: unknown) => e instanceof ExceptionClosedError && /is resolved/.test(e.message));
  assert.deepEqual(r.b.acted, []);
});

test('an exception of a class no source serves offers the queue actions only', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  const orphan = new ExceptionDesk({ store: r.store, sources: [], clock: { now: () => NOW }, owners: { rules: [], fallback: 'ops' } });
  assert.deepEqual((await orphan.get(1)).actions, ['acknowledge', 'assign']);
  await assert.rejects(orphan.act(1, 'retry', ctx()), ActionNotAllowedError);
  assert.equal((await orphan.act(1, 'acknowledge', ctx())).status, 'acknowledged');
});

test("an action that fixed the record shows the exception resolved by the hub's check at once", async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  r.a.onAct = () => {
    r.a.problems = [];
    return { note: 'replayed' };
  };
  const e = await r.desk.act(1, 'retry', ctx());
  assert.equal(e.status, 'auto_resolved');
  assert.deepEqual(
    e.history.map((h) => [h.action, h.note]),
    [
      ['opened', 'problem p1'],
      ['retry', 'replayed'],
      ['auto_resolved', 'record of p1 is fine now'],
    ],
  );
});

test('a reconciling round asked for while an action runs waits for it: the action is recorded before the exception resolves', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  let round: Promise<void> | undefined;
  r.a.onAct = async () => {
    r.a.problems = [];
    round = r.desk.reconcile();
    await new Promise((res) => setTimeout(res, 5));
    return { note: 'replayed' };
  };
  await r.desk.act(1, 'retry', ctx());
  await round;
  assert.deepEqual(
    (await r.desk.get(1)).history.map((h) => h.action),
    ['opened', 'retry', 'auto_resolved'],
  );
});

test('an exception another process closed while the source acted shows as that process left it; the action is not recorded', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  r.a.onAct = () => {
    r.store.change(1, {
      status: 'resolved',
      entry: { at: NOW_ISO, actor: 'bob', action: 'discard', note: 'closed elsewhere', status: 'resolved' },
      whileStatus: ['open', 'acknowledged'],
    });
    return { note: 'replayed' };
  };
  const e = await r.desk.act(1, 'retry', ctx());
  assert.equal(e.id, 1);
  assert.equal(e.status, 'resolved');
  assert.deepEqual(
    e.history.map((h) => [h.actor, h.note]),
    [
      ['hub', 'problem p1'],
      ['bob', 'closed elsewhere'],
    ],
  );
});

test("a source's refusal changes and records nothing, and later actions still run", async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  r.a.onAct = () => {
    throw new InvalidInputError([{ path: '/qty', message: 'must be positive' }]);
  };
  await assert.rejects(r.desk.act(1, 'edit', ctx({ payload: { qty: -1 } })), InvalidInputError);
  assert.equal((await r.desk.get(1)).history.length, 1);
  assert.equal((await r.desk.act(1, 'acknowledge', ctx())).status, 'acknowledged');
});

test('an action acts on every live exception of a group in id order, each recorded; closed and other groups are left', async () => {
  const r = rig();
  r.a.problems = [problem('p1'), problem('p2', { group: 'other' }), problem('p3'), problem('p4')];
  await r.desk.reconcile();
  await r.desk.act(3, 'acknowledge', ctx());
  await r.desk.act(4, 'discard', ctx());
  const result = await r.desk.actOnGroup('g1', 'retry', ctx());
  assert.deepEqual(result, {
    group: 'g1',
    action: 'retry',
    results: [
      { id: 1, ok: true, note: 'retry done' },
      { id: 3, ok: true, note: 'retry done' },
    ],
  });
  assert.deepEqual(
    r.a.acted.map((x) => [x.id, x.action]),
    [
      [4, 'discard'],
      [1, 'retry'],
      [3, 'retry'],
    ],
  );
});

test('a group without live exceptions is not found', async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  await r.desk.act(1, 'discard', ctx());
  await assert.rejects(
    r.desk.actOnGroup('g1', 'retry', ctx()),
    (e: unknown) => e instanceof NotFoundError && e.message === "Exception group with live exceptions 'g1' does not exist.",
  );
  await assert.rejects(r.desk.actOnGroup('nope', 'retry', ctx()), NotFoundError);
});

test("a member one failing does not stop the others; one settled by an earlier member's action says so", async () => {
  const r = rig();
  r.a.problems = [problem('p1'), problem('p2'), problem('p3')];
  await r.desk.reconcile();
  r.a.onAct = (e) => {
    if (e.key === 'p1') {
      // Fixing p1 fixes p3 as well (one mapping replays both).
      r.a.problems = [problem('p2')];
      return { note: 'mapping added' };
    }
    throw new Error(`cannot replay ${e.key}`);
  };
  const result = await r.desk.actOnGroup('g1', 'retry', ctx());
  assert.deepEqual(result.results, [
    { id: 1, ok: true, note: 'record of p1 is fine now' },
    { id: 2, ok: false, note: 'cannot replay p2' },
    { id: 3, ok: true, note: 'auto_resolved meanwhile: record of p3 is fine now' },
  ]);
});

test("a group of one fails as that one's action does; input refused at the first member is refused for the whole group", async () => {
  const r = rig();
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  r.a.onAct = () => {
    throw new Error('receiver down');
  };
  await assert.rejects(r.desk.actOnGroup('g1', 'retry', ctx()), /receiver down/);
  r.a.problems = [problem('p1'), problem('p2')];
  await r.desk.reconcile();
  r.a.onAct = () => {
    throw new InvalidInputError([{ path: '/mapsTo', message: 'bad id' }]);
  };
  await assert.rejects(r.desk.actOnGroup('g1', 'retry', ctx()), InvalidInputError);
  // After a member succeeded, a refusal is that member's result.
  r.a.onAct = (e) => {
    if (e.key === 'p2') throw new InvalidInputError([{ path: '/mapsTo', message: 'bad id' }], 'bad id for p2');
    return { note: 'ok' };
  };
  assert.deepEqual((await r.desk.actOnGroup('g1', 'retry', ctx())).results, [
    { id: 1, ok: true, note: 'ok' },
    { id: 2, ok: false, note: 'bad id for p2' },
  ]);
});

test('a group action reaches every live member however many pages they fill, open and acknowledged', async () => {
  const r = rig();
  r.a.problems = Array.from({ length: 503 }, (_, i) => problem(`p${i}`));
  await r.desk.reconcile();
  await r.desk.act(503, 'acknowledge', ctx());
  // The first retry fixes every record (one cause): the others are found settled meanwhile.
  r.a.onAct = () => {
    r.a.problems = [];
    return { note: 'fixed the cause' };
  };
  const result = await r.desk.actOnGroup('g1', 'retry', ctx());
  assert.equal(result.results.length, 503);
  assert.deepEqual(
    result.results.map((x) => x.id),
    Array.from({ length: 503 }, (_, i) => i + 1),
  );
  assert.equal(r.a.acted.length, 1);
  assert.deepEqual(result.results[502], { id: 503, ok: true, note: 'auto_resolved meanwhile: record of p502 is fine now' });
});

// Survivors of the first mutation run.

test('acting on an unknown exception names it; only assigning changes the owner', async () => {
  const r = rig();
  await assert.rejects(r.desk.act(7, 'retry', ctx()), (e: unknown) => e instanceof NotFoundError && e.message === "Exception '7' does not exist.");
  r.a.problems = [problem('p1')];
  await r.desk.reconcile();
  assert.equal((await r.desk.act(1, 'acknowledge', ctx({ owner: 'someone-else' }))).owner, 'ops');
});

test('a desk without an opening listener still resolves, in the same round, what went away', async () => {
  const r = rig();
  r.a.problems = [problem('p0')];
  await r.desk.reconcile();
  const quiet = new ExceptionDesk({ store: r.store, sources: [r.a], clock: { now: () => NOW }, owners: { rules: [], fallback: 'ops' } });
  r.a.problems = [problem('p1')];
  await quiet.reconcile();
  assert.equal((await quiet.get(1)).status, 'auto_resolved');
  assert.equal((await quiet.get(2)).status, 'open');
});
