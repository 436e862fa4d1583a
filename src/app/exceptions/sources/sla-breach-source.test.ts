/**
 * SLA rules evaluated against order reads, destination backlogs and the exception queue (the
 * embedded store in memory), and the sla_breach source built on them: which breaches exist at
 * the edges of each rule, their words, and the keys that keep one breach one exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../../adapters/sqlite/open-database.js';
import { SqliteExceptionStore } from '../../../adapters/sqlite/sqlite-exception-store.js';
import type { OrderState } from '../../../domain/orders/order-state.js';
import type { SlaRule } from '../../../domain/sla/sla-rules.js';
import type { NewException } from '../../../ports/exception-store.js';
import type { TimelineRecord } from '../../../ports/order-store.js';
import type { DestinationBacklog } from '../../delivery/destination-worker.js';
import { evaluateSlaRules, slaBreachSource, type SlaBreachDeps } from './sla-breaches.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const ago = (min: number) => new Date(NOW - min * 60_000).toISOString();
const rule = (r: Partial<SlaRule> & Pick<SlaRule, 'kind' | 'minutes'>): SlaRule => ({ id: r.kind, severity: 'high', ...r });

function memoryStore(): SqliteExceptionStore {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return new SqliteExceptionStore(db);
}

const order = (id: string, createdAt: string, over: Partial<OrderState> = {}): OrderState =>
  ({
    id,
    channel: 'web',
    externalId: `X-${id}`,
    createdAt,
    erp: { state: 'pending', attempts: 2 },
    ...over,
  }) as OrderState;

interface Reads {
  orders: OrderState[];
  timelines: Record<string, TimelineRecord[]>;
  listings: object[];
}

function deps(rules: SlaRule[], over: Partial<SlaBreachDeps> = {}, reads: Reads = { orders: [], timelines: {}, listings: [] }): SlaBreachDeps {
  return {
    rules,
    clock: { now: () => NOW },
    orders: {
      listOrders: async (l: object) => {
        reads.listings.push(l);
        return reads.orders.map((o) => ({ order: o, waiting: 0 }));
      },
      timeline: async (id: string) => reads.timelines[id] ?? [],
      order: async (id: string) => reads.orders.find((o) => o.id === id),
    } as never,
    backlogs: async () => [],
    exceptions: memoryStore(),
    ...over,
  };
}

const exceptionOf = (key: string, cls: string, openedAt: string, over: Partial<NewException> = {}): NewException => ({
  key,
  class: cls,
  severity: 'medium',
  owner: 'ops',
  entity: { kind: 'event', id: key },
  group: 'g',
  correlationId: `c-${key}`,
  error: `error ${key}`,
  payload: null,
  system: 'wms',
  createdAt: openedAt,
  opened: { at: openedAt, actor: 'hub', action: 'opened', note: 'x', status: 'open' },
  ...over,
});

test('an order not in the ERP by the deadline breaches from the deadline on, with its attempts and last error', async () => {
  const reads: Reads = {
    orders: [
      order('O1', ago(30), { erp: { state: 'failed', attempts: 3, lastError: 'ERP timeout' }, correlationId: 'corr-O1' } as Partial<OrderState>),
      order('O2', ago(15)),
      order('O3', ago(14.99)),
    ],
    timelines: { O2: [{ correlationId: 'corr-tl' } as TimelineRecord, { correlationId: 'later' } as TimelineRecord] },
    listings: [],
  };
  const breaches = await evaluateSlaRules(deps([rule({ id: 'erp15', kind: 'order_in_erp', minutes: 15, severity: 'critical' })], {}, reads));
  assert.deepEqual(reads.listings, [{ status: 'pending_erp', limit: 500 }]);
  assert.deepEqual(
    breaches.map(({ rule: r, ...b }) => [r.id, b]),
    [
      [
        'erp15',
        {
          entity: { kind: 'order', id: 'O1' },
          since: ago(15),
          detail: 'order O1 (web X-O1) is not in the ERP 15 min after capture; 3 attempt(s), last: ERP timeout',
          correlationId: 'corr-O1',
          system: 'erp',
        },
      ],
      [
        'erp15',
        {
          entity: { kind: 'order', id: 'O2' },
          since: ago(0),
          detail: 'order O2 (web X-O2) is not in the ERP 15 min after capture; 2 attempt(s)',
          correlationId: 'corr-tl',
          system: 'erp',
        },
      ],
    ],
  );
});

test('a late order without a correlation id or timeline has none; the timeline is read only when the order carries none', async () => {
  let timelineReads = 0;
  const base = deps([rule({ kind: 'order_in_erp', minutes: 10 })]);
  const d: SlaBreachDeps = {
    ...base,
    orders: {
      listOrders: async () => [
        { order: order('O1', ago(20)), waiting: 0 },
        { order: order('O2', ago(20), { correlationId: 'own' } as Partial<OrderState>), waiting: 0 },
      ],
      timeline: async () => {
        timelineReads++;
        return [];
      },
    } as never,
  };
  const breaches = await evaluateSlaRules(d);
  assert.deepEqual(
    breaches.map((b) => b.correlationId),
    [null, 'own'],
  );
  assert.equal(timelineReads, 1);
});

test('shipment confirmations late to a destination: the oldest sets since, up to five orders are named, dead letters counted', async () => {
  const backlog: DestinationBacklog = {
    destination: 'shop',
    shipments: [
      { idempotencyKey: 'a', orderId: 'o1', since: ago(40), state: 'dead' },
      { idempotencyKey: 'b', orderId: 'o2', since: ago(50), state: 'pending' },
      { idempotencyKey: 'c', orderId: 'o2', since: ago(45), state: 'dead' },
      { idempotencyKey: 'd', orderId: 'o3', since: ago(31), state: 'pending' },
      { idempotencyKey: 'e', orderId: 'o4', since: ago(30), state: 'pending' },
      { idempotencyKey: 'f', orderId: 'o5', since: ago(35), state: 'pending' },
      { idempotencyKey: 'g', orderId: 'o6', since: ago(32), state: 'pending' },
      { idempotencyKey: 'h', orderId: 'o7', since: ago(29), state: 'pending' },
    ],
  };
  const breaches = await evaluateSlaRules(deps([rule({ kind: 'shipment_to_channels', minutes: 30 })], { backlogs: async () => [backlog] }));
  assert.equal(breaches.length, 1);
  assert.deepEqual(
    { ...breaches[0], rule: undefined },
    {
      rule: undefined,
      entity: { kind: 'destination', id: 'shop' },
      since: ago(20),
      detail: '7 shipment confirmation(s) not delivered to shop within 30 min (orders o1, o2, o3, o4, o5, ...; 2 dead-lettered)',
      correlationId: null,
      system: 'shop',
    },
  );
});

test('five or fewer late orders are named without an ellipsis', async () => {
  const shipments = ['o1', 'o2', 'o3', 'o4', 'o5'].map((orderId) => ({ idempotencyKey: orderId, orderId, since: ago(31), state: 'pending' as const }));
  const [b] = await evaluateSlaRules(
    deps([rule({ kind: 'shipment_to_channels', minutes: 30 })], { backlogs: async () => [{ destination: 'shop', shipments }] }),
  );
  assert.equal(b!.detail, '5 shipment confirmation(s) not delivered to shop within 30 min (orders o1, o2, o3, o4, o5; 0 dead-lettered)');
});

test('a channel trailing exactly the limit breaches; one without a channel or without an unacknowledged change does not', async () => {
  const backlogs = async (): Promise<DestinationBacklog[]> => [
    { destination: 'shop', channel: 'web', shipments: [], oldestChange: { sku: 'A', at: ago(10) } },
    { destination: 'erp', shipments: [], oldestChange: { sku: 'B', at: ago(60) } },
    { destination: 'crm', channel: 'b2b', shipments: [] },
    { destination: 'amz', channel: 'amz', shipments: [], oldestChange: { sku: 'C', at: ago(9.99) } },
  ];
  const breaches = await evaluateSlaRules(deps([rule({ id: 'lag', kind: 'channel_lag', minutes: 10, severity: 'low' })], { backlogs }));
  assert.deepEqual(
    breaches.map(({ rule: r, ...b }) => [r.id, b]),
    [
      [
        'lag',
        {
          entity: { kind: 'destination', id: 'shop' },
          since: ago(0),
          detail: `shop (channel web) trails the hub by more than 10 min: the figure of A changed at ${ago(10)} and is not acknowledged`,
          correlationId: null,
          system: 'shop',
        },
      ],
    ],
  );
});

test('shipment rules look only at their destinations; the backlogs are read once for every rule that needs them', async () => {
  let reads = 0;
  const backlogs = async (): Promise<DestinationBacklog[]> => {
    reads++;
    return [
      {
        destination: 'shop',
        channel: 'web',
        shipments: [{ idempotencyKey: 'a', orderId: 'o1', since: ago(60), state: 'pending' }],
        oldestChange: { sku: 'A', at: ago(60) },
      },
      { destination: 'edi', shipments: [{ idempotencyKey: 'b', orderId: 'o2', since: ago(60), state: 'pending' }] },
    ];
  };
  const breaches = await evaluateSlaRules(
    deps(
      [
        rule({ kind: 'shipment_to_channels', minutes: 5, destinations: ['edi'] }),
        rule({ kind: 'channel_lag', minutes: 5 }),
        rule({ kind: 'order_in_erp', minutes: 5 }),
      ],
      {
        backlogs,
      },
    ),
  );
  assert.deepEqual(
    breaches.map((b) => [b.rule.kind, b.entity.id]),
    [
      ['shipment_to_channels', 'edi'],
      ['channel_lag', 'shop'],
    ],
  );
  assert.equal(reads, 1);
  let none = 0;
  await evaluateSlaRules(
    deps([rule({ kind: 'order_in_erp', minutes: 5 })], {
      backlogs: async () => {
        none++;
        return [];
      },
    }),
  );
  assert.equal(none, 0, 'rules that need no backlog do not read it');
});

test('an exception open past the limit breaches from when it opened; acknowledged ones and other classes (when classes are named) do not', async () => {
  const store = memoryStore();
  store.open([
    exceptionOf('a', 'dead_letter', ago(61)),
    exceptionOf('b', 'parked_event', ago(61)),
    exceptionOf('c', 'dead_letter', ago(60)),
    exceptionOf('d', 'dead_letter', ago(59)),
    exceptionOf('e', 'dead_letter', ago(90)),
  ]);
  store.change(5, {
    status: 'acknowledged',
    entry: { at: ago(1), actor: 'x', action: 'acknowledge', note: 'x', status: 'acknowledged' },
    whileStatus: ['open'],
  });
  const breaches = await evaluateSlaRules(deps([rule({ id: 'ack', kind: 'exception_ack', minutes: 60, classes: ['dead_letter'] })], { exceptions: store }));
  assert.deepEqual(
    breaches.map(({ rule: _r, ...b }) => b),
    [
      {
        entity: { kind: 'exception', id: '3' },
        since: ago(0),
        detail: 'exception 3 (dead_letter, owner ops) is not acknowledged 60 min after it opened: error c',
        correlationId: 'c-c',
        system: 'wms',
      },
      {
        entity: { kind: 'exception', id: '1' },
        since: ago(1),
        detail: 'exception 1 (dead_letter, owner ops) is not acknowledged 60 min after it opened: error a',
        correlationId: 'c-a',
        system: 'wms',
      },
    ],
  );
});

test('the exception rule counts from the opening entry, else from the creation; it reads every page of open exceptions', async () => {
  const open = Array.from({ length: 502 }, (_, i) => ({
    id: 600 - i,
    class: 'dead_letter',
    owner: 'ops',
    error: 'x',
    correlationId: null,
    system: null,
    createdAt: ago(i === 0 ? 100 : 1),
    history: i === 0 ? [] : [{ at: ago(i === 501 ? 100 : 1) }],
  }));
  const listings: object[] = [];
  const exceptions = {
    list: async (f: { beforeId?: number; limit: number }) => {
      listings.push(f);
      return open.filter((e) => f.beforeId === undefined || e.id < f.beforeId).slice(0, f.limit);
    },
  } as never;
  const breaches = await evaluateSlaRules(deps([rule({ kind: 'exception_ack', minutes: 30 })], { exceptions }));
  assert.deepEqual(
    breaches.map((b) => b.entity.id),
    ['600', '99'],
  );
  assert.deepEqual(listings, [
    { status: 'open', limit: 500 },
    { status: 'open', limit: 500, beforeId: 101 },
  ]);
});

test('the source names each breach by rule, entity and when it broke, and keeps the key of a breach already open or acknowledged', async () => {
  const store = memoryStore();
  const backlogs = async (): Promise<DestinationBacklog[]> =>
    ['shop', 'edi', 'crm'].map((destination) => ({ destination, channel: 'c', shipments: [], oldestChange: { sku: 'A', at: ago(30) } }));
  const lag = rule({ id: 'lag', kind: 'channel_lag', minutes: 10, severity: 'low' });
  const source = slaBreachSource(deps([lag], { backlogs, exceptions: store }));
  store.open([
    exceptionOf('lag/destination:shop@2026-12-06T11:00:00.000Z', 'sla_breach', ago(60)),
    exceptionOf('lag/destination:edi@2026-12-06T11:01:00.000Z', 'sla_breach', ago(59)),
    exceptionOf('lag/destination:crm', 'dead_letter', ago(59)),
  ]);
  store.change(2, {
    status: 'acknowledged',
    entry: { at: ago(1), actor: 'x', action: 'acknowledge', note: 'x', status: 'acknowledged' },
    whileStatus: ['open'],
  });
  const problems = await source.current();
  assert.deepEqual(
    problems.map((p) => p.key),
    ['lag/destination:shop@2026-12-06T11:00:00.000Z', 'lag/destination:edi@2026-12-06T11:01:00.000Z', `lag/destination:crm@${ago(20)}`],
  );
  assert.deepEqual(problems[2], {
    key: `lag/destination:crm@${ago(20)}`,
    entity: { kind: 'destination', id: 'crm' },
    error: `lag: crm (channel c) trails the hub by more than 10 min: the figure of A changed at ${ago(30)} and is not acknowledged`,
    group: 'sla:lag',
    system: 'crm',
    correlationId: null,
    since: ago(20),
    severity: 'low',
    payload: { rule: lag, entity: { kind: 'destination', id: 'crm' }, brokeAt: ago(20) },
  });
  // A breach whose exception resolved breaches anew under a new key.
  store.change(1, {
    status: 'auto_resolved',
    entry: { at: ago(1), actor: 'hub', action: 'auto_resolved', note: 'x', status: 'auto_resolved' },
    whileStatus: ['open'],
  });
  assert.equal((await source.current())[0]!.key, `lag/destination:shop@${ago(20)}`);
});

test('an sla_breach exception whose key names no moment still keeps its key', async () => {
  const store = memoryStore();
  store.open([exceptionOf('lag/destination:shop', 'sla_breach', ago(60))]);
  const source = slaBreachSource(
    deps([rule({ id: 'lag', kind: 'channel_lag', minutes: 10 })], {
      exceptions: store,
      backlogs: async () => [{ destination: 'shop', channel: 'c', shipments: [], oldestChange: { sku: 'A', at: ago(30) } }],
    }),
  );
  assert.deepEqual(
    (await source.current()).map((p) => p.key),
    ['lag/destination:shop'],
  );
});

test('the source offers no actions and tells why each kind of breach went away', async () => {
  const store = memoryStore();
  store.open([exceptionOf('x1', 'dead_letter', ago(5)), exceptionOf('x2', 'dead_letter', ago(5))]);
  store.change(1, { status: 'resolved', entry: { at: ago(1), actor: 'a', action: 'discard', note: 'x', status: 'resolved' }, whileStatus: ['open'] });
  const reads: Reads = {
    orders: [
      order('O1', ago(30), { erp: { state: 'committed', orderNumber: 'E-77', attempts: 1 } }),
      order('O2', ago(30), { erp: { state: 'failed', attempts: 1 } }),
    ],
    timelines: {},
    listings: [],
  };
  const rules = [
    rule({ id: 'erp', kind: 'order_in_erp', minutes: 5 }),
    rule({ id: 'ship', kind: 'shipment_to_channels', minutes: 5 }),
    rule({ id: 'lag', kind: 'channel_lag', minutes: 5 }),
    rule({ id: 'ack', kind: 'exception_ack', minutes: 5 }),
  ];
  const source = slaBreachSource(deps(rules, { exceptions: store }, reads));
  assert.equal(source.class, 'sla_breach');
  assert.equal(source.severity, 'high');
  assert.deepEqual(source.actions, []);
  assert.equal(await source.payload('k'), null);
  await assert.rejects(source.act({} as never, 'retry', { actor: 'a', correlationId: 'c' }), /unreachable: retry on an SLA breach/);
  const why = (key: string, kind: string, id: string) => source.whyGone({ key, entity: { kind, id } } as never);
  assert.equal(await why('erp/order:O1@t', 'order', 'O1'), 'the ERP took order O1 as E-77');
  assert.equal(await why('erp/order:O2@t', 'order', 'O2'), 'order O2 no longer waits for the ERP (failed)');
  assert.equal(await why('erp/order:O9@t', 'order', 'O9'), 'the order is gone');
  assert.equal(await why('ship/destination:shop@t', 'destination', 'shop'), 'every shipment confirmation for shop was delivered (or discarded)');
  assert.equal(await why('lag/destination:shop@t', 'destination', 'shop'), "shop acknowledged the channel's figures");
  assert.equal(await why('ack/exception:1@t', 'exception', '1'), 'exception 1 is resolved');
  assert.equal(await why('ack/exception:2@t', 'exception', '2'), 'exception 2 was acknowledged');
  assert.equal(await why('ack/exception:9@t', 'exception', '9'), 'exception 9 was acknowledged');
  assert.equal(await why('old/order:O1@t', 'order', 'O1'), 'the rule old is no longer configured');
});
