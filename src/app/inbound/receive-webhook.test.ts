/**
 * What taking a webhook does, against an in-memory inbound store, receipts and order desk and a
 * scripted source: which webhooks are refused (signature, replay window, topic contradiction,
 * repeats), what is captured, cancelled, ingested or left alone, what is parked and with which
 * reason, and what replaying, editing and discarding a parked message writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, NotFoundError, StaleWebhookError, WebhookSignatureError, WebhookTopicMismatchError, type Issue } from '../../domain/errors.js';
import { DuplicateOrderError, IdempotencyKeyReusedError, IllegalTransitionError, InsufficientStockError } from '../../domain/orders/order-errors.js';
import { AmendmentRefusedError } from '../../domain/orders/order-amendment.js';
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import type { InboundKind, InboundSource, MappedEvents, MappedOrder } from '../../ports/inbound-source.js';
import type { InboundStore, ParkedInbound } from '../../ports/inbound-store.js';
import type { TradingPartner } from '../../ports/trading-partner.js';
import type { OrderRequest } from '../../model/order.js';
import type { OrderDesk } from '../orders/order-desk.js';
import type { Ingest } from '../inventory/inventory-view.js';
import { InboundWebhooks, storableRefusal, type WebhookDeps } from './receive-webhook.js';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const NOW_ISO = new Date(NOW).toISOString();

class Parked implements InboundStore {
  readonly rows: ParkedInbound[] = [];
  park(p: Omit<ParkedInbound, 'id' | 'status'>): number {
    const id = this.rows.length + 1;
    this.rows.push({ ...p, id, status: 'parked' });
    return id;
  }
  parked(): ParkedInbound[] {
    return this.rows;
  }
  get(id: number): ParkedInbound | undefined {
    const p = this.rows.find((r) => r.id === id);
    return p && structuredClone(p);
  }
  update(id: number, change: Partial<ParkedInbound>): void {
    Object.assign(this.rows.find((r) => r.id === id)!, change);
  }
}

class Receipts {
  readonly claimed = new Map<string, string>();
  readonly released: string[] = [];
  claim(system: string, id: string, at: string): boolean {
    if (this.claimed.has(`${system}/${id}`)) return false;
    this.claimed.set(`${system}/${id}`, at);
    return true;
  }
  release(system: string, id: string): void {
    this.claimed.delete(`${system}/${id}`);
    this.released.push(`${system}/${id}`);
  }
  forgetBefore(): number {
    return 0;
  }
}

interface Order {
  id: string;
  status: string;
  lines: { sku: string; qty: number }[];
}

/** The order desk as the webhooks use it: captures, cancellations and lookups by the store's id, recorded. */
class Desk {
  readonly orders = new Map<string, Order>();
  readonly captures: { request: OrderRequest; key: string | undefined; ctx: object }[] = [];
  readonly cancels: { id: string; ctx: object }[] = [];
  captureFails?: (request: OrderRequest) => Error | undefined;
  cancelFails?: Error;
  readonly amends: { id: string; lines: { sku: string; qty: number }[]; key: string; ctx: object }[] = [];
  amendFails?: Error;
  byReference(channel: string, externalId: string): Order | undefined {
    return this.orders.get(`${channel}/${externalId}`);
  }
  capture(request: OrderRequest, key: string | undefined, ctx: object) {
    this.captures.push({ request, key, ctx });
    const failure = this.captureFails?.(request);
    if (failure) throw failure;
    const id = `ORD-${this.captures.length}`;
    this.orders.set(`${request.channel}/${request.externalId}`, { id, status: 'captured', lines: request.lines });
    return { statusCode: 201, body: { id, status: 'reserved' }, replayed: false };
  }
  cancel(id: string, ctx: object) {
    this.cancels.push({ id, ctx });
    if (this.cancelFails) throw this.cancelFails;
    return { id, status: 'cancelled' };
  }
  amend(id: string, lines: { sku: string; qty: number }[], key: string, ctx: object) {
    this.amends.push({ id, lines, key, ctx });
    if (this.amendFails) throw this.amendFails;
    return { view: { id, status: 'reserved' } };
  }
}

const request = (externalId: string, lines: { sku: string; qty: number }[] = [{ sku: 'A', qty: 1 }]): OrderRequest =>
  ({ channel: 'web', externalId, customer: 'C1', lines }) as OrderRequest;

