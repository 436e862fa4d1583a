/**
 * Sourcing: which locations an order's lines are reserved at. Fewest splits first: the first
 * location in the channel's order that can fill every line; otherwise, line by line, the first
 * location that can fill the line; otherwise the largest free quantities first, so a line is split
 * over as few locations as possible. Pure: the caller passes what each location may give.
 */
export interface SourcingInput {
  lines: readonly { sku: string; qty: number }[];
  /** The channel's locations, in sourcing order. */
  locations: readonly string[];
  /** Units of `sku` the channel may take at `location` now (net of holds, reservations and safety stock). */
  free(sku: string, location: string): number;
  /** Units of `sku` the channel may take in all (its allocation rule applied to the pool). */
  cap(sku: string): number;
  backorder: 'reject' | 'allow';
}

export interface Shortfall {
  index: number;
  sku: string;
  requested: number;
  available: number;
}

export type SourcingResult = { ok: true; allocations: [string, number][][] } | { ok: false; shortfalls: Shortfall[] };

export function sourceOrder(input: SourcingInput): SourcingResult {
  const { lines, locations, free, backorder } = input;
  const want: number[] = [];
  const shortfalls: Shortfall[] = [];
  for (const [index, line] of lines.entries()) {
    const cap = input.cap(line.sku);
    if (line.qty > cap && backorder === 'reject') shortfalls.push({ index, sku: line.sku, requested: line.qty, available: cap });
    want.push(Math.min(line.qty, cap));
  }
  if (shortfalls.length > 0) return { ok: false, shortfalls };

  const whole = locations.find((loc) => lines.every((line, i) => want[i] === 0 || free(line.sku, loc) >= want[i]!));
  if (whole !== undefined) return { ok: true, allocations: want.map((n) => (n > 0 ? [[whole, n]] : [])) };

  const allocations = lines.map((line, i): [string, number][] => {
    const n = want[i]!;
    if (n === 0) return [];
    const single = locations.find((loc) => free(line.sku, loc) >= n);
    if (single !== undefined) return [[single, n]];
    const byFree = locations
      .map((loc, order) => ({ loc, order, free: free(line.sku, loc) }))
      .filter((x) => x.free > 0)
      .sort((a, b) => b.free - a.free || a.order - b.order);
    const picked: [string, number][] = [];
    let left = n;
    for (const { loc, free: f } of byFree) {
      if (left === 0) break;
      const take = Math.min(left, f);
      picked.push([loc, take]);
      left -= take;
    }
    return picked;
  });
  return { ok: true, allocations };
}
