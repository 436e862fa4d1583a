/**
 * An item's recent changes: the counts and movements the ledger keeps behind its figures, at
 * every location (or the locations one channel draws on) and from every source, the authority's
 * and the shadows', newest first. The ledger keeps them on both backends (the embedded state and
 * the scale-out read model); the events themselves are read from the log by position.
 */
import { stockEffectsOf } from '../../domain/inventory/stock-effects.js';
import { UnknownChannelError, UnknownItemError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { InventoryReads, InventoryView } from './inventory-view.js';

export interface ItemChangesDeps {
  state: InventoryView;
  reads: Pick<InventoryReads, 'eventAt'>;
  clock: Clock;
}

export interface ItemChangesQuery {
  /** Only the locations this channel's figure draws on; every location when absent. */
  channel?: string;
  /** Only changes logged before this position (the previous page's `next`). */
  before?: number;
  limit: number;
}

/** Throws UnknownItemError, UnknownChannelError. */
export async function itemChanges(deps: ItemChangesDeps, sku: string, q: ItemChangesQuery) {
  const { state, reads, clock } = deps;
  if (!state.isKnownSku(sku)) throw new UnknownItemError(sku);
  let locations: string[];
  if (q.channel !== undefined) {
    const rule = state.book.channels.get(q.channel);
    if (!rule) throw new UnknownChannelError(q.channel);
    locations = state.book.explain(rule, sku, clock.now()).terms.map((t) => t.location);
  } else {
    locations = [...(state.ledger.stockOf(sku)?.keys() ?? [])];
  }
  const kept: { position: number; location: string; source: string; authority: boolean }[] = [];
  let omitted = 0;
  for (const location of locations) {
    const authority = state.book.locations.get(location)?.authority;
    for (const p of state.ledger.sourcesAt(sku, location)) {
      const contributing = p.contributingPositions();
      omitted = Math.max(omitted, contributing.omitted);
      for (const position of contributing.positions)
        if (q.before === undefined || position < q.before) kept.push({ position, location, source: p.source, authority: p.source === authority });
    }
  }
  kept.sort((a, b) => b.position - a.position);
  const listed = kept.slice(0, q.limit);
  const logged = await Promise.all(listed.map((k) => reads.eventAt(k.position)));
  const changes = listed.flatMap((k, i) => {
    const event = logged[i];
    // A return.received stands here for the on-hand movement it made.
    const e = event && stockEffectsOf(event).find((x) => x.sku === sku);
    if (!event || !e) return [];
    return [
      {
        position: k.position,
        id: e.id,
        type: event.type,
        seq: e.seq,
        occurredAt: e.occurredAt,
        location: k.location,
        source: k.source,
        authority: k.authority,
        ...(e.type === 'inventory.movement' ? { reason: e.reason, delta: e.delta as Record<string, number> } : { balance: e.balance }),
      },
    ];
  });
  return {
    sku,
    channel: q.channel ?? null,
    position: state.position,
    changes,
    next: kept.length > listed.length ? listed[listed.length - 1]!.position : null,
    omitted,
  };
}
