/**
 * Outbound translation, once for every kind of destination: before a batch goes to a system, each
 * item it names is given that system's ids of it (`ids`, by scheme) and a fulfilment request's
 * location its warehouse code (`warehouse`); a channel that sells in a unit (cases) is offered
 * whole units only; a line of a shipment or invoice of an order the system sent with its own lines
 * (an EDI 850) is given that line as the partner wrote it (`asOrdered`: its line number, unit,
 * ids). Each connector then
 * writes the id its partner expects (an X12 qualifier, a seller SKU, an inventory item id),
 * falling back to the hub's SKU.
 */
import { wholeUnitsAvailable, unitFactor } from '../../domain/master-data/units-of-measure.js';
import type { Destination, OutgoingMessage } from '../../ports/destination.js';
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';
import type { PartnerOrderLines } from '../../ports/partner-order-lines.js';
import type { PartnerOrderLine } from '../../domain/orders/partner-order-lines.js';

interface Line {
  sku: string;
}

/** The topics whose lines answer an order line by line (856 and 810), echoing the partner's own lines. */
const ECHOED = new Set(['shipment.confirmed', 'order.invoiced']);

export class PartnerIdsDestination implements Destination {
  readonly id: string;
  readonly maxBatch: number;

  constructor(
    private readonly inner: Destination,
    private readonly references: ReferenceLookup,
    /** The unit the system's channel sells in (CA), if not the base unit. */
    private readonly sellsIn?: string,
    /** The lines of orders as the system sent them, for its shipments and invoices to echo. */
    private readonly orderLines?: PartnerOrderLines,
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
    const orders = new Set<string>();
    for (const m of messages) {
      const p = m.payload as { sku?: unknown; lines?: unknown; location?: unknown; orderId?: unknown } | null;
      if (typeof p?.sku === 'string') skus.add(p.sku);
      if (ECHOED.has(m.topic) && typeof p?.orderId === 'string') orders.add(p.orderId);
      if (Array.isArray(p?.lines)) for (const l of p.lines as Line[]) if (typeof l?.sku === 'string') skus.add(l.sku);
      if (m.topic === 'fulfilment.request' && typeof p?.location === 'string') locations.add(p.location);
    }
    const [ids, warehouses, packing, ordered] = await Promise.all([
      this.references.externalIds('item', this.id, [...skus]),
      this.references.externalIds('location', this.id, [...locations]),
      this.sellsIn ? this.references.packing(this.id, [...skus]) : undefined,
      this.orderLines && orders.size > 0 ? this.orderLines.of(this.id, [...orders]) : undefined,
    ]).catch((err: unknown) => {
      // The batch is not sent in the hub's ids instead: it waits for the cross-references (and the partner's lines) to answer.
      throw new DeliveryFailedError(
        this.id,
        `the cross-references${this.orderLines ? " or the partner's order lines" : ''} could not be read: ${(err as Error).message}`,
        true,
      );
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
      // Only a fulfilment request names the partner's warehouse (the 940's N1*WH): the same for every
      // message, whatever shares its batch.
      const warehouse = m.topic === 'fulfilment.request' && typeof p.location === 'string' ? warehouses.get(p.location) : undefined;
      // The partner's line of the item: the first it named the item on (the hub's order has one line per item).
      const partnerLines = ECHOED.has(m.topic) && typeof p.orderId === 'string' ? ordered?.get(p.orderId) : undefined;
      const asOrdered = <T extends Line>(l: T): T & { asOrdered?: PartnerOrderLine } => {
        const line = partnerLines?.find((x) => x.sku === l.sku);
        return line ? { ...l, asOrdered: line } : l;
      };
      return {
        ...m,
        payload: { ...p, lines: p.lines.map((l) => asOrdered(withIds(l))), ...(warehouse ? { warehouse: Object.values(warehouse)[0] } : {}) },
      };
    });
    await this.inner.send(translated);
  }
}
