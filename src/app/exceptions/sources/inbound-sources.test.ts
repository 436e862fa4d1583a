/**
 * The exception sources over the inbound store (SQLite in memory): parked documents, documents
 * waiting for a cross-reference and partners' rejections. What each reports as a problem (key,
 * group, words), why one went away, and what its actions ask of the webhooks and cross-references.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Db } from '../../../adapters/sqlite/open-database.js';
import { SqliteCrossReferenceStore } from '../../../adapters/sqlite/sqlite-cross-reference-store.js';
import { SqliteInboundStore } from '../../../adapters/sqlite/sqlite-inbound-store.js';
import { InvalidInputError } from '../../../domain/errors.js';
import type { XrefKey } from '../../../domain/master-data/cross-reference.js';
import type { HubException } from '../../../domain/exceptions/exception-rules.js';
import type { ParkedInbound } from '../../../ports/inbound-store.js';
import type { InboundWebhooks, WebhookOutcome } from '../../inbound/receive-webhook.js';
import { CrossReferences } from '../../master-data/cross-references.js';
import { allParked, asPayload, parkedInboundSource } from './parked-inbound.js';
import { partnerRejectionSource } from './partner-rejections.js';
import { groupOfReference, unknownCrossReferenceSource } from './unknown-cross-references.js';

function memoryDb(): Db {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return db;
}

/** The webhook operations the sources call, recorded, answering `outcome`. */
class Webhooks {
  readonly calls: unknown[][] = [];
  outcome: WebhookOutcome = { status: 'captured', orderId: 'O1', orderStatus: 'reserved' };
  async replay(id: number, correlationId: string) {
    this.calls.push(['replay', id, correlationId]);
    return { parked: {} as ParkedInbound, outcome: this.outcome };
  }
  async replayEdited(id: number, body: string, correlationId: string) {
    this.calls.push(['replayEdited', id, body, correlationId]);
    return { parked: {} as ParkedInbound, outcome: this.outcome };
  }
  async discard(id: number, reason: string) {
    this.calls.push(['discard', id, reason]);
    return {} as ParkedInbound;
  }
}

function rig() {
  const db = memoryDb();
  const store = new SqliteInboundStore(db);
  const hooks = new Webhooks();
  const inbound = hooks as unknown as InboundWebhooks;
  const replayed: number[] = [];
  const xrefs = new CrossReferences({
    store: new SqliteCrossReferenceStore(db),
    baseUnit: () => 'EA',
    inbound: store,
    replay: async (id) => {
      replayed.push(id);
      store.update(id, { status: 'replayed', outcome: 'captured O9' });
      return true;
    },
  });
  return {
    store,
    hooks,
    replayed,
    xrefs,
    parked: parkedInboundSource({ store, inbound }),
    unknown: unknownCrossReferenceSource({ store, inbound, xrefs }),
    rejections: partnerRejectionSource({ store }),
  };
}

const ref = (external: string, kind: XrefKey['kind'] = 'item', system = 'acme', scheme = 'BP'): XrefKey => ({ kind, system, scheme, external });
const park = (store: SqliteInboundStore, p: Partial<Omit<ParkedInbound, 'id' | 'status'>> = {}) =>
  store.park({ system: 'shop', topic: 'orders/create', body: '{"id":1}', reason: 'no stock', errors: [], receivedAt: '2026-12-06T10:00:00.000Z', ...p });
const ctx = { actor: 'alice', correlationId: 'c-1', reason: 'duplicate' };
const exception = (key: string) => ({ key }) as HubException;

test('a body is shown as JSON when it is JSON, else as the text it is', () => {
  assert.deepEqual(asPayload('{"a":[1]}'), { a: [1] });
  assert.equal(asPayload('ISA*00*~'), 'ISA*00*~');
});

test('every parked document is listed across pages, oldest first; replayed and discarded ones are not', async () => {
  const r = rig();
  for (let i = 0; i < 1002; i++) park(r.store);
  r.store.update(2, { status: 'replayed' });
  const all = await allParked(r.store);
  assert.equal(all.length, 1001);
  assert.equal(all[0]!.id, 1);
  assert.equal(all.at(-1)!.id, 1002);
});

