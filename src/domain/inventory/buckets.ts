/**
 * The stock buckets a source reports per item × location. Reserved is not here: reservations
 * are the hub's own, not a source's (see reservations in the ledger).
 */
export const BUCKETS = ['onHand', 'qualityHold', 'damaged', 'inbound'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Buckets a snapshot always states (absent ones count as 0); inbound only when named. */
export const PHYSICAL_BUCKETS = ['onHand', 'qualityHold', 'damaged'] as const;

/** Key for inbound supply with no ETA, and for every non-inbound quantity. */
export const UNDATED = '';