/** A storefront whose answers the test sets: the body is JSON `{ id, kind?, lines?, bad?, refs? }`. */
class Store implements InboundSource {
  readonly id = 'shop';
  readonly channel = 'web';
  readonly signatureHeader = 'x-sig';
  readonly topicHeader = 'x-topic';
  idHeader?: string = 'x-id';
  timestampHeader?: string;
  contradiction?: string;
  readonly verified: { raw: string; signature: string | undefined; timestamp: string | undefined }[] = [];
  topicContradiction?: (topic: string | undefined, raw: string) => string | undefined = () => this.contradiction;
  events: MappedEvents = { ok: true, events: [] };
  verify(raw: string, signature: string | undefined, timestamp?: string): boolean {
    this.verified.push({ raw, signature, timestamp });
    return signature === 'good';
  }
  kindOf(topic: string | undefined): InboundKind {
    return (
      ({ 'orders/create': 'order', 'orders/cancelled': 'cancel', 'orders/updated': 'update', 'inventory/events': 'events' }[topic ?? ''] as InboundKind) ??
      'ignore'
    );
  }
  async orderFrom(raw: string): Promise<MappedOrder> {
    const b = JSON.parse(raw) as { id: string; lines?: { sku: string; qty: number }[]; bad?: string; refs?: XrefKey[]; lineRefs?: XrefKey[][] };
    if (b.bad) return { ok: false, errors: [{ path: '/line_items', message: b.bad }], ...(b.refs ? { unknownReferences: b.refs } : {}) };
    return { ok: true, request: request(b.id, b.lines), storeOrderId: b.id, ...(b.lineRefs ? { lineReferences: b.lineRefs } : {}) };
  }
  async eventsFrom(): Promise<MappedEvents> {
    return this.events;
  }
  storeOrderId(raw: string): string | undefined {
    return (JSON.parse(raw) as { id?: string }).id;
  }
}

interface Rig {
  hooks: InboundWebhooks;
  store: Store;
  desk: Desk;
  parked: Parked;
  receipts: Receipts;
  ingested: { values: readonly unknown[]; payload: unknown; correlationId: unknown }[];
}

function rig(over: Partial<WebhookDeps> = {}): Rig {
  const store = new Store();
  const desk = new Desk();
  const parked = new Parked();
  const receipts = new Receipts();
  const ingested: Rig['ingested'] = [];
  const ingest: Ingest = {
    submit: async (values, payload, correlationId) => {
      ingested.push({ values, payload, correlationId });
      return { accepted: values.length, duplicates: 1, position: 42 } as never;
    },
  };
  const hooks = new InboundWebhooks({
    orders: desk as unknown as OrderDesk,
    inbound: parked,
    clock: { now: () => NOW },
    sources: new Map([['shop', store]]),
    ingest,
    partners: new Map(),
    receipts,
    replayWindow: { maxAgeSeconds: 300, clockSkewSeconds: 60 },
    ...over,
  });
  return { hooks, store, desk, parked, receipts, ingested };
}

const headers =
  (h: Record<string, string>) =>
  (name: string): string | undefined =>
    h[name];
const send = (r: Rig, topic: string | undefined, body: object, extra: Record<string, string> = {}) =>
  r.hooks.receive('shop', headers({ 'x-sig': 'good', ...(topic ? { 'x-topic': topic } : {}), ...extra }), JSON.stringify(body), 'corr-1');

const ref = (external: string): XrefKey => ({ kind: 'item', system: 'shop', scheme: 'SKU', external });

test('an unknown system is not found; a bad signature is refused and nothing is taken', async () => {
  const r = rig();
  await assert.rejects(
    r.hooks.receive('nope', headers({}), '{}', 'c'),
    (e: unknown) => e instanceof NotFoundError && e.message === "Inbound system 'nope' does not exist.",
  );
  assert.throws(() => r.hooks.source('nope'), NotFoundError);
  assert.equal(r.hooks.source('shop'), r.store);
  await assert.rejects(
    r.hooks.receive('shop', headers({ 'x-sig': 'forged', 'x-topic': 'orders/create' }), '{"id":"1"}', 'c'),
    (e: unknown) => e instanceof WebhookSignatureError && e.system === 'shop',
  );
  assert.deepEqual(r.store.verified, [{ raw: '{"id":"1"}', signature: 'forged', timestamp: undefined }]);
  assert.deepEqual(r.desk.captures, []);
  assert.equal(r.receipts.claimed.size, 0);
});

test("an order webhook is captured under the store's order id as the key, as the system, with the request's correlation id", async () => {
  const r = rig();
  const outcome = await send(r, 'orders/create', { id: '1001', lines: [{ sku: 'A', qty: 2 }] }, { 'x-id': 'w-1' });
  assert.deepEqual(outcome, { status: 'captured', orderId: 'ORD-1', orderStatus: 'reserved' });
  assert.deepEqual(r.desk.captures, [
    { request: request('1001', [{ sku: 'A', qty: 2 }]), key: 'store-order:1001', ctx: { principal: 'system:shop', correlationId: 'corr-1' } },
  ]);
  assert.deepEqual([...r.receipts.claimed], [['shop/w-1', NOW_ISO]]);
});

