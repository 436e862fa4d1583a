/**
 * A shipment's tracking as events carry it: a bare tracking number, or `{ number, carrier?, url? }`
 * (model/order-event.ts). One reading, so every store and connector finds the same number.
 */
export interface TrackingParts {
  number?: string;
  carrier?: string;
}

export function trackingParts(tracking: unknown): TrackingParts {
  if (typeof tracking === 'string') return { number: tracking };
  if (typeof tracking !== 'object' || tracking === null) return {};
  const { number, carrier } = tracking as { number?: unknown; carrier?: unknown };
  return { ...(typeof number === 'string' ? { number } : {}), ...(typeof carrier === 'string' ? { carrier } : {}) };
}
