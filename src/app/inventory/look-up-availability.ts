/**
 * Availability answers for channels: one item, many items, and the explanation of a figure
 * (every term per location, the events behind each, and the shadow figures set aside).
 * Every answer carries the log position it reflects (docs/REFERENCE.md "Availability").
 */
import { stockEffectsOf } from '../../domain/inventory/stock-effects.js';
import { AVAILABILITY_FORMULA } from '../../domain/inventory/channel-availability.js';
import type { ChannelRule } from '../../domain/inventory/channel-availability.js';
import { UnknownChannelError, UnknownItemError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { InventoryReads, InventoryView } from './inventory-view.js';

export interface AvailabilityDeps {
  state: InventoryView;
  clock: Clock;
}

const EXPLAIN_EVENT_LIMIT = 50;

function channelRule(state: InventoryView, channel: string): ChannelRule {
  const rule = state.book.channels.get(channel);
  if (!rule) throw new UnknownChannelError(channel);
  return rule;
}

/** Throws UnknownChannelError, UnknownItemError. */
export function lookUpAvailability(deps: AvailabilityDeps, sku: string, channel: string) {
  const { state, clock } = deps;
  const rule = channelRule(state, channel);
  if (!state.isKnownSku(sku)) throw new UnknownItemError(sku);
  return { sku, channel, available: state.figure(rule, sku, clock.now()), position: state.position };
}

/** Unknown items answer 0 with known: false rather than failing the whole query. Throws UnknownChannelError. */
export function queryAvailability(deps: AvailabilityDeps, channel: string, skus: readonly string[]) {
  const { state, clock } = deps;
  const rule = channelRule(state, channel);
  const now = clock.now();
  const items = skus.map((sku) => ({ sku, available: state.figure(rule, sku, now), known: state.isKnownSku(sku) }));
  return { items, position: state.position };
}

/** Throws UnknownChannelError, UnknownItemError. */
export async function explainAvailability(deps: AvailabilityDeps & { reads: InventoryReads }, sku: string, channel: string) {
  const { state, reads, clock } = deps;
  const rule = channelRule(state, channel);
  if (!state.isKnownSku(sku)) throw new UnknownItemError(sku);
  const figure = state.book.explain(rule, sku, clock.now());
  const locations = await Promise.all(
    figure.terms.map(async (term) => {
      const def = state.book.locations.get(term.location);
      const sources = state.ledger.sourcesAt(sku, term.location);
      const authoritative = def ? sources.find((p) => p.source === def.authority) : undefined;
      const { positions, omitted } = authoritative ? authoritative.contributingPositions() : { positions: [], omitted: 0 };
      const listed = positions.slice(-EXPLAIN_EVENT_LIMIT);
      const logged = await Promise.all(listed.map((position) => reads.eventAt(position)));
      const events = listed.flatMap((position, k) => {
        const event = logged[k];
        // A return.received stands here for the on-hand movement it made.
        const e = event && stockEffectsOf(event).find((x) => x.sku === sku);
        if (!event || !e) return [];
        return [
          {
            position,
            id: e.id,
            type: event.type,
            seq: e.seq,
            occurredAt: e.occurredAt,
            ...(e.type === 'inventory.movement' ? { reason: e.reason, delta: e.delta as Record<string, number> } : { balance: e.balance }),
          },
        ];
      });
      return {
        location: term.location,
        authority: def?.authority ?? null,
        defined: def !== undefined,
        onHand: term.onHand,
        qualityHold: term.qualityHold,
        damaged: term.damaged,
        reserved: term.reserved,
        safetyStock: term.safetyStock,
        net: term.net,
        inboundCounted: term.inboundCounted,
        events,
        eventsOmitted: omitted + (positions.length - listed.length),
        shadows: sources
          .filter((p) => p !== authoritative)
          .map((p) => ({
            source: p.source,
            onHand: p.quantity('onHand'),
            qualityHold: p.quantity('qualityHold'),
            damaged: p.quantity('damaged'),
          })),
      };
    }),
  );
  return {
    sku,
    channel,
    available: figure.available,
    position: state.position,
    pool: figure.pool,
    allocation: rule.allocation ?? null,
    formula: AVAILABILITY_FORMULA,
    locations,
  };
}