test('a webhook id received before is taken once; one without an id header is not deduplicated', async () => {
  const r = rig();
  await send(r, 'orders/create', { id: '1' }, { 'x-id': 'w-1' });
  assert.deepEqual(await send(r, 'orders/create', { id: '1' }, { 'x-id': 'w-1' }), {
    status: 'duplicate',
    reason: 'webhook w-1 from shop was received already; taken once',
  });
  assert.equal(r.desk.captures.length, 1);
  r.store.idHeader = undefined;
  await send(r, 'orders/create', { id: '2' }, { 'x-id': 'w-1' });
  await send(r, 'orders/create', { id: '3' }, { 'x-id': 'w-1' });
  assert.equal(r.desk.captures.length, 3);
});

test("a failure taking the webhook releases its id so the sender's retry is taken; without an id nothing is released", async () => {
  const r = rig();
  r.desk.captureFails = () => new Error('database is down');
  await assert.rejects(send(r, 'orders/create', { id: '1' }, { 'x-id': 'w-1' }), /database is down/);
  assert.deepEqual(r.receipts.released, ['shop/w-1']);
  assert.equal(r.receipts.claimed.size, 0);
  r.store.idHeader = undefined;
  await assert.rejects(send(r, 'orders/create', { id: '1' }, { 'x-id': 'w-1' }), /database is down/);
  assert.deepEqual(r.receipts.released, ['shop/w-1']);
  r.desk.captureFails = undefined;
  r.store.idHeader = 'x-id';
  assert.equal((await send(r, 'orders/create', { id: '1' }, { 'x-id': 'w-1' })).status, 'captured');
});

test('the sender timestamp must be inside the replay window, and readable', async () => {
  const r = rig();
  r.store.timestampHeader = 'x-ts';
  const at = (ts: string) => send(r, 'orders/create', { id: ts }, { 'x-ts': ts });
  const stale = (reason: string) => (e: unknown) => e instanceof StaleWebhookError && e.header === 'x-ts' && e.reason === reason;
  const secs = (offset: number) => String(NOW / 1000 + offset);
  await assert.rejects(at(secs(-301)), stale('is 301 s old, older than the replay window (webhooks.maxAgeSeconds = 300)'));
  await assert.rejects(at(secs(61)), stale('is 61 s in the future, beyond webhooks.clockSkewSeconds = 60'));
  await assert.rejects(at('yesterday'), stale('is not a time (RFC 3339 or Unix seconds)'));
  await assert.rejects(at('17650224'), stale('is not a time (RFC 3339 or Unix seconds)'));
  await assert.rejects(at('2026-12-06T11:54:59Z'), stale('is 301 s old, older than the replay window (webhooks.maxAgeSeconds = 300)'));
  await assert.rejects(at('2026-12-06T25:00:00Z'), stale('is not a time (RFC 3339 or Unix seconds)'));
  await assert.rejects(at(`x${secs(0)}`), stale('is not a time (RFC 3339 or Unix seconds)'));
  assert.deepEqual(r.desk.captures, []);
  assert.equal((await at(secs(-300))).status, 'captured');
  assert.equal((await at(secs(60))).status, 'captured');
  assert.equal((await at(`${secs(-10)}.25`)).status, 'captured');
  assert.equal((await at('2026-12-06T11:59:00Z')).status, 'captured');
  assert.equal(r.store.verified.at(-1)!.timestamp, '2026-12-06T11:59:00Z', 'the timestamp is given to the signature check');
  // The header missing: left to the source's signature check (which may require it).
  assert.equal((await send(r, 'orders/create', { id: 'none' })).status, 'captured');
});

test('a topic the signed body contradicts is refused, naming the header and the topic', async () => {
  const r = rig();
  r.store.contradiction = 'the order is not cancelled';
  await assert.rejects(
    send(r, 'orders/cancelled', { id: '1' }),
    (e: unknown) =>
      e instanceof WebhookTopicMismatchError && e.header === 'x-topic' && e.topic === 'orders/cancelled' && e.reason === 'the order is not cancelled',
  );
  await assert.rejects(send(r, undefined, { id: '1' }), (e: unknown) => e instanceof WebhookTopicMismatchError && e.topic === '');
  r.store.topicContradiction = undefined;
  assert.equal((await send(r, 'orders/create', { id: '1' })).status, 'captured');
});

test('a topic the hub does not take is ignored, saying so; a missing topic is named by its header', async () => {
  const r = rig();
  assert.deepEqual(await send(r, 'customers/create', { id: '1' }), {
    status: 'ignored',
    reason: "topic 'customers/create' is not one the hub takes from shop",
  });
  assert.deepEqual(await send(r, undefined, { id: '1' }), { status: 'ignored', reason: "topic '(no x-topic)' is not one the hub takes from shop" });
});

