/**
 * Small honest in-memory stores for the order use cases' unit tests: an OrderStore and an
 * InventoryStore for the embedded hub (wired as main.ts wires them: InventoryState, OpenOrders,
 * GroupCommit, EventLoopOrderChanges), and a LedgerStore whose transactions roll back whole for the
 * scale-out side. They keep copies (as a database would), never the objects handed to them, so a
 * test sees what was written, not what memory still holds. Not part of the product.
 */
import { InventoryLedger } from '../../domain/inventory/inventory-ledger.js';
import type { LocationDef } from '../../domain/inventory/availability-book.js';
import { orderHolds, type OrderState } from '../../domain/orders/order-state.js';
import { savedOrder } from './saved-order.js';
import type { Channel } from '../../model/catalog.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { InventorySnapshot } from '../../model/inventory-event.js';
import type { OrderStatus } from '../../model/order.js';
import type { Clock } from '../../ports/clock.js';
import type {
  Checkpoint,
  FeedAppend,
  InventoryStore,
  ItemRecord,
  LoggedEvent,
  OvertakenCount,
  ParkedEvent,
  RecordedChange,
} from '../../ports/inventory-store.js';
import type { ChangeAppend, LedgerStore, LedgerTransaction, PositionState, QueuedEntry, StockHold } from '../../ports/ledger-store.js';
import type { ChannelReference, LockingOrderStore, OrderWrites, SavedOrder } from '../../ports/locking-order-store.js';
import type { HoldsEntry } from '../log/log-entries.js';
import { RowLockedOrderChanges } from './order-changes/row-locked-order-changes.js';
import type {
  OrderException,
  OrderListing,
  OrderStore,
  OutboxRecord,
  StoredKey,
  StoredOutboxMessage,
  TimelineRecord,
  WaitingRecord,
} from '../../ports/order-store.js';
import { GroupCommit } from '../group-commit.js';
import { InventoryState } from '../inventory/inventory-state.js';
import { EventLoopOrderChanges } from './order-changes/event-loop-order-changes.js';
import { OpenOrders } from './open-orders.js';
import type { Customer } from '../../model/customer.js';
import type { ErpConnector, ErpOrder } from '../../ports/erp.js';
import { InProcessErpQueue } from './erp-queues/in-process-erp-queue.js';
import { InProcessKeys } from './idempotency-keys/in-process-keys.js';
import { EventLoopOrderPlacement } from './order-placement/event-loop-order-placement.js';
import { ErpCommits } from './commit-orders-to-erp.js';
import { OrderCapture } from './capture-order.js';
import { liveOrderReads } from './live-order-reads.js';
import { OrderDesk } from './order-desk.js';

export const SEP = '\u001f';
export const T0 = Date.parse('2026-03-01T10:00:00.000Z');

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(public ms = T0) {}
  now(): number {
    return this.ms;
  }
}

const copy = <T>(v: T): T => structuredClone(v);

/** Refuses what a typed database column would refuse. */
function typed(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new TypeError(`invalid ${what}: ${JSON.stringify(value)}`);
}

export function channel(id: string, locations: string[], extra: Partial<Channel> = {}): Channel {
  return { id, locations, safetyStock: 0, onErpUnavailable: 'queue', onCreditHold: 'hold', ...extra };
}

export function location(id: string, authority = `wms-${id}`): LocationDef {
  return { id, name: id, authority };
}

let seq = 0;
/** A count of `onHand` units of `sku` at `loc` by the location's authority. */
export function count(loc: LocationDef, sku: string, onHand: number, occurredAt = '2026-03-01T09:00:00.000Z'): InventorySnapshot {
  seq++;
  return { id: `count-${seq}`, source: loc.authority, seq, occurredAt, type: 'inventory.snapshot', sku, location: loc.id, balance: { onHand } };
}

/** The stock position a count leaves, as the shared state stores it. */
export function positionOf(event: InventorySnapshot): PositionState {
  const ledger = new InventoryLedger();
  ledger.apply(event, 1);
  return ledger.position(event.source, event.sku, event.location)!.toJSON();
}

