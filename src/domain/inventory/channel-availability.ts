/**
 * The availability rule of docs/REFERENCE.md: per location max(0, onHand − qualityHold − damaged −
 * reserved − safetyStock), summed, plus inbound due within the horizon when the channel asks,
 * then the allocation rule, rounded down, never negative. The same function answers lookups and
 * explanations, so an explanation can never disagree with the figure.
 */
export interface ChannelRule {
  id: string;
  locations: readonly string[];
  safetyStock: number;
  allocation?: { percent: number } | { max: number };
  includeInbound?: { withinDays: number };
}

export interface LocationStock {
  location: string;
  onHand: number;
  qualityHold: number;
  damaged: number;
  reserved: number;
  /** Inbound due within the channel's horizon (0 when the channel does not count inbound). */
  inboundDue: number;
}

export interface LocationTerm extends LocationStock {
  safetyStock: number;
  net: number;
  inboundCounted: number;
}

export interface ChannelFigure {
  available: number;
  pool: number;
  terms: LocationTerm[];
}

export const AVAILABILITY_FORMULA =
  'Σ over locations of max(0, onHand − qualityHold − damaged − reserved − safetyStock) + inbound due within the horizon, then allocation, rounded down, never negative';

/** Net sellable units of one location (the per-location term). */
export function locationNet(stock: LocationStock, safetyStock: number): number {
  return Math.max(0, stock.onHand - stock.qualityHold - stock.damaged - stock.reserved - safetyStock);
}

export function applyAllocation(pool: number, allocation: ChannelRule['allocation']): number {
  if (!allocation) return pool;
  // A tiny epsilon keeps 80% of 35 at 28 despite binary floating point.
  if ('percent' in allocation) return Math.floor((pool * allocation.percent) / 100 + 1e-9);
  return Math.min(pool, allocation.max);
}

/** The figure alone, without allocating term objects: the hot path of ingest and lookups. Uses the first `count` stocks. */
export function channelAvailable(rule: ChannelRule, stocks: readonly LocationStock[], count = stocks.length): number {
  let pool = 0;
  for (let i = 0; i < count; i++) {
    const s = stocks[i]!;
    pool += locationNet(s, rule.safetyStock) + (rule.includeInbound ? Math.max(0, s.inboundDue) : 0);
  }
  return Math.max(0, Math.floor(applyAllocation(pool, rule.allocation)));
}

export function explainChannelFigure(rule: ChannelRule, stocks: readonly LocationStock[]): ChannelFigure {
  const terms = stocks.map((s) => ({
    ...s,
    safetyStock: rule.safetyStock,
    net: locationNet(s, rule.safetyStock),
    inboundCounted: rule.includeInbound ? Math.max(0, s.inboundDue) : 0,
  }));
  const pool = terms.reduce((sum, t) => sum + t.net + t.inboundCounted, 0);
  // From its own terms, not from channelAvailable: the tests hold the two against each other.
  return { available: Math.max(0, Math.floor(applyAllocation(pool, rule.allocation))), pool, terms };
}