test('an order captured before under another key is already captured; a reused store id is refused naming /id', async () => {
  const r = rig();
  r.desk.captureFails = () => new DuplicateOrderError('web', '1', 'ORD-7');
  assert.deepEqual(await send(r, 'orders/create', { id: '1' }), { status: 'already_captured', orderId: 'ORD-7' });
  r.desk.captureFails = () => new IdempotencyKeyReusedError('store-order:1', 'ORD-7');
  await assert.rejects(
    send(r, 'orders/create', { id: '1' }),
    (e: unknown) => e instanceof IdempotencyKeyReusedError && e.field === '/id' && e.orderId === 'ORD-7' && e.key === 'store-order:1',
  );
  assert.deepEqual(r.parked.rows, []);
});

test('an order that cannot be captured is parked whole with its reason, errors and correlation id', async () => {
  const r = rig();
  const shortfall = new InsufficientStockError('web', [{ sku: 'A', requested: 2, available: 0 }] as never);
  r.desk.captureFails = () => shortfall;
  const body = { id: '1', lines: [{ sku: 'A', qty: 2 }] };
  const outcome = await send(r, 'orders/create', body);
  assert.deepEqual(outcome, { status: 'parked', parkedId: 1, reason: shortfall.message, errors: shortfall.issues });
  assert.deepEqual(r.parked.rows, [
    {
      id: 1,
      status: 'parked',
      system: 'shop',
      topic: 'orders/create',
      body: JSON.stringify(body),
      reason: shortfall.message,
      errors: shortfall.issues,
      receivedAt: NOW_ISO,
      correlationId: 'corr-1',
    },
  ]);
});

test('an order refused for an unknown item waits for the cross-references its line could be named by', async () => {
  const r = rig();
  const issues: Issue[] = [
    { path: '/lines/1/sku', message: "item 'X' is not known" },
    { path: '/lines/0/qty', message: 'is not known' },
    { path: '/lines/0/sku', message: 'must be a string' },
    { path: '/lines/7/sku', message: "item 'Y' is not known" },
  ];
  r.desk.captureFails = () => new InvalidInputError(issues, 'unknown items');
  const outcome = await send(r, 'orders/create', { id: '1', lineRefs: [[ref('a0')], [ref('b1'), ref('b2')]] });
  assert.equal(outcome.status, 'parked');
  assert.deepEqual(r.parked.rows[0]!.unknownReferences, [ref('b1'), ref('b2')]);
  assert.equal(r.parked.rows[0]!.reason, 'unknown items');
  // Without line references (or no unknown item among the errors) it waits for none.
  await send(r, 'orders/create', { id: '2' });
  assert.equal('unknownReferences' in r.parked.rows[1]!, false);
  r.desk.captureFails = () => new InvalidInputError([{ path: '/customer', message: 'is not known' }], 'bad');
  await send(r, 'orders/create', { id: '3', lineRefs: [[ref('a0')]] });
  assert.equal('unknownReferences' in r.parked.rows[2]!, false);
});

test('an order that cannot be mapped is parked; one naming unknown cross-references waits for them', async () => {
  const r = rig();
  const refs = [ref('0042')];
  assert.deepEqual(await send(r, 'orders/create', { id: '1', bad: 'no such SKU', refs }), {
    status: 'parked',
    parkedId: 1,
    reason: 'the order waits for cross-references: item 0042 (system shop, scheme SKU)',
    errors: [{ path: '/line_items', message: 'no such SKU' }],
  });
  assert.deepEqual(r.parked.rows[0]!.unknownReferences, refs);
  assert.deepEqual(await send(r, 'orders/create', { id: '2', bad: 'unreadable', refs: [] }), {
    status: 'parked',
    parkedId: 2,
    reason: 'the order could not be mapped to a hub order',
    errors: [{ path: '/line_items', message: 'unreadable' }],
  });
  assert.equal('unknownReferences' in r.parked.rows[1]!, false);
  await send(r, 'orders/create', { id: '3', bad: 'unreadable' });
  assert.equal(r.parked.rows[2]!.reason, 'the order could not be mapped to a hub order');
  assert.deepEqual(r.desk.captures, []);
});

test('events are ingested with the correlation id; events that cannot be mapped are parked', async () => {
  const r = rig();
  r.store.events = { ok: true, events: [{ id: 'e1' }, { id: 'e2' }] as never };
  assert.deepEqual(await send(r, 'inventory/events', {}), { status: 'ingested', accepted: 2, duplicates: 1, position: 42 });
  assert.deepEqual(r.ingested, [{ values: [{ id: 'e1' }, { id: 'e2' }], payload: undefined, correlationId: 'corr-1' }]);
  r.store.events = { ok: false, errors: [{ path: '/0', message: 'bad' }] };
  assert.deepEqual(await send(r, 'inventory/events', {}), {
    status: 'parked',
    parkedId: 1,
    reason: 'the message could not be mapped to hub events',
    errors: [{ path: '/0', message: 'bad' }],
  });
});

