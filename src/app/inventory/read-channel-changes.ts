/** The change feed of one channel: every figure change, once, in order, from a cursor on. */
import { UnknownChannelError } from '../../domain/errors.js';
import type { InventoryReads, InventoryView } from './inventory-view.js';

/** Throws UnknownChannelError. */
export async function readChannelChanges(deps: { state: InventoryView; reads: InventoryReads }, channel: string, after: number, limit: number) {
  if (!deps.state.book.channels.has(channel)) throw new UnknownChannelError(channel);
  const changes = (await deps.reads.readChanges(channel, after, limit)).map(({ cursor, sku, available, previous, position, at }) => ({
    cursor,
    sku,
    available,
    previous,
    position,
    at,
  }));
  return { channel, changes, next: changes.length > 0 ? changes[changes.length - 1]!.cursor : after };
}
