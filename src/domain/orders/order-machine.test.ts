/**
 * The order state machine against a small model of the legal transitions, written from the rules
 * in docs/REFERENCE.md ("Orders") without calling the machine or its helpers: random histories of
 * order events (cancellations, illegal events, events that must wait, duplicates of one line),
 * ERP answers arriving between them, and waiting events expiring. After every step the machine's
 * outcomes, messages, waiting list and status must be the model's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderEvent } from '../../model/order-event.js';
import { decideOrderEvent, settle, type OutboundMessage, type PositionedEvent } from './order-machine.js';
import type { ErpState, OrderState } from './order-state.js';

const SKUS = ['A', 'B', 'C'] as const;
const LOCATIONS = ['L1', 'L2', 'L3'] as const;

// ---------------------------------------------------------------------------------------------
// The model: an order as plain tallies, and the rules as a table of outcomes.

interface ModelLine {
  sku: string;
  qty: number;
  unitPrice?: number;
  /** Allocation in allocation order. */
  alloc: [string, number][];
  returned: number;
}

interface Model {
  erp: ErpState;
  released: boolean;
  delivered: boolean;
  invoiced: boolean;
  cancelled: boolean;
  lines: ModelLine[];
  /** Units shipped, per sku and location. */
  shipped: Record<string, Record<string, number>>;
  shipments: { eventId: string; source: string; location: string; at: string; lines: { sku: string; qty: number }[]; tracking?: unknown }[];
}

type Outcome = 'applied' | 'waiting' | 'rejected';

const sum = (xs: Iterable<number>) => {
  let n = 0;
  for (const x of xs) n += x;
  return n;
};
const shippedOf = (m: Model, sku: string) => sum(Object.values(m.shipped[sku] ?? {}));
/** The identity every generated order has. */
const ID = { orderId: 'O1', externalId: 'X1', customer: 'C1', channel: 'CH' };
/** Units the order still owes of a line: nothing once cancelled or never taken. */
const owedOf = (m: Model, l: ModelLine) => (m.cancelled || m.erp === 'failed' ? 0 : Math.max(0, l.qty - shippedOf(m, l.sku)));

/** Allocated, not shipped from there, and still owed; what exceeds the debt comes off the latest allocations. */
function openOf(m: Model, l: ModelLine): Map<string, number> {
  const perLoc = new Map<string, number>();
  for (const [loc, q] of l.alloc) perLoc.set(loc, (perLoc.get(loc) ?? 0) + q);
  const open = new Map<string, number>();
  for (const [loc, q] of perLoc) open.set(loc, Math.max(0, q - (m.shipped[l.sku]?.[loc] ?? 0)));
  let over = sum(open.values()) - owedOf(m, l);
  for (const [loc] of [...l.alloc].reverse()) {
    if (over <= 0) break;
    const take = Math.min(over, open.get(loc)!);
    open.set(loc, open.get(loc)! - take);
    over -= take;
  }
  for (const [loc, q] of [...open]) if (q === 0) open.delete(loc);
  return open;
}

/** Each line with the total of its sku so far (one sku may be named on several lines). */
function running(lines: readonly { sku: string; qty: number }[]): { i: number; sku: string; total: number }[] {
  const t = new Map<string, number>();
  return lines.map((l, i) => {
    t.set(l.sku, (t.get(l.sku) ?? 0) + l.qty);
    return { i, sku: l.sku, total: t.get(l.sku)! };
  });
}