/** An order as a capture makes it; `alloc` per line. */
export function order(id: string, lines: { sku: string; qty: number; alloc?: [string, number][] }[], extra: Partial<OrderState> = {}): OrderState {
  return {
    id,
    channel: 'web',
    externalId: `X-${id}`,
    customer: 'C1',
    backorder: 'allow',
    createdAt: '2026-03-01T08:00:00.000Z',
    updatedAt: '2026-03-01T08:00:00.000Z',
    erp: { state: 'pending', attempts: 0 },
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: lines.map((l) => ({ sku: l.sku, qty: l.qty, alloc: l.alloc ?? [], departed: {}, returned: 0 })),
    shipments: [],
    ...extra,
  };
}

/** The embedded hub's order store, in memory. */
export class MemoryOrderStore implements OrderStore {
  orders = new Map<string, { order: OrderState; status: OrderStatus; open: boolean }>();
  refs = new Map<string, string>();
  timelineRows: TimelineRecord[] = [];
  outboxRows: StoredOutboxMessage[] = [];
  keys = new Map<string, StoredKey>();
  waiting = new Map<number, WaitingRecord>();
  raised: OrderException[] = [];

  saveOrder(order: OrderState, status: OrderStatus, open: boolean): void {
    this.orders.set(order.id, { order: copy(order), status, open });
  }
  order(id: string): OrderState | undefined {
    const o = this.orders.get(id);
    return o && copy(o.order);
  }
  orderByTracking(trackingNumber: string): string | undefined {
    for (const { order } of this.orders.values()) if (order.shipments.some((s) => s.tracking === trackingNumber)) return order.id;
    return undefined;
  }
  openOrders(): OrderState[] {
    return [...this.orders.values()].filter((o) => o.open).map((o) => copy(o.order));
  }
  listOrders(listing: OrderListing): OrderState[] {
    return [...this.orders.values()]
      .filter(
        ({ order, status }) =>
          (listing.channel === undefined || order.channel === listing.channel) &&
          (listing.customer === undefined || order.customer === listing.customer) &&
          (listing.status === undefined || status === listing.status) &&
          (listing.since === undefined || order.createdAt >= listing.since) &&
          (listing.before === undefined ||
            order.createdAt < listing.before.createdAt ||
            (order.createdAt === listing.before.createdAt && order.id < listing.before.id)),
      )
      .map((o) => copy(o.order))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1))
      .slice(0, listing.limit);
  }
  claimReference(channel: string, externalId: string, orderId: string): string | undefined {
    const held = this.refs.get(channel + SEP + externalId);
    if (held !== undefined) return held;
    this.refs.set(channel + SEP + externalId, orderId);
    return undefined;
  }
  releaseReference(channel: string, externalId: string): void {
    this.refs.delete(channel + SEP + externalId);
  }
  claimedBy(channel: string, externalId: string): string | undefined {
    return this.refs.get(channel + SEP + externalId);
  }
  appendTimeline(entries: TimelineRecord[]): void {
    this.timelineRows.push(...copy(entries));
  }
  timeline(orderId: string): TimelineRecord[] {
    return this.timelineRows.filter((t) => t.orderId === orderId);
  }
  appendOutbox(messages: OutboxRecord[]): void {
    for (const m of messages) this.outboxRows.push({ ...copy(m), id: this.outboxRows.length + 1 });
  }
  outbox(afterId: number, limit: number, destination?: string): StoredOutboxMessage[] {
    return this.outboxRows.filter((m) => m.id > afterId && (destination === undefined || m.destination === destination)).slice(0, limit);
  }
  outboxFor(destinations: readonly string[], afterId: number, limit: number): StoredOutboxMessage[] {
    return this.outboxRows.filter((m) => m.id > afterId && destinations.includes(m.destination)).slice(0, limit);
  }
  outboxBetween(destinations: readonly string[], fromIso: string, toIso: string, limit: number): StoredOutboxMessage[] {
    return this.outboxRows.filter((m) => destinations.includes(m.destination) && m.createdAt >= fromIso && m.createdAt <= toIso).slice(0, limit);
  }
  rememberKey(key: string, fingerprint: string, orderId: string, createdAt: string): void {
    this.keys.set(key, { fingerprint, orderId, createdAt });
  }
  storeAnswer(key: string, statusCode: number, response: unknown): void {
    const k = this.keys.get(key);
    if (k) this.keys.set(key, { ...k, statusCode, response: copy(response) });
  }
  keyFor(key: string): StoredKey | undefined {
    return this.keys.get(key);
  }
  forgetKey(key: string): void {
    this.keys.delete(key);
  }
  forgetKeysBefore(iso: string): number {
    let n = 0;
    for (const [k, v] of this.keys)
      if (v.createdAt < iso) {
        this.keys.delete(k);
        n++;
      }
    return n;
  }
  saveWaiting(records: WaitingRecord[]): void {
    for (const r of records) this.waiting.set(r.position, copy(r));
  }
  removeWaiting(positions: number[]): void {
    for (const p of positions) this.waiting.delete(p);
  }
  waitingEvents(): WaitingRecord[] {
    return [...this.waiting.values()].sort((a, b) => a.position - b.position).map(copy);
  }
  raiseException(e: Omit<OrderException, 'id'>): void {
    this.raised.push({ ...copy(e), id: this.raised.length + 1 });
  }
  exceptions(afterId: number, limit: number): OrderException[] {
    return this.raised.filter((e) => e.id > afterId).slice(0, limit);
  }

  /** What a rollback restores. */
  snapshot(): () => void {
    const saved = copy({
      orders: this.orders,
      refs: this.refs,
      timelineRows: this.timelineRows,
      outboxRows: this.outboxRows,
      keys: this.keys,
      waiting: this.waiting,
      raised: this.raised,
    });
    return () => Object.assign(this, saved);
  }
}

