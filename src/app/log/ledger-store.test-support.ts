/**
 * Test support (not shipped behaviour): the shared state of the scale-out backend in memory, as
 * the PostgreSQL adapter keeps it. A transaction works on the state and is undone whole when its
 * function throws; an inbox claims each source's id and seq once; figure changes get dense
 * cursors per channel; the outbox hands entries to the relay in id order. `failures` lets a test
 * make the next transactions throw (a database that refuses connections, a bad write).
 */
import type { Channel } from '../../model/catalog.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { LocationDef } from '../../domain/inventory/availability-book.js';
import { InventoryLedger } from '../../domain/inventory/inventory-ledger.js';
import { StockPosition } from '../../domain/inventory/stock-position.js';
import type { OrderState } from '../../domain/orders/order-state.js';
import type { ItemRecord, OvertakenCount, ParkedEvent, RecordedChange } from '../../ports/inventory-store.js';
import type {
  ChangeAppend,
  DeadEntry,
  FigureRow,
  InboxClaim,
  LedgerStore,
  LedgerTransaction,
  PositionState,
  QueuedEntry,
  StockHold,
} from '../../ports/ledger-store.js';
import type { ChannelReference, OrderWrites, SavedOrder } from '../../ports/locking-order-store.js';
import type { OrderException, OutboxRecord, TimelineRecord, WaitingRecord } from '../../ports/order-store.js';

const SEP = '\u001f';

/** Everything the shared state holds, as plain data (copied whole to undo a transaction). */
interface State {
  inbox: string[];
  positions: Record<string, PositionState>;
  figures: Record<string, Record<string, number>>;
  feed: Record<string, RecordedChange[]>;
  holds: Record<string, number>;
  locations: Record<string, LocationDef>;
  channels: Record<string, Channel>;
  items: Record<string, ItemRecord>;
  parked: (ParkedEvent & { event: HubEvent })[];
  overtaken: Record<number, OvertakenCount>;
  outbox: QueuedEntry[];
  nextOutboxId: number;
  dead: Record<number, DeadEntry>;
  orders: Record<string, SavedOrder>;
  references: Record<string, string>;
  keys: Record<string, string>;
  waiting: WaitingRecord[];
  exceptions: Omit<OrderException, 'id'>[];
  timeline: TimelineRecord[];
  orderOutbox: OutboxRecord[];
  unconfirmed: { orderId: string; sku: string; location: string }[];
}

const empty = (): State => ({
  inbox: [],
  positions: {},
  figures: {},
  feed: {},
  holds: {},
  locations: {},
  channels: {},
  items: {},
  parked: [],
  overtaken: {},
  outbox: [],
  nextOutboxId: 1,
  dead: {},
  orders: {},
  references: {},
  keys: {},
  waiting: [],
  exceptions: [],
  timeline: [],
  orderOutbox: [],
  unconfirmed: [],
});

export class MemoryLedgerStore implements LedgerStore {
  s: State = empty();
  /** Thrown, in order, by the next transactions (at their start, before any change). */
  readonly failures: unknown[] = [];
  /** Thrown by deadLetter while set. */
  deadLetterFails: Error | undefined;
  /** Called inside each event batch once it has claimed its events (a test's way to fail mid-transaction). */
  afterClaim: ((claims: readonly InboxClaim[]) => void) | undefined;
  transactions = 0;
  /** Per coming unconfirmedAt call, in order: true answers nothing (another process's shipment lands after it). */
  hideUnconfirmed: boolean[] = [];
  /** Per unconfirmedAt call, more order ids to answer (other processes' shipments that keep landing). */
  moreUnconfirmed: (() => string[]) | undefined;

  eventBatch<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  catalogChange<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  private async transaction<T>(fn: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    this.transactions++;
    if (this.failures.length > 0) throw this.failures.shift();
    const before = structuredClone(this.s);
    try {
      return await fn(new MemoryLedgerTransaction(this));
    } catch (err) {
      this.s = before;
      throw err;
    }
  }