test("a cancellation cancels the hub's order as the system, saying the storefront did it", async () => {
  const r = rig();
  r.desk.orders.set('web/1', { id: 'ORD-1', status: 'reserved', lines: [] });
  assert.deepEqual(await send(r, 'orders/cancelled', { id: '1' }), { status: 'cancelled', orderId: 'ORD-1' });
  assert.deepEqual(r.desk.cancels, [{ id: 'ORD-1', ctx: { principal: 'system:shop', correlationId: 'corr-1', reason: 'cancelled in the storefront' } }]);
});

test('a cancellation of an order cancelled already finds the work done', async () => {
  const r = rig();
  r.desk.orders.set('web/1', { id: 'ORD-1', status: 'cancelled', lines: [] });
  assert.deepEqual(await send(r, 'orders/cancelled', { id: '1' }), { status: 'unchanged', orderId: 'ORD-1', ignored: 'the order is cancelled already' });
  assert.deepEqual(r.desk.cancels, []);
});

test('a cancellation of an order never captured is parked (it may be captured later); one the order cannot take is parked with why', async () => {
  const r = rig();
  assert.deepEqual(await send(r, 'orders/cancelled', { id: '9' }), {
    status: 'parked',
    parkedId: 1,
    reason: 'no order 9 of channel web has been captured',
    errors: [{ path: '/id', message: 'unknown order' }],
  });
  assert.equal((await send(r, 'orders/cancelled', {})).status, 'parked');
  assert.equal(r.parked.rows[1]!.reason, 'no order (without id) of channel web has been captured');
  r.desk.orders.set('web/1', { id: 'ORD-1', status: 'shipped', lines: [] });
  const illegal = new IllegalTransitionError('ORD-1', 'cancel', 'it has shipped');
  r.desk.cancelFails = illegal;
  assert.deepEqual(await send(r, 'orders/cancelled', { id: '1' }), { status: 'parked', parkedId: 3, reason: illegal.message, errors: [] });
  r.desk.cancelFails = new Error('storage failed');
  await assert.rejects(send(r, 'orders/cancelled', { id: '1' }), /storage failed/);
});

test('an update of an order not captured yet is captured as the order', async () => {
  const r = rig();
  assert.deepEqual(await send(r, 'orders/updated', { id: '5' }), { status: 'captured', orderId: 'ORD-1', orderStatus: 'reserved' });
  assert.equal(r.desk.captures.length, 1);
  assert.equal((await send(r, 'orders/updated', {})).status, 'captured');
});

test('an update that leaves the lines as they were changes nothing and says what it left alone', async () => {
  const r = rig();
  r.desk.orders.set('web/5', {
    id: 'ORD-5',
    status: 'reserved',
    lines: [
      { sku: 'B', qty: 1 },
      { sku: 'A', qty: 2 },
    ],
  });
  assert.deepEqual(
    await send(r, 'orders/updated', {
      id: '5',
      lines: [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1 },
      ],
    }),
    { status: 'unchanged', orderId: 'ORD-5', ignored: 'addresses, note, tags, prices, payment and fulfilment status are not part of the hub order' },
  );
  assert.deepEqual(r.desk.captures, []);
  assert.deepEqual(await send(r, 'orders/updated', { id: '5', bad: 'line 3 has no quantity' }), {
    status: 'unchanged',
    orderId: 'ORD-5',
    ignored: 'addresses, note, tags, prices, payment and fulfilment status are not part of the hub order; its lines could not be read (line 3 has no quantity)',
  });
  assert.deepEqual(r.parked.rows, []);
});

test('an update that changes the lines of a captured order amends it in place; one the order cannot take is parked, naming each change', async () => {
  const r = rig();
  r.desk.orders.set('web/5', {
    id: 'ORD-5',
    status: 'reserved',
    lines: [
      { sku: 'B', qty: 1 },
      { sku: 'A', qty: 2 },
      { sku: 'C', qty: 1 },
    ],
  });
  const changed = {
    id: '5',
    lines: [
      { sku: 'D', qty: 4 },
      { sku: 'A', qty: 3 },
      { sku: 'C', qty: 1 },
    ],
  };
  assert.deepEqual(await send(r, 'orders/updated', changed), { status: 'amended', orderId: 'ORD-5', orderStatus: 'reserved' });
  assert.deepEqual(r.desk.amends, [
    {
      id: 'ORD-5',
      lines: [
        { sku: 'D', qty: 4 },
        { sku: 'A', qty: 3 },
        { sku: 'C', qty: 1 },
      ],
      key: 'store-update:ORD-5:corr-1',
      ctx: { principal: 'system:shop', correlationId: 'corr-1' },
    },
  ]);
  assert.equal(r.parked.rows.length, 0, 'nothing parked');
  r.desk.amendFails = new AmendmentRefusedError('ORD-5', 'released', 'it was released to the warehouse', [{ path: '/lines/0', message: 'released' }]);
  const outcome = await send(r, 'orders/updated', changed);
  assert.deepEqual(outcome, {
    status: 'parked',
    parkedId: 1,
    reason: `the store changed the lines of order ORD-5 (A: 2 → 3, B: 1 → 0, D: 0 → 4), and the order cannot take the change: ${r.desk.amendFails.message}`,
    errors: [
      { path: '/line_items', message: 'differ from the captured order ORD-5' },
      { path: '/lines/0', message: 'released' },
    ],
  });
  assert.equal(r.parked.rows[0]!.topic, 'orders/updated');
  r.desk.amendFails = new Error('storage failed');
  await assert.rejects(send(r, 'orders/updated', changed), /storage failed/);
});