/** What the event does, and why when it does not apply. */
function modelOutcome(m: Model, e: OrderEvent): { outcome: Outcome; reason?: string } {
  const no = (reason: string) => ({ outcome: 'rejected' as const, reason });
  const wait = (reason: string) => ({ outcome: 'waiting' as const, reason });
  const yes = { outcome: 'applied' as const };
  const lineOf = (sku: string) => m.lines.find((l) => l.sku === sku);
  const stranger = (lines: readonly { sku: string }[]) => {
    const i = lines.findIndex((l) => !lineOf(l.sku));
    return i >= 0 ? no(`lines[${i}]: ${lines[i]!.sku} is not on the order`) : undefined;
  };
  switch (e.type) {
    case 'order.cancelled':
      if (m.cancelled) return no('the order is already cancelled');
      if (m.erp === 'failed') return no('the order was never taken (the ERP failed it); nothing to cancel');
      return m.lines.some((l) => owedOf(m, l) > 0) ? yes : no('everything on the order has shipped; nothing is left to cancel (use a return)');
    case 'order.released':
      if (m.cancelled) return no('the order is cancelled; a cancelled order cannot be released');
      if (m.released) return no('the order is already released');
      return m.erp === 'committed' ? yes : wait(`the ERP has not confirmed the order yet (${m.erp})`);
    case 'order.shipped': {
      if (!m.released)
        return m.cancelled
          ? no('the order is cancelled and was never released; the shipment needs a person to look at it')
          : wait('the order has not been released to the warehouse yet');
      const unknown = stranger(e.lines);
      if (unknown) return unknown;
      for (const r of running(e.lines)) {
        const owed = owedOf(m, lineOf(r.sku)!);
        if (r.total > owed)
          return no(`lines[${r.i}]: ships ${r.total} of ${r.sku} but ${owed} ${m.cancelled ? 'remain (the rest was cancelled)' : 'are outstanding'}`);
      }
      return yes;
    }
    case 'order.delivered':
      if (m.shipments.length === 0) return wait('nothing has shipped yet');
      return m.delivered ? no('the order is already delivered') : yes;
    case 'order.invoiced':
      if (m.shipments.length === 0) return wait('nothing has shipped yet');
      return m.invoiced ? no('the order is already invoiced') : yes;
    case 'return.received': {
      const unknown = stranger(e.lines);
      if (unknown) return unknown;
      for (const r of running(e.lines)) {
        const back = lineOf(r.sku)!.returned;
        const out = shippedOf(m, r.sku);
        if (back + r.total > out) return wait(`lines[${r.i}]: returns ${r.total} of ${r.sku} but only ${out - back} shipped and not yet returned`);
      }
      return yes;
    }
  }
}

/** The messages an applied event sends, in full. */
function modelMessages(m: Model, e: OrderEvent): OutboundMessage[] {
  const requests = (topic: string) => {
    const byLoc = new Map<string, { sku: string; qty: number }[]>();
    for (const l of m.lines) for (const [loc, qty] of openOf(m, l)) byLoc.set(loc, [...(byLoc.get(loc) ?? []), { sku: l.sku, qty }]);
    return [...byLoc].map(([location, lines]) => ({
      destination: `location:${location}`,
      topic,
      payload: { orderId: ID.orderId, externalId: ID.externalId, customer: ID.customer, location, lines },
    }));
  };
  switch (e.type) {
    case 'order.cancelled':
      return [
        ...(m.erp === 'committed'
          ? [{ destination: 'erp', topic: 'order.cancel', payload: { orderId: ID.orderId, erpOrderNumber: 'E1', reason: e.reason ?? null } }]
          : []),
        ...(m.released ? requests('fulfilment.cancel') : []),
      ];
    case 'order.released':
      return requests('fulfilment.request');
    case 'order.shipped': {
      const notice = {
        orderId: ID.orderId,
        externalId: ID.externalId,
        location: e.location,
        lines: e.lines,
        tracking: e.tracking ?? null,
        shippedAt: e.occurredAt,
      };
      return [
        { destination: ID.channel, topic: 'shipment.confirmed', payload: notice },
        { destination: 'crm', topic: 'shipment.confirmed', payload: { ...notice, customer: ID.customer } },
      ];
    }
    case 'order.delivered':
      return [{ destination: 'crm', topic: 'order.delivered', payload: { orderId: ID.orderId, customer: ID.customer, deliveredAt: e.occurredAt } }];
    case 'order.invoiced': {
      const lines = m.lines.filter((l) => shippedOf(m, l.sku) > 0).map((l) => ({ sku: l.sku, qty: shippedOf(m, l.sku), unitPrice: l.unitPrice ?? null }));
      const payload = { orderId: ID.orderId, externalId: ID.externalId, invoiceNumber: e.invoiceNumber ?? null, invoicedAt: e.occurredAt, lines };
      return [{ destination: ID.channel, topic: 'order.invoiced', payload }];
    }
    case 'return.received':
      return [{ destination: 'crm', topic: 'return.received', payload: { orderId: ID.orderId, customer: ID.customer, location: e.location, lines: e.lines } }];
  }
}

