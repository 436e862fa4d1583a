/**
 * The live inventory state one hub process serves from: the ledger, the availability book, the
 * known items, the applied log position and the change-feed cursors. It is loaded from the
 * store (checkpoint + log tail) at start, checkpointed periodically, and reloaded whole if a
 * write fails, so memory never claims more than the disk holds.
 */
import { AvailabilityBook, type FigureChange } from '../../domain/inventory/availability-book.js';
import type { ChannelRule } from '../../domain/inventory/channel-availability.js';
import type { InventoryView } from './inventory-view.js';
import { InventoryLedger, type LedgerOptions } from '../../domain/inventory/inventory-ledger.js';
import { StockPosition } from '../../domain/inventory/stock-position.js';
import { replayLog } from './replay-log.js';
import { ignoredEffects } from '../../domain/inventory/event-application.js';
import type { Clock } from '../../ports/clock.js';
import type { FeedAppend, InventoryStore, ItemRecord } from '../../ports/inventory-store.js';

export interface InventoryStateDeps {
  store: InventoryStore;
  clock: Clock;
  /** The bound on late counts (movements kept after each count). */
  ledger?: LedgerOptions;
}

export class InventoryState implements InventoryView {
  ledger: InventoryLedger;
  book: AvailabilityBook;
  /** sku → its definition, or null when only events have named it. */
  items = new Map<string, ItemRecord | null>();
  /** Log position whose effects the ledger and figures include. */
  position = 0;
  private feedCursors = new Map<string, number>();

  constructor(private readonly deps: InventoryStateDeps) {
    this.ledger = new InventoryLedger(deps.ledger);
    this.book = new AvailabilityBook(this.ledger);
    this.load();
  }

  isKnownSku(sku: string): boolean {
    return this.items.has(sku);
  }

  /**
   * Every change of stock, reservation or rule refreshes the published figures in the same step
   * (that is how the change feed gets them), so a lookup reads the figure the channel was told
   * rather than working it out again: one map read instead of a walk over locations and sources.
   * A channel counting inbound stock within a horizon moves with the clock between sweeps, so its
   * figure is worked out at `nowMs`.
   */
  figure(rule: ChannelRule, sku: string, nowMs: number): number {
    return rule.includeInbound ? this.book.compute(rule, sku, nowMs) : this.book.publishedFigure(rule.id, sku);
  }

  noteSku(sku: string): void {
    if (!this.items.has(sku)) this.items.set(sku, null);
  }

  /** Gives the figure changes cursors in their channels' feeds, in order, one append per channel. */
  recordChanges(changes: readonly FigureChange[], position: number, at: string): FeedAppend[] {
    const byChannel = new Map<string, FeedAppend>();
    for (const c of changes) {
      let append = byChannel.get(c.channel);
      if (!append) {
        append = { channel: c.channel, firstCursor: (this.feedCursors.get(c.channel) ?? 0) + 1, position, at, changes: [] };
        byChannel.set(c.channel, append);
      }
      append.changes.push(c);
    }
    for (const a of byChannel.values()) this.feedCursors.set(a.channel, a.firstCursor + a.changes.length - 1);
    return [...byChannel.values()];
  }

  /** Records figure changes not caused by an ingest (admin changes, time) at the current position; call inside a transaction. */
  writeChanges(changes: readonly FigureChange[], nowMs: number): void {
    if (changes.length > 0) this.deps.store.appendChanges(this.recordChanges(changes, this.position, new Date(nowMs).toISOString()));
  }

  feedCursor(channel: string): number {
    return this.feedCursors.get(channel) ?? 0;
  }

  /** Writes what changed since the last checkpoint; call inside or outside a transaction. */
  checkpoint(): void {
    const { ledger, book } = this;
    if (ledger.dirtyPositions.size === 0 && ledger.dirtySources.size === 0 && book.dirtyFigures.size === 0) return;
    const SEP = '\u001f';
    this.deps.store.saveCheckpoint({
      position: this.position,
      positions: [...ledger.dirtyPositions].map((p) => ({ key: p.source + SEP + p.sku + SEP + p.location, state: JSON.stringify(p) })),
      sequences: [...ledger.dirtySources].map((source) => ({ source, spans: ledger.seenSequences(source)!.toJSON() })),
      figures: [...book.dirtyFigures].flatMap(([channel, skus]) =>
        [...new Set(skus)].map((sku) => ({ channel, sku, available: book.publishedFigure(channel, sku) })),
      ),
      feedCursors: Object.fromEntries(this.feedCursors),
    });
    ledger.dirtyPositions.clear();
    ledger.dirtySources.clear();
    book.dirtyFigures.clear();
  }

  /** Drops memory and rebuilds it from the store: after a failed write, or to verify. */
  reload(): void {
    this.ledger = new InventoryLedger(this.deps.ledger);
    this.book = new AvailabilityBook(this.ledger);
    this.items = new Map();
    this.feedCursors = new Map();
    this.position = 0;
    this.load();
  }

  private load(): void {
    const { store } = this.deps;
    for (const def of store.loadLocations()) this.book.defineLocation(def);
    for (const rule of store.loadChannels()) this.book.defineChannel(rule);
    for (const item of store.loadItems()) this.items.set(item.sku, item);

    const saved = store.loadCheckpoint();
    for (const state of saved.positions) {
      const p = StockPosition.fromJSON(JSON.parse(state));
      this.ledger.restorePosition(p);
      this.noteSku(p.sku);
    }
    for (const s of saved.sequences) this.ledger.restoreSequences(s.source, s.spans);
    for (const f of saved.figures) this.book.restoreFigure(f.channel, f.sku, f.available);
    // Figures that moved after the checkpoint are in the feed.
    for (const channel of this.book.channels.keys()) {
      let after = saved.feedCursors[channel] ?? 0;
      for (;;) {
        const page = store.readChanges(channel, after, 10_000);
        if (page.length === 0) break;
        for (const c of page) this.book.restoreFigure(channel, c.sku, c.available, true);
        after = page[page.length - 1]!.cursor;
      }
    }
    this.feedCursors = new Map(Object.entries(store.lastCursors()));
    for (const p of store.parkedEvents(undefined, Number.MAX_SAFE_INTEGER)) this.noteSku(p.sku);

    // Events after the checkpoint: their effects on figures are already in the feed; rebuild the ledger.
    const replayed = replayLog(store, this.ledger, this.book.locations, saved.position, { ...ignoredEffects, itemNamed: (sku) => this.noteSku(sku) });
    this.position = replayed.last;
    this.position = Math.max(this.position, store.headPosition());
  }
}