test("a store update's amendment key is printable ASCII of at most 255 characters, whatever the correlation id", async () => {
  const r = rig();
  r.desk.orders.set('web/5', { id: 'ORD-5', status: 'reserved', lines: [{ sku: 'A', qty: 2 }] });
  const correlationId = `corr 1\u00e9${'x'.repeat(300)}`;
  const body = JSON.stringify({ id: '5', lines: [{ sku: 'A', qty: 3 }] });
  const outcome = await r.hooks.receive('shop', headers({ 'x-sig': 'good', 'x-topic': 'orders/updated' }), body, correlationId);
  assert.equal(outcome.status, 'amended');
  assert.equal(r.desk.amends[0]!.key, `store-update:ORD-5:corr_1_${'x'.repeat(300)}`.slice(0, 255));
  assert.equal(r.desk.amends[0]!.key.length, 255);
});

test('a refusal is stored as well-formed text: half a surrogate pair becomes a replacement character', () => {
  assert.deepEqual(storableRefusal('bad \ud83d here', [{ path: '/x\ud83d', message: 'at \udca9' }]), {
    reason: 'bad \ufffd here',
    errors: [{ path: '/x\ufffd', message: 'at \ufffd' }],
  });
  assert.deepEqual(storableRefusal('fine 📦', []), { reason: 'fine 📦', errors: [] });
});

test('a parked webhook is stored with its reason made well formed', async () => {
  const r = rig();
  r.desk.captureFails = () => new InvalidInputError([{ path: '/lines', message: 'unexpected \ud83d' }], 'bad \ud83d');
  const outcome = await send(r, 'orders/create', { id: '1' });
  assert.deepEqual(outcome, { status: 'parked', parkedId: 1, reason: 'bad \ufffd', errors: [{ path: '/lines', message: 'unexpected \ufffd' }] });
  assert.equal(r.parked.rows[0]!.reason, 'bad \ufffd');
});

// Replaying, editing and discarding parked messages.

function parkedRig(topic = 'orders/create', body: object = { id: '1' }, system = 'shop'): Rig {
  const r = rig();
  r.parked.park({ system, topic, body: JSON.stringify(body), reason: 'no stock', errors: [{ path: '/lines', message: 'x' }], receivedAt: 'then' });
  return r;
}

test('replaying a parked webhook takes it again: once taken it is replayed with what it did', async () => {
  const r = parkedRig();
  const { parked, outcome } = await r.hooks.replay(1, 'corr-2');
  assert.deepEqual(outcome, { status: 'captured', orderId: 'ORD-1', orderStatus: 'reserved' });
  assert.equal(parked.status, 'replayed');
  assert.equal(parked.outcome, 'captured ORD-1');
  assert.deepEqual(r.desk.captures[0]!.ctx, { principal: 'system:shop', correlationId: 'corr-2' });
  await assert.rejects(
    r.hooks.replay(1, 'c'),
    (e: unknown) => e instanceof IllegalTransitionError && e.reason === 'it was already replayed' && e.step === 'replay' && e.orderId === '1',
  );
});

test('a replayed message whose outcome names no order records only its status', async () => {
  const r = parkedRig('inventory/events', {});
  const { parked } = await r.hooks.replay(1, 'c');
  assert.equal(parked.outcome, 'ingested');
});

test('a replay still refused stays parked with the new reason and errors, waiting for no references unless named', async () => {
  const r = parkedRig('orders/create', { id: '1', bad: 'still bad', refs: [ref('9')] });
  const { parked, outcome } = await r.hooks.replay(1, 'c');
  assert.equal(parked.status, 'parked');
  assert.equal(parked.reason, 'the order waits for cross-references: item 9 (system shop, scheme SKU)');
  assert.deepEqual(parked.unknownReferences, [ref('9')]);
  assert.deepEqual(outcome, { status: 'parked', parkedId: 1, reason: parked.reason, errors: [{ path: '/line_items', message: 'still bad' }] });
  const r2 = parkedRig('orders/create', { id: '1', bad: 'still bad' });
  r2.parked.update(1, { unknownReferences: [ref('old')] });
  assert.deepEqual((await r2.hooks.replay(1, 'c')).parked.unknownReferences, []);
});