/** The embedded hub's inventory store, in memory: a log of events, the catalogue and the change feed. */
export class MemoryInventoryStore implements InventoryStore {
  events: LoggedEvent[] = [];
  locations: LocationDef[] = [];
  channels: Channel[] = [];
  feed: RecordedChange[] = [];
  /** Makes the next transactions fail (a full disk, say) while it is above 0. */
  failing = 0;
  constructor(private readonly others: { snapshot(): () => void }[] = []) {}

  commitIngest(): void {
    throw new Error('not used by the order tests');
  }
  transaction<T>(fn: () => T): T {
    const undo = [...this.others.map((o) => o.snapshot()), this.snapshot()];
    try {
      const value = fn();
      if (this.failing > 0) {
        this.failing--;
        throw new Error('disk full');
      }
      return value;
    } catch (err) {
      for (const u of undo) u();
      throw err;
    }
  }
  private snapshot(): () => void {
    const feed = copy(this.feed);
    return () => {
      this.feed = feed;
    };
  }
  headPosition(): number {
    return this.events.at(-1)?.position ?? 0;
  }
  readEvents(afterPosition: number, limit: number): LoggedEvent[] {
    return this.events.filter((e) => e.position > afterPosition).slice(0, limit);
  }
  eventAt(position: number): HubEvent | undefined {
    return this.events.find((e) => e.position === position)?.event;
  }
  /** Appends an event to the log (the state sees it on its next load). */
  log(event: HubEvent): void {
    this.events.push({ position: this.headPosition() + 1, event });
  }
  parkEvents(): void {}
  parkedEvents(): ParkedEvent[] {
    return [];
  }
  unparkLocation(): ParkedEvent[] {
    return [];
  }
  recordOvertaken(): void {}
  overtakenCounts(): OvertakenCount[] {
    return [];
  }
  appendChanges(feed: FeedAppend[]): void {
    for (const a of feed)
      for (const [i, c] of a.changes.entries()) {
        this.feed.push({
          channel: a.channel,
          cursor: a.firstCursor + i,
          sku: c.sku,
          available: c.available,
          previous: c.previous,
          position: a.position,
          at: a.at,
        });
      }
  }
  readChanges(channel: string, afterCursor: number, limit: number): RecordedChange[] {
    return this.feed.filter((c) => c.channel === channel && c.cursor > afterCursor).slice(0, limit);
  }
  lastCursors(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.feed) out[c.channel] = Math.max(out[c.channel] ?? 0, c.cursor);
    return out;
  }
  saveCheckpoint(_c: Checkpoint): void {}
  loadCheckpoint() {
    return { position: 0, positions: [], sequences: [], figures: [], feedCursors: {} };
  }
  saveLocation(def: LocationDef): void {
    this.locations.push(def);
  }
  loadLocations(): LocationDef[] {
    return this.locations;
  }
  saveChannel(c: Channel): void {
    this.channels.push(c);
  }
  loadChannels(): Channel[] {
    return this.channels;
  }
  saveItem(_item: ItemRecord): void {}
  loadItems(): ItemRecord[] {
    return [];
  }
  close(): void {}
}

