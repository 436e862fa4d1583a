/**
 * The exception sources over other records: dead letters (through the delivery operations over
 * the embedded delivery store in memory), order exceptions, dead log entries, orders the ERP has
 * not taken, and events parked for an undefined location. What each reports, why one went away,
 * and what its actions change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../../adapters/sqlite/open-database.js';
import { SqliteDeliveryStore } from '../../../adapters/sqlite/sqlite-delivery-store.js';
import { InvalidInputError, NotFoundError } from '../../../domain/errors.js';
import { EntryCannotApplyError } from '../../../domain/exceptions/exception-errors.js';
import type { HubException } from '../../../domain/exceptions/exception-rules.js';
import type { OrderState } from '../../../domain/orders/order-state.js';
import type { DeadEntry } from '../../../ports/ledger-store.js';
import type { OrderException } from '../../../ports/order-store.js';
import { DeliveryOperations } from '../../delivery/delivery-engine.js';
import type { Ingest, InventoryReads, InventoryView } from '../../inventory/inventory-view.js';
import { MalformedEntryError } from '../../log/ledger-worker.js';
import { deadLetterSource } from './dead-letters.js';
import { correlationOfEntry, deadLogEntrySource } from './dead-log-entries.js';
import { erpPendingSource } from './erp-pending.js';
import { orderExceptionSource } from './order-exceptions.js';
import { parkedEventSource } from './parked-events.js';

const ctx = { actor: 'alice', correlationId: 'c-1', reason: 'obsolete' };
const exception = (key: string, over: Partial<HubException> = {}) => ({ key, ...over }) as HubException;

function deliveryStore(): SqliteDeliveryStore {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return new SqliteDeliveryStore(db);
}

const letter = (store: SqliteDeliveryStore, n: number, over: { attempts?: number; destination?: string; correlationId?: string } = {}) =>
  store.addDeadLetter({
    destination: over.destination ?? 'shop',
    lane: 'orders',
    message: {
      idempotencyKey: `k${n}`,
      topic: 'shipment.confirmed',
      key: `O${n}`,
      payload: { n },
      ...(over.correlationId ? { correlationId: over.correlationId } : {}),
    },
    attempts: over.attempts ?? 3,
    lastError: `HTTP 500 for ${n}`,
    deadAt: `2026-12-06T10:00:0${n % 10}.000Z`,
  });

test('dead letters given up on are problems grouped by destination; replays queued (no attempt yet) are not', async () => {
  const store = deliveryStore();
  let woken = 0;
  const source = deadLetterSource({
    delivery: new DeliveryOperations(
      [],
      store,
      () => [],
      () => woken++,
    ),
  });
  letter(store, 1, { correlationId: 'corr-1' });
  letter(store, 2, { destination: 'edi' });
  store.setDeadLetterStatus(letter(store, 3, { attempts: 0 }), 'queued');
  store.setDeadLetterStatus(letter(store, 4, { attempts: 2 }), 'queued');
  store.setDeadLetterStatus(letter(store, 5), 'delivered');
  letter(store, 6, { attempts: 0 });
  assert.deepEqual(await source.current(), [
    {
      key: '1',
      entity: { kind: 'destination', id: 'shop' },
      error: 'HTTP 500 for 1',
      group: 'destination:shop',
      system: 'shop',
      correlationId: 'corr-1',
      since: '2026-12-06T10:00:01.000Z',
    },
    {
      key: '2',
      entity: { kind: 'destination', id: 'edi' },
      error: 'HTTP 500 for 2',
      group: 'destination:edi',
      system: 'edi',
      correlationId: null,
      since: '2026-12-06T10:00:02.000Z',
    },
    {
      key: '6',
      entity: { kind: 'destination', id: 'shop' },
      error: 'HTTP 500 for 6',
      group: 'destination:shop',
      system: 'shop',
      correlationId: null,
      since: '2026-12-06T10:00:06.000Z',
    },
    {
      key: '4',
      entity: { kind: 'destination', id: 'shop' },
      error: 'HTTP 500 for 4',
      group: 'destination:shop',
      system: 'shop',
      correlationId: null,
      since: '2026-12-06T10:00:04.000Z',
    },
  ]);
  assert.deepEqual(await source.payload('1'), { idempotencyKey: 'k1', topic: 'shipment.confirmed', key: 'O1', payload: { n: 1 }, correlationId: 'corr-1' });
  assert.equal(source.class, 'dead_letter');
  assert.equal(source.severity, 'high');
  assert.deepEqual(source.actions, ['retry', 'replay', 'discard']);
  assert.equal(woken, 0);
});

test('dead letters are read across pages, dead and queued', async () => {
  const store = deliveryStore();
  const source = deadLetterSource({ delivery: new DeliveryOperations([], store, () => []) });
  for (let i = 0; i < 1001; i++) letter(store, i);
  for (let i = 0; i < 1001; i++) store.setDeadLetterStatus(letter(store, i), 'queued');
  assert.equal((await source.current()).length, 2002);
});

test('retrying queues the dead letter and wakes the workers; one queued already is left so; discarding records who and why', async () => {
  const store = deliveryStore();
  let woken = 0;
  const source = deadLetterSource({
    delivery: new DeliveryOperations(
      [],
      store,
      () => [],
      () => woken++,
    ),
  });
  letter(store, 1);
  store.setDeadLetterStatus(letter(store, 2), 'queued', 'operator queued it');
  letter(store, 3);
  assert.deepEqual(await source.act(exception('1'), 'retry', ctx), { note: 'queued for delivery to shop again' });
  assert.equal(store.deadLetter(1)!.status, 'queued');
  assert.equal(woken, 1);
  assert.deepEqual(await source.act(exception('2'), 'replay', ctx), { note: 'queued for delivery to shop again' });
  assert.equal(store.deadLetter(2)!.note, 'operator queued it');
  assert.equal(woken, 1, 'nothing new to wake for');
  assert.deepEqual(await source.act(exception('3'), 'discard', ctx), { note: 'discarded: obsolete' });
  assert.deepEqual([store.deadLetter(3)!.status, store.deadLetter(3)!.note], ['discarded', 'obsolete (by alice)']);
  await assert.rejects(source.act(exception('3'), 'edit', ctx), /unreachable: edit/);
  await assert.rejects(source.act(exception('3'), 'add_xref', ctx), /unreachable: add_xref/);
});

test('why a dead letter went away: delivered (with its note), discarded with the reason, or its status', async () => {
  const store = deliveryStore();
  const source = deadLetterSource({ delivery: new DeliveryOperations([], store, () => []) });
  store.setDeadLetterStatus(letter(store, 1), 'delivered', 'delivered on retry at 12:00');
  store.setDeadLetterStatus(letter(store, 2), 'delivered');
  store.setDeadLetterStatus(letter(store, 3), 'discarded', 'obsolete (by alice)');
  store.setDeadLetterStatus(letter(store, 4), 'queued');
  assert.equal(await source.whyGone(exception('1')), 'delivered on retry at 12:00');
  assert.equal(await source.whyGone(exception('2')), 'delivered on retry');
  assert.equal(await source.whyGone(exception('3')), 'discarded: obsolete (by alice)');
  assert.equal(await source.whyGone(exception('4')), 'queued');
  await assert.rejects(source.whyGone(exception('9')), NotFoundError);
});

const orderException = (id: number, event: unknown, over: Partial<OrderException> = {}): OrderException => ({
  id,
  orderId: `O${id}`,
  position: id * 10,
  kind: 'rejected',
  reason: `cannot ship O${id}`,
  event,
  raisedAt: `2026-12-06T10:00:0${id % 10}.000Z`,
  ...over,
});

function orderExceptions(
  list: OrderException[],
  result: { accepted: number; position: number; rejected: { index: number; errors: { path: string; message: string }[] }[] },
) {
  const submitted: unknown[][] = [];
  const ingest: Ingest = {
    submit: async (values, payload, correlationId) => {
      submitted.push([values, payload, correlationId]);
      return { ...result, duplicates: 0, parked: [] } as never;
    },
  };
  const reads: [number, number][] = [];
  const source = orderExceptionSource({
    exceptions: {
      exceptions: (afterId, limit) => {
        reads.push([afterId, limit]);
        return list.filter((x) => x.id > afterId).slice(0, limit);
      },
    },
    ingest,
  });
  return { source, submitted, reads };
}

test("order exceptions are problems of their order, named by the event's source and correlation id", async () => {
  const { source } = orderExceptions(
    [
      orderException(1, { id: 'e1', source: 'wms', correlationId: 'corr-e1' }),
      orderException(2, null, { kind: 'expired', reason: 'waited too long' }),
      orderException(3, { id: 'e3' }),
    ],
    { accepted: 1, position: 5, rejected: [] },
  );
  assert.deepEqual(await source.current(), [
    {
      key: '1',
      entity: { kind: 'order', id: 'O1' },
      error: 'rejected: cannot ship O1',
      group: 'order:O1',
      system: 'wms',
      correlationId: 'corr-e1',
      since: '2026-12-06T10:00:01.000Z',
      payload: { id: 'e1', source: 'wms', correlationId: 'corr-e1' },
    },
    {
      key: '2',
      entity: { kind: 'order', id: 'O2' },
      error: 'expired: waited too long',
      group: 'order:O2',
      system: null,
      correlationId: null,
      since: '2026-12-06T10:00:02.000Z',
      payload: null,
    },
    {
      key: '3',
      entity: { kind: 'order', id: 'O3' },
      error: 'rejected: cannot ship O3',
      group: 'order:O3',
      system: null,
      correlationId: null,
      since: '2026-12-06T10:00:03.000Z',
      payload: { id: 'e3' },
    },
  ]);
  assert.deepEqual(await source.payload('3'), { id: 'e3' });
  assert.equal(await source.payload('2'), null);
  assert.equal(await source.payload('9'), null);
  assert.equal(await source.whyGone(exception('1')), 'the order exception record is gone');
  assert.equal(source.class, 'order_exception');
  assert.equal(source.severity, 'medium');
  assert.deepEqual(source.actions, ['edit', 'discard']);
});

test('order exceptions are read page by page', async () => {
  const list = Array.from({ length: 1001 }, (_, i) => orderException(i + 1, null));
  const { source, reads } = orderExceptions(list, { accepted: 1, position: 5, rejected: [] });
  assert.equal((await source.current()).length, 1001);
  assert.deepEqual(reads, [
    [0, 1000],
    [1000, 1000],
  ]);
});

test('a corrected event settles an order exception once accepted; a refused or duplicate one changes nothing; a discard settles it', async () => {
  const ok = orderExceptions([], { accepted: 1, position: 42, rejected: [] });
  assert.deepEqual(await ok.source.act(exception('1'), 'edit', { ...ctx, payload: { id: 'e1b' } }), {
    note: 'a corrected event was accepted at log position 42',
    resolves: true,
  });
  assert.deepEqual(ok.submitted, [[[{ id: 'e1b' }], undefined, 'c-1']]);
  assert.deepEqual(await ok.source.act(exception('1'), 'discard', ctx), { note: 'discarded: obsolete', resolves: true });
  await assert.rejects(ok.source.act(exception('1'), 'retry', ctx), /unreachable: retry/);
  const refused = orderExceptions([], { accepted: 0, position: 0, rejected: [{ index: 0, errors: [{ path: '/0/qty', message: 'must be positive' }] }] });
  await assert.rejects(
    refused.source.act(exception('1'), 'edit', { ...ctx, payload: {} }),
    (e: unknown) =>
      e instanceof InvalidInputError && e.message === 'The corrected event is not valid; nothing was changed.' && e.issues[0]!.message === 'must be positive',
  );
  const duplicate = orderExceptions([], { accepted: 0, position: 0, rejected: [] });
  await assert.rejects(
    duplicate.source.act(exception('1'), 'edit', { ...ctx, payload: {} }),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === 'The corrected event is a duplicate; nothing was changed.' &&
      e.issues[0]!.path === '/id' &&
      e.issues[0]!.message === 'repeats an event the hub already has; give the corrected event its own id and seq',
  );
});

const deadEntry = (position: number, body: string, kind = 'apply'): DeadEntry => ({
  position,
  kind,
  body,
  error: `cannot apply ${position}`,
  attempts: 3,
  at: `2026-12-06T10:00:0${position % 10}.000Z`,
});

test("an entry's correlation id is the one its body names, if any", () => {
  assert.equal(correlationOfEntry('{"correlationId":"c-9"}'), 'c-9');
  assert.equal(correlationOfEntry('{"correlationId":""}'), null);
  assert.equal(correlationOfEntry('{"correlationId":5}'), null);
  assert.equal(correlationOfEntry('null'), null);
  assert.equal(correlationOfEntry('"text"'), null);
  assert.equal(correlationOfEntry('{'), null);
});

test('dead log entries are critical problems grouped by what failed; retrying applies them again', async () => {
  const retried: number[] = [];
  let fail: Error | undefined;
  const source = deadLogEntrySource({
    entries: {
      list: async (limit) => {
        assert.equal(limit, 10_000);
        return [deadEntry(7, '{"correlationId":"c-7"}'), deadEntry(8, 'garbage', 'decode')];
      },
      retry: async (position) => {
        retried.push(position);
        if (fail) throw fail;
        return deadEntry(position, '');
      },
    },
  });
  assert.deepEqual(await source.current(), [
    {
      key: '7',
      entity: { kind: 'event', id: '7' },
      error: 'cannot apply 7',
      group: 'dead-log:apply',
      system: null,
      correlationId: 'c-7',
      since: '2026-12-06T10:00:07.000Z',
      payload: '{"correlationId":"c-7"}',
    },
    {
      key: '8',
      entity: { kind: 'event', id: '8' },
      error: 'cannot apply 8',
      group: 'dead-log:decode',
      system: null,
      correlationId: null,
      since: '2026-12-06T10:00:08.000Z',
      payload: 'garbage',
    },
  ]);
  assert.equal(await source.payload('8'), 'garbage');
  assert.equal(await source.payload('9'), null);
  const e = exception('7', { entity: { kind: 'event', id: '7' } });
  assert.equal(await source.whyGone(e), 'log entry 7 was applied and left the dead entries');
  assert.deepEqual(await source.act(e, 'retry', ctx), { note: 'log entry 7 applied again' });
  assert.deepEqual(retried, [7]);
  fail = new MalformedEntryError(7, 'unknown location');
  await assert.rejects(
    source.act(e, 'retry', ctx),
    (err: unknown) => err instanceof EntryCannotApplyError && /log entry 7 cannot be applied: unknown location/.test(err.message),
  );
  fail = new Error('database down');
  await assert.rejects(source.act(e, 'retry', ctx), (err: unknown) => !(err instanceof EntryCannotApplyError) && (err as Error).message === 'database down');
  await assert.rejects(source.act(e, 'discard', ctx), /unreachable: discard/);
  assert.equal(source.severity, 'critical');
  assert.equal(source.class, 'dead_log_entry');
  assert.deepEqual(source.actions, ['retry']);
});

const order = (id: string, createdAt: string, erp: OrderState['erp'], over: Partial<OrderState> = {}): OrderState =>
  ({ id, channel: 'web', externalId: `X-${id}`, customer: 'C1', createdAt, erp, lines: [], ...over }) as OrderState;

test('orders the ERP has not taken within the limit are problems; retrying asks for a commit now', async () => {
  const NOW = Date.parse('2026-12-06T12:00:00.000Z');
  const orders = [
    order('O1', '2026-12-06T11:50:00.000Z', { state: 'pending', attempts: 2, lastError: 'timeout' }, { correlationId: 'corr-1' }),
    order('O2', '2026-12-06T11:50:00.001Z', { state: 'pending', attempts: 0 }),
    order('O3', '2026-12-06T11:00:00.000Z', { state: 'pending', attempts: 1 }),
  ];
  const listings: object[] = [];
  let retries = 0;
  const source = erpPendingSource({
    reads: {
      listOrders: async (l: object) => {
        listings.push(l);
        return orders.map((o) => ({ order: o, waiting: 0 }));
      },
      order: async (id: string) => orders.find((o) => o.id === id),
      owingErpChange: async () => [],
    } as never,
    clock: { now: () => NOW },
    limitMs: 600_000,
    retryNow: () => retries++,
  });
  assert.deepEqual(await source.current(), [
    {
      key: 'O1',
      entity: { kind: 'order', id: 'O1' },
      error: 'the ERP has not taken the order after 2 attempt(s): timeout',
      group: 'erp',
      system: 'erp',
      correlationId: 'corr-1',
      since: '2026-12-06T11:50:00.000Z',
    },
    {
      key: 'O3',
      entity: { kind: 'order', id: 'O3' },
      error: 'the ERP has not taken the order after 1 attempt(s)',
      group: 'erp',
      system: 'erp',
      correlationId: null,
      since: '2026-12-06T11:00:00.000Z',
    },
  ]);
  assert.deepEqual(listings, [{ status: 'pending_erp', limit: 500 }]);
  assert.deepEqual(await source.payload('O1'), { channel: 'web', externalId: 'X-O1', customer: 'C1', erp: orders[0]!.erp });
  assert.equal(await source.payload('O9'), null);
  assert.deepEqual(await source.act(exception('O1'), 'retry', ctx), {
    note: 'the ERP commit was tried again now; the exception resolves once the ERP takes the order',
  });
  assert.equal(retries, 1);
  orders[0]!.erp = { state: 'committed', attempts: 3, orderNumber: 'E-1' };
  orders[2]!.erp = { state: 'failed', attempts: 5 };
  assert.equal(await source.whyGone(exception('O1')), 'the ERP took the order as E-1');
  assert.equal(await source.whyGone(exception('O3')), 'the order is erp_failed');
  assert.equal(await source.whyGone(exception('O9')), 'the order is gone');
  assert.equal(source.class, 'erp_pending');
  assert.equal(source.severity, 'high');
  assert.deepEqual(source.actions, ['retry']);
});

test('amendments the ERP has not taken within the limit of the amendment are problems keyed change:<order>; they go once it takes them', async () => {
  const NOW = Date.parse('2026-12-06T12:00:00.000Z');
  const orders = [
    // Owed since 11:50, amended again since: the limit counts from when the ERP was first owed the change.
    order(
      'C1',
      '2026-12-06T09:00:00.000Z',
      { state: 'committed', attempts: 1, change: { attempts: 2, since: '2026-12-06T11:50:00.000Z', lastError: 'timeout' } },
      {
        correlationId: 'corr-c1',
        updatedAt: '2026-12-06T11:59:00.000Z',
      },
    ),
    // No time of its own: the order's last update, exactly at the limit.
    order('C2', '2026-12-06T09:00:00.000Z', { state: 'committed', attempts: 1, change: { attempts: 0 } }, { updatedAt: '2026-12-06T11:50:00.000Z' }),
    order(
      'C3',
      '2026-12-06T09:00:00.000Z',
      { state: 'committed', attempts: 1, change: { attempts: 1, since: '2026-12-06T11:50:00.001Z' } },
      {
        updatedAt: '2026-12-06T09:00:00.000Z',
      },
    ),
  ];
  const asked: number[] = [];
  const source = erpPendingSource({
    reads: {
      listOrders: async () => [],
      order: async (id: string) => orders.find((o) => o.id === id),
      owingErpChange: async (limit: number) => {
        asked.push(limit);
        return orders;
      },
    } as never,
    clock: { now: () => NOW },
    limitMs: 600_000,
    retryNow: () => {},
  });
  assert.deepEqual(await source.current(), [
    {
      key: 'change:C1',
      entity: { kind: 'order', id: 'C1' },
      error: 'the ERP has not taken the amendment of the order after 2 attempt(s): timeout',
      group: 'erp',
      system: 'erp',
      correlationId: 'corr-c1',
      since: '2026-12-06T11:50:00.000Z',
    },
    {
      key: 'change:C2',
      entity: { kind: 'order', id: 'C2' },
      error: 'the ERP has not taken the amendment of the order after 0 attempt(s)',
      group: 'erp',
      system: 'erp',
      correlationId: null,
      since: '2026-12-06T11:50:00.000Z',
    },
  ]);
  assert.deepEqual(asked, [500]);
  assert.deepEqual(await source.payload('change:C1'), { channel: 'web', externalId: 'X-C1', customer: 'C1', erp: orders[0]!.erp });
  assert.equal(await source.whyGone(exception('change:C1')), 'the ERP took the amended lines');
  orders[1]!.cancelled = true;
  assert.equal(await source.whyGone(exception('change:C2')), 'the order is cancelled');
  assert.equal(await source.whyGone(exception('change:C9')), 'the order is gone');
});

test('events parked for an undefined location are problems of the item in the group of the location; they resolve once it is defined', async () => {
  const locations = new Set<string>();
  const asked: unknown[][] = [];
  const source = parkedEventSource({
    reads: {
      parkedEvents: async (location: string | undefined, limit: number) => {
        asked.push([location, limit]);
        return [
          { position: 5, sku: 'A', location: 'DAL', reason: "location 'DAL' is not defined", parkedAt: '2026-12-06T10:00:00.000Z', correlationId: 'c-5' },
          { position: 6, sku: 'B', location: 'ATL', reason: 'r', parkedAt: 't' },
        ];
      },
      eventAt: async (position: number) => (position === 5 ? { id: 'e5' } : undefined),
    } as unknown as InventoryReads,
    view: { book: { locations } } as unknown as InventoryView,
  });
  assert.deepEqual(await source.current(), [
    {
      key: '5',
      entity: { kind: 'item', id: 'A' },
      error: "location 'DAL' is not defined",
      group: 'location:DAL',
      system: null,
      correlationId: 'c-5',
      since: '2026-12-06T10:00:00.000Z',
    },
    { key: '6', entity: { kind: 'item', id: 'B' }, error: 'r', group: 'location:ATL', system: null, correlationId: null, since: 't' },
  ]);
  assert.deepEqual(asked, [[undefined, 10_000]]);
  assert.deepEqual(await source.payload('5'), { id: 'e5' });
  assert.equal(await source.payload('6'), null);
  const e = exception('5', { group: 'location:DAL' });
  assert.equal(await source.whyGone(e), 'the event is no longer parked');
  locations.add('DAL');
  assert.equal(await source.whyGone(e), 'location DAL was defined and the event applied');
  await assert.rejects(source.act(e, 'retry', ctx), /parked events take no source actions/);
  assert.deepEqual(source.actions, []);
  assert.equal(source.class, 'parked_event');
  assert.equal(source.severity, 'medium');
});