function modelApply(m: Model, e: OrderEvent): Model {
  const n: Model = structuredClone(m);
  switch (e.type) {
    case 'order.cancelled':
      n.cancelled = true;
      break;
    case 'order.released':
      n.released = true;
      break;
    case 'order.shipped':
      for (const l of e.lines) {
        const at = (n.shipped[l.sku] ??= {});
        at[e.location] = (at[e.location] ?? 0) + l.qty;
      }
      n.shipments.push({
        eventId: e.id,
        source: e.source,
        location: e.location,
        at: utc(e.occurredAt),
        lines: e.lines,
        ...(e.tracking !== undefined ? { tracking: e.tracking } : {}),
      });
      break;
    case 'order.delivered':
      n.delivered = true;
      break;
    case 'order.invoiced':
      n.invoiced = true;
      break;
    case 'return.received':
      for (const l of e.lines) n.lines.find((x) => x.sku === l.sku)!.returned += l.qty;
      break;
  }
  return n;
}

/** Events are stamped `2026-01-01T01:MM:SS+01:00`; the order keeps the instant in UTC. */
const utc = (stamp: string) => `2026-01-01T00:${stamp.slice(14, 19)}.000Z`;

/** The furthest milestone the tallies reach. */
function modelStatus(m: Model): string {
  const shipped = sum(m.lines.map((l) => shippedOf(m, l.sku)));
  const returned = sum(m.lines.map((l) => l.returned));
  const owed = sum(m.lines.map((l) => owedOf(m, l)));
  const short = m.lines.some((l) => owedOf(m, l) > sum(openOf(m, l).values()));
  if (m.erp === 'failed') return 'erp_failed';
  if (shipped > 0 && returned >= shipped) return 'returned';
  if (m.invoiced) return 'invoiced';
  if (m.delivered) return 'delivered';
  if (shipped > 0) return owed > 0 ? 'partially_shipped' : 'shipped';
  if (m.cancelled) return 'cancelled';
  if (m.released) return 'released';
  if (m.erp === 'held') return 'credit_hold';
  if (m.erp === 'pending') return 'pending_erp';
  return short ? 'backordered' : 'accepted';
}

// ---------------------------------------------------------------------------------------------
// Histories.

interface Start {
  erp: ErpState;
  lines: { sku: string; qty: number; unitPrice?: number; alloc: [string, number][] }[];
}

type Command =
  | { kind: 'event'; event: Omit<OrderEvent, 'id' | 'source' | 'seq' | 'occurredAt' | 'orderId'> }
  | { kind: 'erp'; answer: 'committed' | 'failed' }
  | { kind: 'expire'; oldest: number };