/** The embedded hub's order side as main.ts wires it, over in-memory stores holding `counts` in its log. */
export function embeddedHub(setup: { locations: LocationDef[]; channels: Channel[]; counts?: InventorySnapshot[] }) {
  const orders = new MemoryOrderStore();
  const inventory = new MemoryInventoryStore([orders]);
  inventory.locations.push(...setup.locations);
  inventory.channels.push(...setup.channels);
  for (const c of setup.counts ?? []) inventory.log(c);
  const clock = new TestClock();
  const state = new InventoryState({ store: inventory, clock });
  const openOrders = new OpenOrders({ state, orders, clock });
  const recover = () => {
    state.reload();
    openOrders.reload();
  };
  const commits = new GroupCommit((fn) => inventory.transaction(fn), recover);
  const changes = new EventLoopOrderChanges({ state, openOrders, commits, clock });
  /** Units of `sku` at `location` free for a channel (on hand less what orders hold). */
  const reserved = (sku: string, loc: string) => state.ledger.reservedAt(sku, loc);
  return { orders, inventory, clock, state, openOrders, commits, changes, reserved, recover };
}

interface LedgerData {
  positions: Map<string, PositionState>;
  figures: Map<string, number>;
  holds: Map<string, number>;
  queued: QueuedEntry[];
  feed: ChangeAppend[];
  orders: Map<string, SavedOrder>;
  refs: Map<string, string>;
  timeline: TimelineRecord[];
  outbox: OutboxRecord[];
  keys: Map<string, string>;
  waiting: Map<number, WaitingRecord>;
  raised: Omit<OrderException, 'id'>[];
  unconfirmed: { orderId: string; sku: string; location: string }[];
}

/**
 * The scale-out shared state in memory: a transaction works on the data and is undone whole when
 * its function throws (or when `failing` makes the commit fail). Locks are not needed in one
 * process; which items a transaction locked is kept, for the lock order.
 */
export class MemoryLedgerStore implements LedgerStore {
  locations: LocationDef[] = [];
  channels: Channel[] = [];
  data: LedgerData = {
    positions: new Map(),
    figures: new Map(),
    holds: new Map(),
    queued: [],
    feed: [],
    orders: new Map(),
    refs: new Map(),
    timeline: [],
    outbox: [],
    keys: new Map(),
    waiting: new Map(),
    raised: [],
    unconfirmed: [],
  };
  /** The items each transaction locked, in the order asked. */
  locked: string[][] = [];
  failing = 0;
  transactions = 0;

  /** Puts a count's position in the shared state. */
  stock(event: InventorySnapshot): void {
    this.data.positions.set(event.source + SEP + event.sku + SEP + event.location, positionOf(event));
  }

  /** Stores orders as a capture's reservation leaves them: saved, with what they hold. */
  put(...orders: OrderState[]): void {
    for (const o of orders) {
      this.data.orders.set(o.id, copy(savedOrder(o)));
      for (const [key, units] of orderHolds(o, () => undefined)) this.data.holds.set(o.id + SEP + key, units);
    }
  }

