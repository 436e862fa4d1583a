/** Sourcing for a channel: what each of its locations may give after safety stock, within its allocation. */
import type { AvailabilityBook } from '../inventory/availability-book.js';
import { applyAllocation, locationNet, type ChannelRule } from '../inventory/channel-availability.js';
import { sourceOrder, type SourcingResult } from './source-order.js';

export function sourceForChannel(
  book: AvailabilityBook,
  rule: ChannelRule,
  lines: readonly { sku: string; qty: number }[],
  backorder: 'reject' | 'allow',
): SourcingResult {
  const free = (sku: string, loc: string) => locationNet(book.stockAt(sku, loc, undefined), rule.safetyStock);
  return sourceOrder({
    lines,
    locations: rule.locations,
    backorder,
    free,
    cap: (sku) =>
      applyAllocation(
        rule.locations.reduce((n, loc) => n + free(sku, loc), 0),
        rule.allocation,
      ),
  });
}