test('a parked document is a problem grouped by system and the value its first error names', async () => {
  const r = rig();
  park(r.store, {
    errors: [
      { path: '/lines/0/sku', message: "item '706405907431' is not known" },
      { path: '/customer', message: 'x' },
    ],
    reason: 'unknown item',
    correlationId: 'corr-1',
  });
  park(r.store, { errors: [{ path: '/lines/3/sku', message: "item '706405907431' is not known" }], system: 'b2b' });
  park(r.store, { errors: [{ path: '/lines/0/qty', message: 'must be positive' }] });
  park(r.store, { reason: "customer 'C-9' is on credit hold" });
  park(r.store, { reason: 'no stock at all' });
  park(r.store, { topic: 'x12-997-rejection' });
  park(r.store, { reason: 'the order waits for cross-references: item X', unknownReferences: [ref('X')] });
  park(r.store, { errors: [{ path: '', message: "no customer 'C-7'" }] });
  const problems = await r.parked.current();
  assert.equal(problems.at(-1)!.group, 'inbound:shop:reason=C-7', 'an error without a path is grouped under the reason');
  problems.pop();
  assert.deepEqual(problems[0], {
    key: '1',
    entity: { kind: 'document', id: 'shop/1' },
    error: "unknown item; /lines/0/sku: item '706405907431' is not known; /customer: x",
    group: 'inbound:shop:sku=706405907431',
    system: 'shop',
    correlationId: 'corr-1',
    since: '2026-12-06T10:00:00.000Z',
  });
  assert.deepEqual(
    problems.map((p) => [p.key, p.group, p.correlationId]),
    [
      ['1', 'inbound:shop:sku=706405907431', 'corr-1'],
      ['2', 'inbound:b2b:sku=706405907431', null],
      ['3', 'inbound:shop:qty:c84d22d5069e', null],
      ['4', 'inbound:shop:reason=C-9', null],
      ['5', 'inbound:shop:reason:761c067e81cc', null],
    ],
  );
  assert.equal(r.parked.class, 'parked_inbound');
  assert.equal(r.parked.severity, 'medium');
  assert.deepEqual(r.parked.actions, ['replay', 'edit', 'discard']);
});

test("a parked document's payload is its body; why it went away says what became of it", async () => {
  const r = rig();
  park(r.store);
  park(r.store, { body: 'ISA*' });
  park(r.store);
  park(r.store);
  assert.deepEqual(await r.parked.payload('1'), { id: 1 });
  assert.equal(await r.parked.payload('2'), 'ISA*');
  assert.equal(await r.parked.payload('9'), null);
  r.store.update(1, { status: 'replayed', outcome: 'captured O1' });
  r.store.update(3, { status: 'replayed' });
  r.store.update(4, { status: 'discarded', outcome: 'discarded: dup (by bob)' });
  assert.equal(await r.parked.whyGone(exception('1')), 'replayed: captured O1');
  assert.equal(await r.parked.whyGone(exception('3')), 'replayed: taken');
  assert.equal(await r.parked.whyGone(exception('4')), 'discarded: discarded: dup (by bob)');
  assert.equal(await r.parked.whyGone(exception('2')), 'parked: ');
  assert.equal(await r.parked.whyGone(exception('9')), 'the parked message is gone');
});

test('replaying, editing and discarding a parked document go through the webhooks, with the caller named', async () => {
  const r = rig();
  park(r.store);
  const e = exception('1');
  assert.deepEqual(await r.parked.act(e, 'replay', ctx), { note: 'replayed: captured' });
  r.hooks.outcome = { status: 'parked', parkedId: 1, reason: 'still no stock', errors: [] };
  assert.deepEqual(await r.parked.act(e, 'replay', ctx), { note: 'replayed, still parked: still no stock' });
  r.hooks.outcome = { status: 'ingested', accepted: 1, duplicates: 0, position: 3 };
  assert.deepEqual(await r.parked.act(e, 'edit', { ...ctx, payload: { id: 2 } }), { note: 'edited and replayed: ingested' });
  await r.parked.act(e, 'edit', { ...ctx, payload: 'ISA*fixed' });
  assert.deepEqual(await r.parked.act(e, 'discard', ctx), { note: 'discarded: duplicate' });
  assert.deepEqual(r.hooks.calls, [
    ['replay', 1, 'c-1'],
    ['replay', 1, 'c-1'],
    ['replayEdited', 1, '{"id":2}', 'c-1'],
    ['replayEdited', 1, 'ISA*fixed', 'c-1'],
    ['discard', 1, 'duplicate (by alice)'],
  ]);
  await assert.rejects(r.parked.act(e, 'retry', ctx), /unreachable: retry/);
  await assert.rejects(r.parked.act(e, 'add_xref', ctx), /unreachable: add_xref/);
});