  /** Units held per "orderId sku location", without zero rows. */
  heldBy(orderId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.data.holds) {
      const [o, sku, loc] = k.split(SEP) as [string, string, string];
      if (o === orderId) out[`${sku}@${loc}`] = v;
    }
    return out;
  }

  savedOrder(id: string): OrderState | undefined {
    const o = this.data.orders.get(id);
    return o && copy(o.order);
  }

  async eventBatch<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    const before = copy(this.data);
    try {
      const value = await fn(this.tx());
      if (this.failing > 0) {
        this.failing--;
        throw new Error('connection reset');
      }
      this.transactions++;
      return value;
    } catch (err) {
      this.data = before;
      throw err;
    }
  }
  catalogChange<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    return this.eventBatch(fn);
  }

  private tx(): LedgerTransaction {
    const d = () => this.data;
    const locks: string[] = [];
    this.locked.push(locks);
    const orders: OrderWrites = {
      claimReferences: async (refs: readonly ChannelReference[]) => {
        const taken = new Map<string, string>();
        for (const r of refs) {
          const key = r.channel + SEP + r.externalId;
          const holder = d().refs.get(key);
          if (holder !== undefined && holder !== r.orderId) taken.set(key, holder);
          else d().refs.set(key, r.orderId);
        }
        return taken;
      },
      dropReferences: async (refs) => {
        for (const r of refs) typed(typeof r.channel === 'string' && typeof r.externalId === 'string', 'reference', r);
        for (const r of refs) d().refs.delete(r.channel + SEP + r.externalId);
      },
      saveOrders: async (saved) => {
        for (const s of saved) d().orders.set(s.order.id, copy(s));
      },
      appendTimeline: async (records) => {
        d().timeline.push(...copy(records));
      },
      appendOutbox: async (messages) => {
        d().outbox.push(...copy(messages));
      },
      bindKeys: async (bindings) => {
        for (const b of bindings) d().keys.set(b.key, b.orderId);
      },
      forgetKey: async (key) => {
        d().keys.delete(key);
      },
      lockOrders: async (ids) =>
        [...ids]
          .sort()
          .map((id) => d().orders.get(id)?.order)
          .filter((o): o is OrderState => o !== undefined)
          .map(copy),
      waitingFor: async (ids) =>
        [...d().waiting.values()]
          .filter((w) => ids.includes(w.orderId))
          .sort((a, b) => a.position - b.position)
          .map(copy),
      saveWaiting: async (records) => {
        for (const r of records) d().waiting.set(r.position, copy(r));
      },
      removeWaiting: async (positions) => {
        for (const p of positions) typed(Number.isInteger(p), 'position', p);
        return positions.filter((p) => d().waiting.delete(p));
      },
      raiseExceptions: async (exceptions) => {
        d().raised.push(...copy(exceptions));
      },
      unconfirmedAt: async (pairs) => [
        ...new Set(
          d()
            .unconfirmed.filter((u) => pairs.some((p) => p.sku === u.sku && p.location === u.location))
            .map((u) => u.orderId),
        ),
      ],
      replaceUnconfirmed: async (ids, pairs) => {
        d().unconfirmed = [...d().unconfirmed.filter((u) => !ids.includes(u.orderId)), ...copy(pairs)];
      },
    };
    return {
      orders,
      claim: async () => {
        throw new Error('not used by the order tests');
      },
      lockItems: async (skus) => {
        locks.push(...skus);
      },
      itemsState: async (skus) => {
        const positions = [...d().positions].filter(([k]) => skus.includes(k.split(SEP)[1]!)).map(([, v]) => copy(v));
        const figures = [...d().figures]
          .map(([k, available]) => {
            const [channel, sku] = k.split(SEP) as [string, string];
            return { channel, sku, available };
          })
          .filter((f) => skus.includes(f.sku));
        const reserved = new Map<string, number>();
        for (const [k, units] of d().holds) {
          const [, sku, loc] = k.split(SEP) as [string, string, string];
          if (skus.includes(sku)) reserved.set(sku + SEP + loc, (reserved.get(sku + SEP + loc) ?? 0) + units);
        }
        return {
          locations: copy(this.locations),
          channels: copy(this.channels),
          positions,
          figures,
          reserved: [...reserved].map(([k, units]) => {
            const [sku, location] = k.split(SEP) as [string, string];
            return { sku, location, units };
          }),
        };
      },
      skusAt: async () => [],
      queueForLog: async (kind, key, body) => {
        d().queued.push({ id: d().queued.length + 1, kind, key, body: copy(body) });
        return d().queued.length;
      },
      addHolds: async (holds) => {
        for (const h of holds) typed(typeof h.orderId === 'string' && typeof h.sku === 'string' && Number.isInteger(h.units), 'hold', h);
        for (const h of holds) {
          const k = h.orderId + SEP + h.sku + SEP + h.location;
          const n = (d().holds.get(k) ?? 0) + h.units;
          if (n === 0) d().holds.delete(k);
          else d().holds.set(k, n);
        }
      },
      holdsOf: async (ids) =>
        [...d().holds].flatMap(([k, units]): (StockHold & { orderId: string })[] => {
          const [orderId, sku, location] = k.split(SEP) as [string, string, string];
          return ids.includes(orderId) ? [{ orderId, sku, location, units }] : [];
        }),
      skusPublished: async () => [],
      savePositions: async () => {},
      skusWithDatedInbound: async () => [],
      appendChanges: async (appends) => {
        for (const a of appends)
          typed(typeof a.channel === 'string' && a.changes.every((c) => typeof c.sku === 'string' && Number.isInteger(c.available)), 'change', a);
        d().feed.push(...copy(appends));
        for (const a of appends) for (const c of a.changes) d().figures.set(a.channel + SEP + c.sku, c.available);
      },
      park: async () => {},
      unpark: async () => [],
      recordOvertaken: async () => {},
      saveLocation: async () => {},
      saveChannel: async () => {},
      saveItem: async () => {},
    };
  }

  async readChanges(): Promise<RecordedChange[]> {
    return [];
  }
  async parkedEvents(): Promise<ParkedEvent[]> {
    return [];
  }
  async overtakenCounts(): Promise<OvertakenCount[]> {
    return [];
  }
  async figure(channel: string, sku: string): Promise<number> {
    return this.data.figures.get(channel + SEP + sku) ?? 0;
  }
  async deadLetter(): Promise<void> {}
  async relayToLog(): Promise<number> {
    return 0;
  }
  async deadEntries() {
    return [];
  }
  async deadEntry() {
    return undefined;
  }
  async forgetDeadEntry(): Promise<void> {}
  async close(): Promise<void> {}
}