  async readChanges(channel: string, afterCursor: number, limit: number): Promise<RecordedChange[]> {
    return (this.s.feed[channel] ?? []).filter((c) => c.cursor > afterCursor).slice(0, limit);
  }

  async parkedEvents(location: string | undefined, limit: number): Promise<ParkedEvent[]> {
    return this.s.parked
      .filter((p) => location === undefined || p.location === location)
      .sort((a, b) => a.position - b.position)
      .slice(0, limit)
      .map(({ event: _event, ...p }) => p);
  }

  async overtakenCounts(afterPosition: number, limit: number): Promise<OvertakenCount[]> {
    return Object.values(this.s.overtaken)
      .filter((c) => c.position > afterPosition)
      .sort((a, b) => a.position - b.position)
      .slice(0, limit);
  }

  async figure(channel: string, sku: string): Promise<number> {
    return this.s.figures[channel]?.[sku] ?? 0;
  }

  async deadLetter(entry: DeadEntry): Promise<void> {
    if (this.deadLetterFails) throw this.deadLetterFails;
    this.s.dead[entry.position] = { ...entry };
  }

  async relayToLog(limit: number, append: (entries: QueuedEntry[]) => Promise<void>): Promise<number> {
    const taken = this.s.outbox.slice(0, limit);
    if (taken.length > 0) await append(structuredClone(taken));
    this.s.outbox = this.s.outbox.slice(taken.length);
    return taken.length;
  }

  async deadEntries(limit: number): Promise<DeadEntry[]> {
    return Object.values(this.s.dead)
      .sort((a, b) => a.position - b.position)
      .slice(0, limit);
  }

  async deadEntry(position: number): Promise<DeadEntry | undefined> {
    return this.s.dead[position];
  }

  async forgetDeadEntry(position: number): Promise<void> {
    delete this.s.dead[position];
  }

  async close(): Promise<void> {}

  /** A fresh ledger with every saved position restored (what the shared state says of stock). */
  ledger(): InventoryLedger {
    const ledger = new InventoryLedger();
    for (const state of Object.values(this.s.positions)) ledger.restorePosition(StockPosition.fromJSON(state as Parameters<typeof StockPosition.fromJSON>[0]));
    return ledger;
  }

  /** On hand at a location as the authority's saved position says. */
  onHand(source: string, sku: string, location: string): number | undefined {
    return this.ledger().position(source, sku, location)?.quantity('onHand');
  }

  /** Units held for orders per item x location. */
  reserved(sku: string, location: string): number {
    let units = 0;
    for (const [key, n] of Object.entries(this.s.holds)) {
      const [, s, l] = key.split(SEP);
      if (s === sku && l === location) units += n;
    }
    return units;
  }
}

class MemoryLedgerTransaction implements LedgerTransaction {
  readonly orders: OrderWrites;

  constructor(private readonly store: MemoryLedgerStore) {
    this.orders = new MemoryOrderWrites(store);
  }

  private get s(): State {
    return this.store.s;
  }

  async claim(events: readonly InboxClaim[]): Promise<boolean[]> {
    const inbox = new Set(this.s.inbox);
    const fresh = events.map((e) => {
      const id = `${e.source}${SEP}id${SEP}${e.id}`;
      const seq = `${e.source}${SEP}seq${SEP}${e.seq}`;
      if (inbox.has(id)) return false;
      inbox.add(id);
      if (inbox.has(seq)) return false;
      inbox.add(seq);
      return true;
    });
    this.s.inbox = [...inbox];
    this.store.afterClaim?.(events);
    return fresh;
  }

  async lockItems(): Promise<void> {}

