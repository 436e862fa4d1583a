/** The API scopes (docs/REFERENCE.md "Auth and errors"); a key holds a set of them. */
export const SCOPES = ['events:write', 'availability:read', 'orders:write', 'orders:read', 'metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The scopes a key bound to channels may hold: the ones a channel's own systems need. The others
 * (events from warehouses and the ERP, administration, the hub's metrics) concern every channel at
 * once, so a bound key holding them would reach beyond its channels.
 */
export const CHANNEL_SCOPES: readonly Scope[] = ['availability:read', 'orders:read', 'orders:write'];

/**
 * The scopes a key bound to systems may hold: a warehouse, 3PL or ERP sending its own events. A key
 * bound to the systems wms-dal and wms-atl may send events whose source is one of them, never
 * another system's, so a leaked WMS key cannot rewrite the stock of the whole network.
 */
export const SYSTEM_SCOPES: readonly Scope[] = ['events:write'];