// Mostly items on the order (A-C) in small quantities, so histories reach shipped, returned and invoiced.
const lineArb = fc.record({ sku: fc.constantFrom(...SKUS, ...SKUS, 'Z'), qty: fc.integer({ min: 1, max: 3 }) }, { noNullPrototype: true });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** The event without its optional fields left undefined (as JSON would carry it). */
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const eventArb: fc.Arbitrary<Command> = fc
  .oneof(
    { arbitrary: fc.record({ type: fc.constant('order.released' as const) }), weight: 4 },
    {
      arbitrary: fc.record({
        type: fc.constant('order.shipped' as const),
        location: fc.constantFrom(...LOCATIONS),
        lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
        tracking: optional(fc.constantFrom<unknown>('1Z999', { number: 'T-2', carrier: 'UPS' })),
      }),
      weight: 10,
    },
    { arbitrary: fc.record({ type: fc.constant('order.delivered' as const) }), weight: 2 },
    { arbitrary: fc.record({ type: fc.constant('order.invoiced' as const), invoiceNumber: optional(fc.constant('INV-1')) }), weight: 2 },
    {
      arbitrary: fc.record({
        type: fc.constant('return.received' as const),
        location: fc.constantFrom(...LOCATIONS),
        lines: fc.array(lineArb, { minLength: 1, maxLength: 2 }),
      }),
      weight: 4,
    },
    { arbitrary: fc.record({ type: fc.constant('order.cancelled' as const), reason: optional(fc.constant('customer asked')) }), weight: 1 },
  )
  .map((event) => ({ kind: 'event', event: defined(event) }) as Command);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: eventArb, weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant('erp' as const), answer: fc.constantFrom('committed' as const, 'failed' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('expire' as const), oldest: fc.integer({ min: 1, max: 3 }) }), weight: 1 },
);

const startArb: fc.Arbitrary<Start> = fc.record({
  erp: fc.constantFrom<ErpState>('held', 'pending', 'committed', 'committed', 'committed'),
  lines: fc.subarray([...SKUS], { minLength: 1 }).chain((skus) =>
    fc.tuple(
      ...skus.map((sku) =>
        fc.integer({ min: 1, max: 6 }).chain((qty) =>
          fc.array(fc.tuple(fc.constantFrom(...LOCATIONS), fc.integer({ min: 1, max: 3 })), { maxLength: 3 }).map((alloc) => {
            // Never more allocated than ordered (a backorder allocates less).
            const kept: [string, number][] = [];
            let left = qty;
            for (const [loc, q] of alloc) {
              const n = Math.min(q, left);
              if (n > 0 && !kept.some(([l]) => l === loc)) kept.push([loc, n]);
              left -= n;
            }
            return { sku, qty, alloc: kept };
          }),
        ),
      ),
    ),
  ),
});

function orderOf(s: Start): OrderState {
  return {
    id: 'O1',
    channel: 'CH',
    externalId: 'X1',
    customer: 'C1',
    backorder: 'allow',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    erp: s.erp === 'committed' ? { state: 'committed', orderNumber: 'E1', attempts: 1 } : { state: s.erp, attempts: 0 },
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: s.lines.map((l) => ({ ...l, alloc: l.alloc.map(([a, q]) => [a, q] as [string, number]), departed: {}, returned: 0 })),
    shipments: [],
  };
}

function modelOf(s: Start): Model {
  return {
    erp: s.erp,
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: s.lines.map((l) => ({ ...l, returned: 0 })),
    shipped: {},
    shipments: [],
  };
}

interface Seen {
  position: number;
  outcome: Outcome;
  reason?: string;
  messages: OutboundMessage[];
}

/** The model's settle: the incoming event, then the first waiting event (by position) that no longer waits, again and again. */
function modelSettle(m: Model, pending: readonly PositionedEvent[], incoming?: PositionedEvent) {
  const seen: Seen[] = [];
  let queue = [...pending];
  const take = (p: PositionedEvent) => {
    const o = modelOutcome(m, p.event);
    seen.push({ position: p.position, ...o, messages: o.outcome === 'applied' ? modelMessages(m, p.event) : [] });
    if (o.outcome === 'applied') m = modelApply(m, p.event);
    return o.outcome;
  };
  if (incoming) {
    const o = take(incoming);
    if (o === 'waiting') queue.push(incoming);
    if (o !== 'applied') return { m, seen, queue: queue.sort((a, b) => a.position - b.position) };
  }
  for (;;) {
    queue.sort((a, b) => a.position - b.position);
    const next = queue.find((p) => modelOutcome(m, p.event).outcome !== 'waiting');
    if (!next) break;
    queue = queue.filter((p) => p !== next);
    take(next);
  }
  return { m, seen, queue };
}