  async itemsState(skus: readonly string[]) {
    const wanted = new Set(skus);
    const positions = Object.values(this.s.positions).filter((p) => wanted.has((p as { sku: string }).sku));
    const figures: FigureRow[] = [];
    for (const [channel, bySku] of Object.entries(this.s.figures))
      for (const [sku, available] of Object.entries(bySku)) if (wanted.has(sku)) figures.push({ channel, sku, available });
    const reserved: StockHold[] = [];
    const sums = new Map<string, number>();
    for (const [key, units] of Object.entries(this.s.holds)) {
      const [, sku, location] = key.split(SEP) as [string, string, string];
      if (wanted.has(sku)) sums.set(sku + SEP + location, (sums.get(sku + SEP + location) ?? 0) + units);
    }
    for (const [key, units] of sums) {
      const [sku, location] = key.split(SEP) as [string, string];
      if (units !== 0) reserved.push({ sku, location, units });
    }
    return structuredClone({
      locations: Object.values(this.s.locations),
      channels: Object.values(this.s.channels).sort((a, b) => (a.id < b.id ? -1 : 1)),
      positions,
      figures,
      reserved,
    });
  }

  async skusAt(locations: readonly string[]): Promise<string[]> {
    const at = new Set(locations);
    return [
      ...new Set(
        Object.values(this.s.positions)
          .filter((p) => at.has((p as { location: string }).location))
          .map((p) => (p as { sku: string }).sku),
      ),
    ];
  }

  async queueForLog(kind: 'holds', key: string, body: object): Promise<number> {
    const id = this.s.nextOutboxId++;
    this.s.outbox.push({ id, kind, key, body: structuredClone(body) });
    return id;
  }

  async addHolds(holds: readonly (StockHold & { orderId: string })[]): Promise<void> {
    for (const h of holds) {
      const key = h.orderId + SEP + h.sku + SEP + h.location;
      this.s.holds[key] = (this.s.holds[key] ?? 0) + h.units;
    }
  }

  async holdsOf(orderIds: readonly string[]): Promise<(StockHold & { orderId: string })[]> {
    const ids = new Set(orderIds);
    return Object.entries(this.s.holds)
      .map(([key, units]) => {
        const [orderId, sku, location] = key.split(SEP) as [string, string, string];
        return { orderId, sku, location, units };
      })
      .filter((h) => ids.has(h.orderId) && h.units !== 0);
  }

  async skusPublished(channel: string): Promise<string[]> {
    return Object.keys(this.s.figures[channel] ?? {});
  }

  async savePositions(positions: readonly StockPosition[]): Promise<void> {
    for (const p of positions) this.s.positions[p.source + SEP + p.sku + SEP + p.location] = structuredClone(p.toJSON());
  }

  async skusWithDatedInbound(): Promise<string[]> {
    return [...this.store.ledger().skusWithDatedInbound].sort();
  }

  async appendChanges(appends: readonly ChangeAppend[]): Promise<void> {
    for (const a of appends) {
      const feed = (this.s.feed[a.channel] ??= []);
      const figures = (this.s.figures[a.channel] ??= {});
      for (const c of a.changes) {
        feed.push({ channel: a.channel, cursor: feed.length + 1, sku: c.sku, available: c.available, previous: c.previous, position: a.position, at: a.at });
        figures[c.sku] = c.available;
      }
    }
  }

  async park(parked: readonly (ParkedEvent & { event: HubEvent })[]): Promise<void> {
    for (const p of parked) if (!this.s.parked.some((q) => q.position === p.position)) this.s.parked.push(structuredClone(p));
  }

  async unpark(location: string): Promise<{ position: number; event: HubEvent }[]> {
    const out = this.s.parked.filter((p) => p.location === location);
    this.s.parked = this.s.parked.filter((p) => p.location !== location);
    return out.map((p) => ({ position: p.position, event: p.event })).sort((a, b) => a.position - b.position);
  }

  async recordOvertaken(counts: readonly OvertakenCount[]): Promise<void> {
    for (const c of counts) this.s.overtaken[c.position] ??= structuredClone(c);
  }

