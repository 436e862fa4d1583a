/**
 * A scale-out api process's own copy of the inventory state, kept current by following the
 * shared log in order: the same ledger and availability code as the embedded hub, fed the same
 * entries in the same order, so every api process answers the same figure for the same position.
 * Lookups never touch the database; `position` is the last log entry whose effects the figures
 * include (holds the workers work out for order events included), which is what the read-your-writes
 * polling of docs/REFERENCE.md ("Availability") compares against.
 */
import { SeenEventIds } from '../../domain/inventory/seen-event-ids.js';
import { isValidEvent } from '../../model/event-validation.js';
import type { HubEvent } from '../../model/hub-event.js';
import { namesOrder } from '../../domain/inventory/stock-effects.js';
import { applyChannelDefinition, applyEvent, applyLocationDefinition, type EventEffects } from '../../domain/inventory/event-application.js';
import { AvailabilityBook } from '../../domain/inventory/availability-book.js';
import type { ChannelRule } from '../../domain/inventory/channel-availability.js';
import { InventoryLedger, type LedgerOptions } from '../../domain/inventory/inventory-ledger.js';
import type { LogEntry } from '../../ports/event-log.js';
import type { ItemRecord } from '../../ports/inventory-store.js';
import type { InventoryView } from '../inventory/inventory-view.js';
import type { CatalogEntry, HoldsEntry } from './log-entries.js';

/** How long an entry naming an order may hold the reported position back. */
const UNSETTLED_MS = 30_000;

interface ParkedHere {
  position: number;
  event: HubEvent;
  sku: string;
  location: string;
  parkedAt: string;
}

interface Waiter {
  position: number;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

export class InventoryReadModel implements InventoryView {
  readonly ledger: InventoryLedger;
  readonly book: AvailabilityBook;
  readonly items = new Map<string, ItemRecord | null>();
  /** The last log entry applied. */
  applied = 0;
  /**
   * The last entry applied that the shared state must have before a reservation can rely on what
   * this model showed (events and catalogue changes; holds come from the shared state itself).
   */
  reservesAfter = 0;
  /** Entries skipped because they could not be read (the workers dead-letter them). */
  skipped = 0;
  /** Entries naming orders whose holds never arrived within UNSETTLED_MS. */
  expiredUnsettled = 0;
  private readonly seenIds = new SeenEventIds();
  private readonly seenHolds = new Set<number>();
  /** Entries naming orders whose effect on holds has not arrived yet: position → when seen (ms). */
  private readonly unsettled = new Map<number, number>();
  private readonly expected = new Map<number, HubEvent>();
  private readonly parked = new Map<string, ParkedHere[]>();
  private readonly effects = new ReadModelEffects(this.items, this.parked);
  /** Units of work released by a location's definition, by the position of that definition. */
  private readonly released = new Map<number, number>();
  private waiters: Waiter[] = [];

  /** `ledger`: the bound on late counts, the same as the workers'. */
  constructor(ledgerOptions: LedgerOptions = {}) {
    this.ledger = new InventoryLedger(ledgerOptions);
    this.book = new AvailabilityBook(this.ledger);
  }

  /**
   * The position the figures fully reflect: everything applied, except that an entry naming an
   * order counts only once the holds the workers worked out for it have arrived (a dead-lettered
   * one settles too; should one never settle, it stops holding the position back after UNSETTLED_MS).
   */
  get position(): number {
    if (this.unsettled.size === 0) return this.applied;
    for (const [position, seen] of this.unsettled) {
      if (Date.now() - seen < UNSETTLED_MS) return position - 1;
      this.unsettled.delete(position);
      this.expiredUnsettled++;
    }
    return this.applied;
  }

  /** Entries naming orders whose holds have not arrived yet. */
  get unsettledCount(): number {
    return this.unsettled.size;
  }

  isKnownSku(sku: string): boolean {
    return this.items.has(sku);
  }

  /** The workers publish figures, not this model: each one is worked out from the ledger. */
  figure(rule: ChannelRule, sku: string, nowMs: number): number {
    return this.book.compute(rule, sku, nowMs);
  }

  hasEvent(source: string, id: string, seq: number): boolean {
    return this.ledger.hasSeq(source, seq) || this.seenIds.has(source, id);
  }