test('random order histories follow the model of legal transitions, step by step', () => {
  const history = fc
    .tuple(fc.boolean(), fc.array(commandArb, { minLength: 1, maxLength: 25 }))
    // Half the histories start with the release, so many go on to shipments, returns and invoices.
    .map(([released, commands]) => (released ? [{ kind: 'event', event: { type: 'order.released' } } as Command, ...commands] : commands))
    // Log positions in any order: waiting events are retried by position, not by arrival.
    .chain((commands) => fc.tuple(fc.constant(commands), fc.uniqueArray(fc.nat(1000), { minLength: commands.length, maxLength: commands.length })));
  fc.assert(
    fc.property(startArb, history, (start, [commands, positions]) => {
      let order = orderOf(start);
      let model = modelOf(start);
      let waiting: PositionedEvent[] = [];
      for (const [n, c] of commands.entries()) {
        let incoming: PositionedEvent | undefined;
        if (c.kind === 'expire') {
          // Expiry takes the events that waited longest off the list; they never apply.
          waiting = [...waiting].sort((a, b) => a.position - b.position).slice(c.oldest);
          continue;
        }
        if (c.kind === 'erp') {
          // The ERP answers only an order waiting for it; a commit lets waiting events run.
          if (order.erp.state !== 'pending' && !(order.erp.state === 'held' && c.answer === 'committed')) continue;
          if (c.answer === 'failed') {
            order = { ...order, erp: { state: 'failed', attempts: 1 } };
            model = { ...model, erp: 'failed' };
            continue;
          }
          order = { ...order, erp: { state: 'committed', orderNumber: 'E1', attempts: 1 } };
          model = { ...model, erp: 'committed' };
        } else {
          const ss = String(n % 60).padStart(2, '0');
          const mm = String(Math.floor(n / 60)).padStart(2, '0');
          const stamp = `2026-01-01T01:${mm}:${ss}+01:00`;
          const event = { ...c.event, id: `e${n}`, source: 'wms', seq: n, occurredAt: stamp, orderId: 'O1' } as OrderEvent;
          incoming = { position: positions[n]!, event };
        }
        const got = settle(order, [...waiting].reverse(), incoming);
        const want = modelSettle(model, waiting, incoming);
        assert.deepEqual(
          got.steps.map((s) => ({
            position: s.event.position,
            outcome: s.decision.outcome,
            ...(s.decision.outcome !== 'applied' ? { reason: s.decision.reason } : {}),
            messages: s.decision.outcome === 'applied' ? s.decision.messages : [],
          })),
          want.seen,
        );
        assert.deepEqual(
          got.waiting.map((w) => w.position),
          want.queue.map((w) => w.position),
        );
        // Every step reports the status after it.
        if (got.steps.length > 0) assert.equal(got.steps.at(-1)!.status, modelStatus(want.m));
        assert.deepEqual(got.order.shipments, want.m.shipments);
        assert.deepEqual(
          got.order.lines.map((l) => l.returned),
          want.m.lines.map((l) => l.returned),
        );
        order = got.order;
        model = want.m;
        waiting = got.waiting;
      }
    }),
    { numRuns: 600 },
  );
});

test('the machine never changes the order it is given', () => {
  fc.assert(
    fc.property(startArb, fc.array(eventArb, { minLength: 1, maxLength: 12 }), (start, commands) => {
      let order = orderOf(start);
      order.erp = { state: 'committed', orderNumber: 'E1', attempts: 1 };
      for (const [i, c] of commands.entries()) {
        if (c.kind !== 'event') continue;
        const before = structuredClone(order);
        const event = { ...c.event, id: `e${i}`, source: 'wms', seq: i, occurredAt: '2026-01-01T00:00:00Z', orderId: 'O1' } as OrderEvent;
        const d = decideOrderEvent(order, event);
        assert.deepEqual(order, before);
        if (d.outcome === 'applied') order = d.next;
      }
    }),
    { numRuns: 200 },
  );
});