/** An ERP that records what it was asked; `answer` decides each placement (an order number, or throws). */
export function recordingErp(answer: (order: ErpOrder) => Promise<{ orderNumber: string }> = async (o) => ({ orderNumber: `E-${o.reference}` })) {
  const calls: string[] = [];
  const placed: ErpOrder[] = [];
  const known = new Map<string, string>();
  const connector: ErpConnector = {
    placeOrder: async (o, timeoutMs) => {
      calls.push(`place ${o.reference} ${timeoutMs}`);
      placed.push(o);
      const taken = await answer(o);
      known.set(o.reference, taken.orderNumber);
      return taken;
    },
    findOrder: async (reference, timeoutMs) => {
      calls.push(`find ${reference} ${timeoutMs}`);
      const n = known.get(reference);
      return n === undefined ? undefined : { orderNumber: n };
    },
    changeOrder: async (reference, lines, timeoutMs) => {
      calls.push(`change ${reference} ${lines.map((l) => `${l.sku}x${l.qty}`).join(',')} ${timeoutMs}`);
    },
  };
  return { connector, calls, placed, known };
}

export const customerRecord = (id: string, extra: Partial<Customer> = {}): Customer => ({
  id,
  name: id,
  active: true,
  creditHold: false,
  updatedAt: 'x',
  ...extra,
});