test('a document waiting for cross-references is one problem in the group of the first one it waits for', async () => {
  const r = rig();
  const id = park(r.store, {
    system: 'acme',
    topic: '850',
    body: 'ISA*',
    reason: 'the order waits for cross-references: ...',
    unknownReferences: [ref('0042'), ref('C1', 'customer'), ref('W', 'location')],
    correlationId: 'corr-9',
  });
  park(r.store, { reason: 'the order waits for cross-references', unknownReferences: [ref('0043')], body: '{"n":1}' });
  park(r.store, { reason: 'no stock', unknownReferences: [ref('0044')] });
  const problems = await r.unknown.current();
  assert.equal(problems.length, 2);
  assert.deepEqual(problems[0], {
    key: `${id}:["item","acme","BP","0042"]`,
    entity: { kind: 'item', id: 'acme/BP/0042' },
    error:
      'no cross-reference for item 0042 (system acme, scheme BP) (and 2 more: customer C1 (system acme, scheme BP), location W (system acme, scheme BP)); 850 document 1 from acme waits for it: the order waits for cross-references: ...',
    group: 'xref:item:acme:BP:0042',
    system: 'acme',
    correlationId: 'corr-9',
    since: '2026-12-06T10:00:00.000Z',
    payload: { waitingFor: [ref('0042'), ref('C1', 'customer'), ref('W', 'location')], document: 'ISA*', parkedId: 1 },
  });
  assert.equal(
    problems[1]!.error,
    'no cross-reference for item 0043 (system acme, scheme BP); orders/create document 2 from shop waits for it: the order waits for cross-references',
  );
  assert.equal(problems[1]!.correlationId, null);
  assert.deepEqual(await r.unknown.payload(problems[1]!.key), { waitingFor: [ref('0043')], document: { n: 1 }, parkedId: 2 });
  assert.equal(await r.unknown.payload(`9:["item","acme","BP","x"]`), null);
  // The document without unknown references lists none.
  assert.deepEqual(await r.unknown.payload('3:["item","acme","BP","0044"]'), { waitingFor: [ref('0044')], document: { id: 1 }, parkedId: 3 });
  park(r.store, { reason: 'x' });
  assert.deepEqual(await r.unknown.payload('4:["item","acme","BP","0044"]'), { waitingFor: [], document: { id: 1 }, parkedId: 4 });
  assert.equal(groupOfReference(ref('Z', 'customer', 'sys', 'id')), 'xref:customer:sys:id:Z');
  assert.equal(r.unknown.class, 'unknown_cross_reference');
  assert.equal(r.unknown.severity, 'medium');
  assert.deepEqual(r.unknown.actions, ['add_xref', 'replay', 'discard']);
});

test('adding the cross-reference maps it and replays what waits for it; a bad id is refused naming the field', async () => {
  const r = rig();
  park(r.store, { reason: 'the order waits for cross-references', unknownReferences: [ref('C1', 'customer')] });
  const e = exception('1:["customer","acme","BP","C1"]');
  await assert.rejects(
    r.unknown.act(e, 'add_xref', ctx),
    (err: unknown) =>
      err instanceof InvalidInputError && err.issues[0]!.path === '/id' && err.issues[0]!.message === "add_xref needs the hub's id the reference stands for",
  );
  await assert.rejects(
    r.unknown.act(e, 'add_xref', { ...ctx, mapsTo: { id: ' padded ' } }),
    (err: unknown) =>
      err instanceof InvalidInputError &&
      err.message === 'The cross-reference for customer C1 (system acme, scheme BP) cannot be added; nothing was changed.' &&
      JSON.stringify(err.issues) === JSON.stringify([{ path: '/id', message: 'must have no control characters nor surrounding spaces' }]),
  );
  assert.deepEqual(r.replayed, []);
  assert.deepEqual(await r.unknown.act(e, 'add_xref', { ...ctx, mapsTo: { id: 'CUST-1', shipTo: 'DC-2' } }), {
    note: 'mapped customer C1 (system acme, scheme BP) to CUST-1; 1 waiting document(s) replayed',
  });
  assert.deepEqual(await r.xrefs.resolve([ref('C1', 'customer')]), [{ ...ref('C1', 'customer'), id: 'CUST-1', shipTo: 'DC-2' }]);
  assert.deepEqual(r.replayed, [1]);
  const item = exception('1:["item","acme","BP","I1"]');
  await r.unknown.act(item, 'add_xref', { ...ctx, mapsTo: { id: 'SKU-1' } });
  assert.deepEqual(await r.xrefs.resolve([ref('I1')]), [{ ...ref('I1'), id: 'SKU-1' }]);
});

test('replaying or discarding a waiting document goes through the webhooks', async () => {
  const r = rig();
  const e = exception('7:["item","acme","BP","0042"]');
  assert.deepEqual(await r.unknown.act(e, 'replay', ctx), { note: 'replayed: captured' });
  r.hooks.outcome = { status: 'parked', parkedId: 7, reason: 'still waits', errors: [] };
  assert.deepEqual(await r.unknown.act(e, 'replay', ctx), { note: 'replayed, still parked: still waits' });
  assert.deepEqual(await r.unknown.act(e, 'discard', ctx), { note: 'discarded: duplicate' });
  assert.deepEqual(r.hooks.calls, [
    ['replay', 7, 'c-1'],
    ['replay', 7, 'c-1'],
    ['discard', 7, 'duplicate (by alice)'],
  ]);
  await assert.rejects(r.unknown.act(e, 'retry', ctx), /unreachable: retry/);
  await assert.rejects(r.unknown.act(e, 'edit', ctx), /unreachable: edit/);
});

