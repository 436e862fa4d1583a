/**
 * A count the ledger could not apply exactly, as both backends keep it: the snapshot's own
 * identity (source, seq, when it was counted) beside each bucket's count and the figure kept, so
 * a person can see which count was not applied and send a fresh one.
 */
import type { OvertakenBucket } from '../../domain/inventory/stock-position.js';
import type { InventoryEvent } from '../../model/inventory-event.js';
import type { OvertakenCount } from '../../ports/inventory-store.js';

export function overtakenCount(snapshot: InventoryEvent, position: number, buckets: readonly OvertakenBucket[], recordedAt: string): OvertakenCount {
  return {
    position,
    source: snapshot.source,
    seq: snapshot.seq,
    sku: snapshot.sku,
    location: snapshot.location,
    countedAt: snapshot.occurredAt,
    buckets: [...buckets],
    recordedAt,
  };
}
