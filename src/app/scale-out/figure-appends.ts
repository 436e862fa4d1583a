/** Figure changes grouped per channel, as the shared change feed records them (one append per channel per commit). */
import type { FigureChange } from '../../domain/inventory/availability-book.js';
import type { ChangeAppend } from '../../ports/shared-ledger-store.js';

export function byChannel(moved: readonly FigureChange[], position: number, at: string): ChangeAppend[] {
  const appends = new Map<string, ChangeAppend>();
  for (const c of moved) {
    let a = appends.get(c.channel);
    if (!a) appends.set(c.channel, a = { channel: c.channel, position, at, changes: [] });
    a.changes.push({ sku: c.sku, available: c.available, previous: c.previous });
  }
  return [...appends.values()];
}