const committed: Start = { erp: 'committed', lines: [{ sku: 'A', qty: 3, alloc: [['L1', 3]] }] };
const released = () => {
  const d = decideOrderEvent(orderOf(committed), { type: 'order.released', id: 'r', source: 'wms', seq: 1, occurredAt: '2026-01-01T00:00:00Z', orderId: 'O1' });
  assert.equal(d.outcome, 'applied');
  return d.next;
};

test('one sku on several lines of a shipment ships their sum, which may not pass what is outstanding', () => {
  const ship = (lines: { sku: string; qty: number }[]) =>
    decideOrderEvent(released(), {
      type: 'order.shipped',
      id: 's',
      source: 'wms',
      seq: 2,
      occurredAt: '2026-01-01T00:00:01Z',
      orderId: 'O1',
      location: 'L1',
      lines,
    });
  assert.deepEqual(
    ship([
      { sku: 'A', qty: 2 },
      { sku: 'A', qty: 2 },
    ]),
    { outcome: 'rejected', reason: 'lines[1]: ships 4 of A but 3 are outstanding' },
  );
  assert.equal(
    ship([
      { sku: 'A', qty: 2 },
      { sku: 'A', qty: 1 },
    ]).outcome,
    'applied',
  );
});

test('an event naming an item not on the order is rejected, whichever line names it', () => {
  const ret = decideOrderEvent(released(), {
    type: 'return.received',
    id: 'x',
    source: 'wms',
    seq: 2,
    occurredAt: '2026-01-01T00:00:01Z',
    orderId: 'O1',
    location: 'L1',
    lines: [
      { sku: 'A', qty: 1 },
      { sku: 'Z', qty: 1 },
    ],
  });
  assert.deepEqual(ret, { outcome: 'rejected', reason: 'lines[1]: Z is not on the order' });
});

test('once everything has shipped nothing is left to cancel; an invoice or delivery counts once', () => {
  const e = { id: 'x', source: 'wms', seq: 3, occurredAt: '2026-01-01T00:00:02Z', orderId: 'O1' };
  const shipped = decideOrderEvent(released(), { ...e, type: 'order.shipped', location: 'L1', lines: [{ sku: 'A', qty: 3 }] });
  assert.equal(shipped.outcome, 'applied');
  const all = shipped.next;
  assert.deepEqual(decideOrderEvent(all, { ...e, type: 'order.cancelled' }), {
    outcome: 'rejected',
    reason: 'everything on the order has shipped; nothing is left to cancel (use a return)',
  });
  const invoiced = decideOrderEvent(all, { ...e, type: 'order.invoiced' });
  assert.equal(invoiced.outcome, 'applied');
  assert.deepEqual(decideOrderEvent(invoiced.next, { ...e, type: 'order.invoiced' }), { outcome: 'rejected', reason: 'the order is already invoiced' });
  // A return of exactly what shipped applies; one more unit waits for a shipment.
  const back = decideOrderEvent(all, { ...e, type: 'return.received', location: 'L1', lines: [{ sku: 'A', qty: 3 }] });
  assert.equal(back.outcome, 'applied');
  assert.deepEqual(back.next.lines[0]!.returned, 3);
  assert.deepEqual(decideOrderEvent(back.next, { ...e, type: 'return.received', location: 'L1', lines: [{ sku: 'A', qty: 1 }] }), {
    outcome: 'waiting',
    reason: 'lines[0]: returns 1 of A but only 0 shipped and not yet returned',
  });
});

test('an order the ERP failed was never taken: there is nothing to cancel', () => {
  const failed = { ...orderOf(committed), erp: { state: 'failed' as const, attempts: 3 } };
  assert.deepEqual(decideOrderEvent(failed, { type: 'order.cancelled', id: 'c', source: 'wms', seq: 1, occurredAt: '2026-01-01T00:00:00Z', orderId: 'O1' }), {
    outcome: 'rejected',
    reason: 'the order was never taken (the ERP failed it); nothing to cancel',
  });
});