/** The embedded hub's capture side as main.ts wires it: keys, placement, ERP queue and commits, capture, desk. */
export function embeddedCapture(
  h: ReturnType<typeof embeddedHub>,
  options: { erp?: ErpConnector; customers?: Customer[]; onError?: (err: unknown) => void; random?: () => number } = {},
) {
  const erpQueue = new InProcessErpQueue({ openOrders: h.openOrders, clock: h.clock });
  const keys = new InProcessKeys({ orders: h.orders, commits: h.commits });
  const placement = new EventLoopOrderPlacement({ state: h.state, orders: h.orders, openOrders: h.openOrders, commits: h.commits, clock: h.clock, erpQueue });
  const customers = new Map((options.customers ?? [customerRecord('C1')]).map((c) => [c.id, c]));
  const erp = new ErpCommits({
    changes: h.changes,
    queue: erpQueue,
    erp: options.erp ?? recordingErp().connector,
    customer: (id) => customers.get(id),
    clock: h.clock,
    timeoutMs: 100,
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
    random: options.random ?? (() => 1),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let n = 0;
  const capture = new OrderCapture({
    keys,
    placement,
    erp,
    view: h.state,
    customer: (id) => customers.get(id),
    order: (id) => h.openOrders.get(id),
    clock: h.clock,
    newOrderId: () => `ord_${++n}`,
  });
  const reads = liveOrderReads(h.openOrders, h.orders);
  // Amendments are the amend-order tests' own; the desk here only needs to know every SKU.
  const desk = new OrderDesk({ capture, changes: h.changes, reads, amendments: { isKnownSku: () => true } });
  return { erpQueue, keys, placement, erp, capture, desk, reads, customers };
}

/** The queries the scale-out order changes ask of the shared orders, over a MemoryLedgerStore's data. */
export function memoryLockingOrders(store: MemoryLedgerStore): LockingOrderStore {
  const d = () => store.data;
  const unused = async (): Promise<never> => {
    throw new Error('not used by the order tests');
  };
  return {
    claimKeys: unused,
    dropKeyClaim: unused,
    storeAnswers: unused,
    forgetKeysBefore: unused,
    order: async (id) => store.savedOrder(id),
    orderByReference: async (channel, externalId) => {
      const id = d().refs.get(channel + SEP + externalId);
      return id === undefined ? undefined : store.savedOrder(id);
    },
    listOrders: async (listing) =>
      [...d().orders.values()]
        .map((s) => s.order)
        .filter((o) => listing.channel === undefined || o.channel === listing.channel)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1))
        .slice(0, listing.limit)
        .map((o) => ({ order: copy(o), waiting: [...d().waiting.values()].filter((w) => w.orderId === o.id).length })),
    timeline: async (orderId) => d().timeline.filter((t) => t.orderId === orderId),
    outbox: async (afterId, limit) =>
      d()
        .outbox.map((m, i) => ({ ...m, id: i + 1 }))
        .filter((m) => m.id > afterId)
        .slice(0, limit),
    outboxFor: unused,
    outboxBetween: unused,
    openByStatus: unused,
    leaseDueForErp: unused,
    owingOrders: async (limit, skus) =>
      [...d().orders.values()]
        .filter((s) => s.owes && (!skus || s.order.lines.some((l) => skus.includes(l.sku))))
        .map((s) => s.order)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map((o) => o.id),
    heldFor: async (customer) =>
      [...d().orders.values()]
        .filter((s) => s.order.customer === customer && s.order.erp.state === 'held')
        .map((s) => s.order.id)
        .sort(),
    exceptions: unused,
    waitingCount: async (orderId) => [...d().waiting.values()].filter((w) => w.orderId === orderId).length,
    orderByTracking: unused,
    waitingSince: async (iso, limit) =>
      [...d().waiting.values()]
        .filter((w) => w.since < iso)
        .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.position - b.position))
        .slice(0, limit)
        .map(copy),
  };
}

/** The scale-out order side over an in-memory shared state: RowLockedOrderChanges as the wiring makes it. */
export function scaleOutHub(setup: { locations: LocationDef[]; channels: Channel[]; counts?: InventorySnapshot[] }) {
  const store = new MemoryLedgerStore();
  store.locations.push(...setup.locations);
  store.channels.push(...setup.channels);
  for (const c of setup.counts ?? []) store.stock(c);
  const clock = new TestClock();
  const heard: { outboxId: number; holds: HoldsEntry['holds'] }[] = [];
  const orders = memoryLockingOrders(store);
  const changes = new RowLockedOrderChanges({ store, orders, clock, position: () => 7, holdsCommitted: (q) => heard.push(q) });
  /** Units orders hold of `sku` at `loc`. */
  const reserved = (sku: string, loc: string) => {
    let n = 0;
    for (const [k, v] of store.data.holds) if (k.endsWith(SEP + sku + SEP + loc)) n += v;
    return n;
  };
  return { store, clock, orders, changes, heard, reserved };
}