  async saveLocation(def: LocationDef): Promise<void> {
    this.s.locations[def.id] = { ...def };
  }

  async saveChannel(channel: Channel): Promise<void> {
    this.s.channels[channel.id] = structuredClone(channel);
  }

  async saveItem(item: ItemRecord): Promise<void> {
    this.s.items[item.sku] = { ...item };
  }
}

class MemoryOrderWrites implements OrderWrites {
  constructor(private readonly store: MemoryLedgerStore) {}

  private get s(): State {
    return this.store.s;
  }

  async claimReferences(refs: readonly ChannelReference[]): Promise<Map<string, string>> {
    const taken = new Map<string, string>();
    for (const r of refs) {
      const key = r.channel + SEP + r.externalId;
      const holder = this.s.references[key];
      if (holder !== undefined && holder !== r.orderId) taken.set(key, holder);
      else this.s.references[key] = r.orderId;
    }
    return taken;
  }

  async dropReferences(refs: readonly { channel: string; externalId: string }[]): Promise<void> {
    for (const r of refs) delete this.s.references[r.channel + SEP + r.externalId];
  }

  async saveOrders(orders: readonly SavedOrder[]): Promise<void> {
    for (const o of orders) this.s.orders[o.order.id] = structuredClone(o);
  }

  async appendTimeline(records: readonly TimelineRecord[]): Promise<void> {
    this.s.timeline.push(...structuredClone(records));
  }

  async appendOutbox(messages: readonly OutboxRecord[]): Promise<void> {
    this.s.orderOutbox.push(...structuredClone(messages));
  }

  async bindKeys(bindings: readonly { key: string; orderId: string }[]): Promise<void> {
    for (const b of bindings) this.s.keys[b.key] = b.orderId;
  }

  async forgetKey(key: string): Promise<void> {
    delete this.s.keys[key];
  }

  async lockOrders(ids: readonly string[]): Promise<OrderState[]> {
    return [...new Set(ids)].sort().flatMap((id) => (this.s.orders[id] ? [structuredClone(this.s.orders[id]!.order)] : []));
  }

  async waitingFor(orderIds: readonly string[]): Promise<WaitingRecord[]> {
    const ids = new Set(orderIds);
    return structuredClone(this.s.waiting.filter((w) => ids.has(w.orderId)).sort((a, b) => a.position - b.position));
  }

  async saveWaiting(records: readonly WaitingRecord[]): Promise<void> {
    this.s.waiting.push(...structuredClone(records));
  }

  async removeWaiting(positions: readonly number[]): Promise<number[]> {
    const gone = new Set(positions);
    const there = this.s.waiting.filter((w) => gone.has(w.position)).map((w) => w.position);
    this.s.waiting = this.s.waiting.filter((w) => !gone.has(w.position));
    return there;
  }

  async raiseExceptions(exceptions: readonly Omit<OrderException, 'id'>[]): Promise<void> {
    this.s.exceptions.push(...structuredClone(exceptions));
  }

  async unconfirmedAt(pairs: readonly { sku: string; location: string }[]): Promise<string[]> {
    if (this.store.hideUnconfirmed.shift()) return [];
    const wanted = new Set(pairs.map((p) => p.sku + SEP + p.location));
    const found = this.s.unconfirmed.filter((u) => wanted.has(u.sku + SEP + u.location)).map((u) => u.orderId);
    return [...new Set([...found, ...(this.store.moreUnconfirmed?.() ?? [])])];
  }

  async replaceUnconfirmed(orderIds: readonly string[], pairs: readonly { orderId: string; sku: string; location: string }[]): Promise<void> {
    const ids = new Set(orderIds);
    this.s.unconfirmed = [...this.s.unconfirmed.filter((u) => !ids.has(u.orderId)), ...pairs.map((p) => ({ ...p }))];
  }
}
