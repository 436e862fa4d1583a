/**
 * Units held for orders beyond what a location physically has to sell (reserved > on hand less
 * quality hold and damage), per location: the oversell the hub exists to prevent. The hub never
 * reserves beyond a channel's figure, so this stays 0 unless a location's authority reports less
 * stock than is already promised (a count that found less) or a defect let a reservation through.
 */
import type { AvailabilityBook } from './availability-book.js';

/** Location → units oversold now, for every item a channel sells there (locations with none are 0). */
export function oversoldUnits(book: AvailabilityBook): Map<string, number> {
  const out = new Map<string, number>([...book.locations.keys()].map((l) => [l, 0]));
  const seen = new Set<string>();
  for (const rule of book.channels.values()) {
    for (const sku of book.skusOf(rule)) {
      for (const location of rule.locations) {
        const key = `${sku}\u001f${location}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const s = book.stockAt(sku, location, undefined);
        const over = s.reserved - (s.onHand - s.qualityHold - s.damaged);
        if (over > 0) out.set(location, (out.get(location) ?? 0) + over);
      }
    }
  }
  return out;
}