test('why a waiting document left the group: mapped and replayed, discarded, waiting for another mapping, or parked for another reason', async () => {
  const r = rig();
  for (let i = 0; i < 5; i++) park(r.store, { reason: 'the order waits for cross-references', unknownReferences: [ref('0042')] });
  const why = (id: number) => r.unknown.whyGone(exception(`${id}:["item","acme","BP","0042"]`));
  r.store.update(1, { status: 'replayed', outcome: 'captured O1' });
  r.store.update(2, { status: 'replayed' });
  r.store.update(3, { status: 'discarded', outcome: 'discarded: dup' });
  r.store.update(4, { unknownReferences: [ref('0043')] });
  r.store.update(5, { reason: 'no stock', unknownReferences: [] });
  const mapped = 'the cross-reference for item 0042 (system acme, scheme BP) was added';
  assert.equal(await why(1), `${mapped} and the document replayed: captured O1`);
  assert.equal(await why(2), `${mapped} and the document replayed: taken`);
  assert.equal(await why(3), 'discarded: dup');
  assert.equal(await why(4), `${mapped}; the document now waits for item 0043 (system acme, scheme BP) (group xref:item:acme:BP:0043)`);
  assert.equal(await why(5), `${mapped}; the document is still parked: no stock`);
  assert.equal(await why(9), 'the parked document is gone');
  park(r.store);
  r.store.update(6, { status: 'discarded' });
  assert.equal(await why(6), 'discarded');
});

test("a partner's rejection is a problem naming the rejected document, grouped by partner and set", async () => {
  const r = rig();
  park(r.store);
  const id = r.store.park({
    system: 'acme',
    topic: 'x12-997-rejection',
    body: 'ISA*997~',
    reason: 'acme rejected 856 0001',
    errors: [
      { path: '856/0001', message: 'shipment S1' },
      { path: 'N1/2', message: 'mandatory element missing' },
    ],
    receivedAt: '2026-12-06T10:00:00.000Z',
    correlationId: 'corr-x',
  });
  r.store.park({ system: 'acme', topic: 'x12-997-rejection', body: 'ISA*', reason: 'group rejected', errors: [], receivedAt: 't' });
  const problems = await r.rejections.current();
  assert.deepEqual(problems, [
    {
      key: String(id),
      entity: { kind: 'document', id: 'acme/856/0001 shipment S1' },
      error: 'acme rejected 856 0001; N1/2: mandatory element missing',
      group: 'rejection:acme:856',
      system: 'acme',
      correlationId: 'corr-x',
      since: '2026-12-06T10:00:00.000Z',
    },
    {
      key: '3',
      entity: { kind: 'document', id: 'acme/3' },
      error: 'group rejected',
      group: 'rejection:acme:group',
      system: 'acme',
      correlationId: null,
      since: 't',
    },
  ]);
  assert.equal(await r.rejections.payload(String(id)), 'ISA*997~');
  assert.equal(await r.rejections.payload('99'), null);
  assert.deepEqual(await r.rejections.act(exception(String(id)), 'discard', ctx), { note: 'discarded: duplicate' });
  assert.deepEqual([r.store.get(id)!.status, r.store.get(id)!.outcome], ['discarded', 'discarded: duplicate (by alice)']);
  assert.equal(await r.rejections.whyGone(exception(String(id))), 'discarded: discarded: duplicate (by alice)');
  r.store.update(3, { status: 'replayed' });
  assert.equal(await r.rejections.whyGone(exception('3')), 'replayed: ');
  assert.equal(await r.rejections.whyGone(exception('99')), 'the rejection record is gone');
  await assert.rejects(r.rejections.act(exception('3'), 'retry', ctx), /unreachable: retry/);
  assert.equal(r.rejections.class, 'partner_rejection');
  assert.equal(r.rejections.severity, 'high');
  assert.deepEqual(r.rejections.actions, ['discard']);
});

test('rejections are found across pages of the parked list', async () => {
  const r = rig();
  for (let i = 0; i < 1000; i++) park(r.store);
  r.store.park({ system: 'acme', topic: 'x12-997-rejection', body: 'x', reason: 'r', errors: [], receivedAt: 't' });
  assert.deepEqual(
    (await r.rejections.current()).map((p) => p.key),
    ['1001'],
  );
});