test('replaying an unknown, non-parked or rejection message, or one of a system gone, is refused', async () => {
  const r = rig();
  await assert.rejects(r.hooks.replay(5, 'c'), (e: unknown) => e instanceof NotFoundError && e.kind === 'Parked inbound message' && e.id === '5');
  const rej = parkedRig('x12-997-rejection');
  await assert.rejects(rej.hooks.replay(1, 'c'), (e: unknown) => e instanceof IllegalTransitionError && /partner's rejection/.test(e.reason));
  const gone = parkedRig('orders/create', { id: '1' }, 'old-shop');
  await assert.rejects(gone.hooks.replay(1, 'c'), (e: unknown) => e instanceof NotFoundError && e.kind === 'Inbound system' && e.id === 'old-shop');
});

/** A partner that parks what its text says: lines `park:<reason>` park, `order:<id>` capture. */
function partner(): TradingPartner & { texts: string[] } {
  const texts: string[] = [];
  return {
    texts,
    async receive(text, park) {
      texts.push(text);
      const captured: string[] = [];
      for (const line of text.split('\n')) {
        const [what, arg] = line.split(':');
        if (what === 'park') await park(arg!, [{ path: `/${arg}`, message: 'bad' }], line, arg === 'ref' ? [ref('p1')] : undefined);
        if (what === 'order') captured.push(arg!);
      }
      return { captured, parked: 0, rejected: 0 };
    },
  };
}

test("replaying a partner's document hands its text to the partner; what it captured is recorded", async () => {
  const r = rig();
  const p = partner();
  r.hooks.addPartner('acme', p);
  r.parked.park({ system: 'acme', topic: '850', body: 'order:O1\norder:O2', reason: 'r', errors: [], receivedAt: 't' });
  r.parked.park({ system: 'acme', topic: '850', body: 'nothing', reason: 'r', errors: [], receivedAt: 't' });
  const one = await r.hooks.replay(1, 'c');
  assert.deepEqual(one.outcome, { status: 'captured', orderId: 'O1', orderStatus: 'captured' });
  assert.equal(one.parked.status, 'replayed');
  assert.equal(one.parked.outcome, 'captured O1, O2');
  const two = await r.hooks.replay(2, 'c');
  assert.deepEqual(two.outcome, { status: 'ignored', reason: 'nothing left to capture' });
  assert.equal(two.parked.outcome, 'captured nothing new');
  assert.deepEqual(p.texts, ['order:O1\norder:O2', 'nothing']);
});

test("a partner's document still refused stays parked with every reason, error and reference", async () => {
  const r = rig();
  r.hooks.addPartner('acme', partner());
  r.parked.park({ system: 'acme', topic: '850', body: 'park:first\npark:ref\norder:O3', reason: 'r', errors: [], receivedAt: 't' });
  const { parked, outcome } = await r.hooks.replay(1, 'c');
  assert.equal(parked.status, 'parked');
  assert.equal(parked.reason, 'first; ref');
  assert.deepEqual(parked.errors, [
    { path: '/first', message: 'bad' },
    { path: '/ref', message: 'bad' },
  ]);
  assert.deepEqual(parked.unknownReferences, [ref('p1')]);
  assert.deepEqual(outcome, { status: 'parked', parkedId: 1, reason: 'first', errors: parked.errors });
});

test('an edited body that is taken replaces the parked one and is recorded as edited', async () => {
  const r = parkedRig('orders/create', { id: '1', bad: 'no lines' });
  const body = JSON.stringify({ id: '1', lines: [{ sku: 'A', qty: 1 }] });
  const { parked, outcome } = await r.hooks.replayEdited(1, body, 'corr-3');
  assert.deepEqual(outcome, { status: 'captured', orderId: 'ORD-1', orderStatus: 'reserved' });
  assert.equal(parked.status, 'replayed');
  assert.equal(parked.body, body);
  assert.equal(parked.outcome, 'edited; captured ORD-1');
  assert.equal((r.desk.captures[0]!.ctx as { correlationId: string }).correlationId, 'corr-3');
  const ev = parkedRig('inventory/events', {});
  assert.equal((await ev.hooks.replayEdited(1, '{}', 'c')).parked.outcome, 'edited; ingested');
});

test('an edited body still refused is refused naming what is wrong, and the parked message stays as it was', async () => {
  const r = parkedRig('orders/create', { id: '1', bad: 'no lines' });
  const before = r.parked.get(1);
  await assert.rejects(
    r.hooks.replayEdited(1, JSON.stringify({ id: '1', bad: 'still no lines' }), 'c'),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === 'The edited message still cannot be taken: the order could not be mapped to a hub order; nothing was changed.' &&
      e.issues[0]!.message === 'still no lines',
  );
  assert.deepEqual(r.parked.get(1), before);
});

test("editing a partner's document: still refused names the first reason and every error; taken is recorded", async () => {
  const r = rig();
  r.hooks.addPartner('acme', partner());
  r.parked.park({ system: 'acme', topic: '850', body: 'park:x', reason: 'r', errors: [], receivedAt: 't' });
  await assert.rejects(
    r.hooks.replayEdited(1, 'park:one\npark:two', 'c'),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === 'The edited document still cannot be taken: one.' &&
      JSON.stringify(e.issues) ===
        JSON.stringify([
          { path: '/one', message: 'bad' },
          { path: '/two', message: 'bad' },
        ]),
  );
  assert.equal(r.parked.get(1)!.status, 'parked');
  const { parked, outcome } = await r.hooks.replayEdited(1, 'order:O9', 'c');
  assert.deepEqual(outcome, { status: 'captured', orderId: 'O9', orderStatus: 'captured' });
  assert.equal(parked.outcome, 'edited; captured O9');
  assert.equal(parked.body, 'order:O9');
  r.parked.park({ system: 'acme', topic: '850', body: 'park:x', reason: 'r', errors: [], receivedAt: 't' });
  const nothing = await r.hooks.replayEdited(2, 'nothing', 'c');
  assert.deepEqual(nothing.outcome, { status: 'ignored', reason: 'nothing left to capture' });
  assert.equal(nothing.parked.outcome, 'edited; ignored');
});

test('editing an unknown, non-parked or rejection message, or one of a system gone, is refused', async () => {
  const r = parkedRig();
  await assert.rejects(r.hooks.replayEdited(9, '{}', 'c'), NotFoundError);
  await r.hooks.discard(1, 'dup');
  await assert.rejects(
    r.hooks.replayEdited(1, '{}', 'c'),
    (e: unknown) => e instanceof IllegalTransitionError && e.step === 'edit' && e.reason === 'it was already discarded',
  );
  const rej = parkedRig('x12-997-rejection');
  await assert.rejects(
    rej.hooks.replayEdited(1, '{}', 'c'),
    (e: unknown) => e instanceof IllegalTransitionError && e.step === 'edit' && /rejection/.test(e.reason),
  );
  const gone = parkedRig('orders/create', { id: '1' }, 'old-shop');
  await assert.rejects(gone.hooks.replayEdited(1, '{"id":"1"}', 'c'), (e: unknown) => e instanceof NotFoundError && e.id === 'old-shop');
});

test('discarding a parked message records why; it can be discarded once', async () => {
  const r = parkedRig();
  const parked = await r.hooks.discard(1, 'sent twice by the store');
  assert.equal(parked.status, 'discarded');
  assert.equal(parked.outcome, 'discarded: sent twice by the store');
  await assert.rejects(r.hooks.discard(1, 'again'), (e: unknown) => e instanceof IllegalTransitionError && e.step === 'discard');
  await assert.rejects(r.hooks.discard(2, 'x'), NotFoundError);
  // A rejection may be discarded (it is only never replayed).
  assert.equal((await parkedRig('x12-997-rejection').hooks.discard(1, 'handled')).status, 'discarded');
});

// Survivors of the first mutation run.

test("only an unknown item on a line (`/lines/N/sku`, any N) waits for that line's references", async () => {
  const r = rig();
  const refs = Array.from({ length: 13 }, (_, i) => [ref(`r${i}`)]);
  r.desk.captureFails = () =>
    new InvalidInputError([
      { path: '/x/lines/1/sku', message: 'is not known' },
      { path: '/lines/2/sku/name', message: 'is not known' },
      { path: '/lines/12/sku', message: 'is not known' },
    ]);
  await send(r, 'orders/create', { id: '1', lineRefs: refs });
  assert.deepEqual(r.parked.rows[0]!.unknownReferences, [ref('r12')]);
});

test('an update whose lines cannot be read, without saying why, still says it changed nothing', async () => {
  const r = rig();
  r.desk.orders.set('web/5', { id: 'ORD-5', status: 'reserved', lines: [] });
  r.store.orderFrom = async () => ({ ok: false, errors: [] });
  assert.deepEqual(await send(r, 'orders/updated', { id: '5' }), {
    status: 'unchanged',
    orderId: 'ORD-5',
    ignored: 'addresses, note, tags, prices, payment and fulfilment status are not part of the hub order; its lines could not be read ()',
  });
});

test('the errors of replaying and editing name the step and what is missing', async () => {
  const rej = parkedRig('x12-997-rejection');
  await assert.rejects(rej.hooks.replay(1, 'c'), (e: unknown) => e instanceof IllegalTransitionError && e.step === 'replay' && e.orderId === '1');
  const gone = parkedRig('orders/create', { id: '1' }, 'old-shop');
  await assert.rejects(gone.hooks.replayEdited(1, '{"id":"1"}', 'c'), (e: unknown) => e instanceof NotFoundError && e.kind === 'Inbound system');
  await assert.rejects(gone.hooks.discard(9, 'x'), (e: unknown) => e instanceof NotFoundError && e.kind === 'Parked inbound message' && e.id === '9');
});
