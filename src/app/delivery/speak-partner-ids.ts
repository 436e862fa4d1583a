/**
 * Outbound translation, once for every kind of destination: before a batch goes to a system, each
 * item it names is given that system's ids of it (`ids`, by scheme) and a location its warehouse
 * code (`warehouse`); a channel that sells in a unit (cases) is offered whole units only. Each
 * connector then writes the id its partner expects (an X12 qualifier, a seller SKU, an inventory
 * item id), falling back to the hub's SKU.
 */
import { wholeUnitsAvailable, unitFactor } from '../../domain/master-data/units-of-measure.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';

interface Line {
  sku: string;
}

export class PartnerIdsDestination implements Destination {
  readonly id: string;
  readonly maxBatch: number;

  constructor(
    private readonly inner: Destination,
    private readonly references: ReferenceLookup,
    /** The unit the system's channel sells in (CA), if not the base unit. */
    private readonly sellsIn?: string,
  ) {
    this.id = inner.id;
    this.maxBatch = inner.maxBatch;
  }

  cost(messages: OutgoingMessage[]): number {
    return this.inner.cost?.(messages) ?? 1;
  }

  close(): void {
    this.inner.close?.();
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    const skus = new Set<string>();
    const locations = new Set<string>();
    for (const m of messages) {
      const p = m.payload as { sku?: unknown; lines?: unknown; location?: unknown } | null;
      if (typeof p?.sku === 'string') skus.add(p.sku);
      if (Array.isArray(p?.lines)) for (const l of p.lines as Line[]) if (typeof l?.sku === 'string') skus.add(l.sku);
      if (m.topic === 'fulfilment.request' && typeof p?.location === 'string') locations.add(p.location);
    }
    const [ids, warehouses, packing] = await Promise.all([
      this.references.externalIds('item', this.id, [...skus]),
      this.references.externalIds('location', this.id, [...locations]),
      this.sellsIn ? this.references.packing(this.id, [...skus]) : undefined,
    ]).catch((err: unknown) => {
      // The batch is not sent in the hub's ids instead: it waits for the cross-references to answer.
      throw new DeliveryFailedError(this.id, `the cross-references could not be read: ${(err as Error).message}`, true);
    });
    const withIds = <T extends Line>(l: T): T => (ids.has(l.sku) ? { ...l, ids: ids.get(l.sku) } : l);
    const translated = messages.map((m): OutgoingMessage => {
      const p = m.payload as Record<string, unknown> & { sku?: string; available?: number; lines?: Line[]; location?: string };
      if (m.topic === 'availability.changed' && typeof p.sku === 'string') {
        const next: Record<string, unknown> = withIds(p as { sku: string });
        if (this.sellsIn && typeof p.available === 'number') {
          const pack = packing?.get(p.sku);
          const factor = pack ? unitFactor(this.sellsIn, pack.base, pack.partner, pack.item) : undefined;
          // An item without the unit is not offered: the channel could only sell it by breaking a case it cannot ship.
          next.available = factor ? wholeUnitsAvailable(p.available, factor) : 0;
          next.unit = this.sellsIn;
        }
        return { ...m, payload: next };
      }
      if (!Array.isArray(p?.lines)) return m;
      const warehouse = typeof p.location === 'string' ? warehouses.get(p.location) : undefined;
      return {
        ...m,
        payload: { ...p, lines: p.lines.map(withIds), ...(warehouse ? { warehouse: Object.values(warehouse)[0] } : {}) },
      };
    });
    await this.inner.send(translated);
  }
}
