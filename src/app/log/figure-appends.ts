/** Figure changes grouped per channel, as the shared change feed records them (one append per channel per commit). */
import type { AvailabilityBook, FigureChange } from '../../domain/inventory/availability-book.js';
import type { ChangeAppend } from '../../ports/ledger-store.js';

export function byChannel(moved: readonly FigureChange[], position: number, at: string): ChangeAppend[] {
  const appends = new Map<string, ChangeAppend>();
  for (const c of moved) {
    let a = appends.get(c.channel);
    if (!a) appends.set(c.channel, (a = { channel: c.channel, position, at, changes: [] }));
    a.changes.push({ sku: c.sku, available: c.available, previous: c.previous });
  }
  return [...appends.values()];
}

/** The item x location pairs a transaction moved, whose channel figures it must recompute before it commits. */
export class TouchedItems {
  private readonly touched = new Map<string, Set<string>>();

  readonly touch = (sku: string, location: string): void => {
    const at = this.touched.get(sku);
    if (at) at.add(location);
    else this.touched.set(sku, new Set([location]));
  };

  get size(): number {
    return this.touched.size;
  }

  /** Recomputes the figures the touched pairs feed; returns the ones that moved. */
  refresh(book: AvailabilityBook, nowMs: number): FigureChange[] {
    const moved: FigureChange[] = [];
    for (const [sku, locations] of this.touched) book.refreshItem(sku, [...locations], nowMs, moved);
    return moved;
  }
}
