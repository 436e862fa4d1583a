/** The change feed of one channel: every figure change, once, in order, from a cursor on. */
import { UnknownChannelError } from '../domain/errors.js';
import type { InventoryStore } from '../ports/inventory-store.js';
import type { InventoryState } from './inventory-state.js';

/** Throws UnknownChannelError. */
export function readChannelChanges(deps: { state: InventoryState; store: InventoryStore }, channel: string, after: number, limit: number) {
  if (!deps.state.book.channels.has(channel)) throw new UnknownChannelError(channel);
  const changes = deps.store.readChanges(channel, after, limit)
    .map(({ cursor, sku, available, previous, position, at }) => ({ cursor, sku, available, previous, position, at }));
  return { channel, changes, next: changes.length > 0 ? changes[changes.length - 1]!.cursor : after };
}