  apply(entry: LogEntry): void {
    if (entry.position <= this.applied) return;
    try {
      if (entry.kind === 'holds') {
        this.applyHolds(entry);
      } else {
        this.reservesAfter = entry.position;
        if (entry.kind === 'inventory' || entry.kind === 'order') this.applyEvent(entry);
        else this.applyCatalog(entry);
      }
    } catch {
      this.skipped++;
    }
    this.applied = entry.position;
    if (this.waiters.length > 0) this.wake();
  }

  /** Resolves true once the model has applied `position`, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.applied >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** How many parked events the location definition at `position` released (asked once). */
  takeReleased(position: number): number {
    const n = this.released.get(position) ?? 0;
    this.released.delete(position);
    return n;
  }

  parkedAt(location?: string): ParkedHere[] {
    const lists = location === undefined ? [...this.parked.values()] : [this.parked.get(location) ?? []];
    return lists.flat().sort((a, b) => a.position - b.position);
  }

  private wake(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.position <= this.applied) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * The event this process itself appended at `position`, already parsed and validated: when the
   * log brings it back, it is applied without parsing it again (most of an api's own traffic).
   */
  expect(position: number, event: HubEvent): void {
    if (position > this.applied) this.expected.set(position, event);
  }

  private applyEvent(entry: LogEntry): void {
    let event = this.expected.get(entry.position);
    if (event !== undefined) {
      this.expected.delete(entry.position);
    } else {
      const parsed = JSON.parse(entry.body) as unknown;
      if (!isValidEvent(parsed)) throw new Error('not a valid event');
      event = parsed;
    }
    if (!this.seenIds.add(event.source, event.id)) return;
    if (!this.ledger.markSeq(event.source, event.seq)) return;
    if (namesOrder(event)) this.unsettled.set(entry.position, Date.now());
    // Order events' effect on holds comes from the workers (holds entries), not from here.
    this.effects.at(event, entry.position);
    applyEvent(event, entry.position, this.ledger, this.book.locations, this.effects);
  }

  private applyHolds(entry: LogEntry): void {
    const { outboxId, holds, settles } = JSON.parse(entry.body) as HoldsEntry;
    this.hold(outboxId, holds);
    for (const p of settles ?? []) this.unsettled.delete(p);
  }

  /**
   * Stock held (or released) for orders. An entry applies once by its outbox id: the relay may
   * append it twice, and the process that committed it shows it at once (read-your-writes for its
   * own captures), before the log brings it back.
   */
  hold(outboxId: number, holds: HoldsEntry['holds']): void {
    if (this.seenHolds.has(outboxId)) return;
    this.seenHolds.add(outboxId);
    for (const h of holds) {
      if (!this.items.has(h.sku)) this.items.set(h.sku, null);
      this.ledger.reserve(h.sku, h.location, h.units);
    }
  }

  private applyCatalog(entry: LogEntry): void {
    const change = JSON.parse(entry.body) as CatalogEntry;
    switch (change.kind) {
      case 'item':
        this.items.set(change.item.sku, change.item);
        break;
      case 'location': {
        const waiting = this.parked.get(change.def.id) ?? [];
        this.parked.delete(change.def.id);
        // Figures are worked out at lookup here, so the ones the definition moves are not kept.
        this.released.set(entry.position, applyLocationDefinition(this.book, this.ledger, change.def, waiting, [], Date.now(), []));
        break;
      }
      case 'channel':
        applyChannelDefinition(this.book, change.channel, [], Date.now(), []);
        break;
    }
  }
}

/** What the log's events did, as a read model holds it: items named and events parked; orders and overtaken counts are the workers' business. */
class ReadModelEffects implements EventEffects {
  private event!: HubEvent;
  private position = 0;

  constructor(
    private readonly items: Map<string, ItemRecord | null>,
    private readonly parkedByLocation: Map<string, ParkedHere[]>,
  ) {}

  at(event: HubEvent, position: number): void {
    this.event = event;
    this.position = position;
  }

  itemNamed(sku: string): void {
    if (!this.items.has(sku)) this.items.set(sku, null);
  }

  overtaken(): void {}

  parked(location: string, sku: string): void {
    const here = { position: this.position, event: this.event, sku, location, parkedAt: new Date().toISOString() };
    const waiting = this.parkedByLocation.get(location);
    if (waiting) waiting.push(here);
    else this.parkedByLocation.set(location, [here]);
  }

  moved(): void {}
  departed(): void {}
  counted(): void {}
  orderEvent(): void {}
}
