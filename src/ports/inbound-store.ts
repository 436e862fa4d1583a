/**
 * Inbound messages from other systems that could not be taken (unknown item or customer, failed
 * validation): kept whole with their reason, never dropped, until they are replayed after the
 * cause is fixed.
 */
import type { XrefKey } from '../domain/master-data/cross-reference.js';

export type ParkedInboundStatus = 'parked' | 'replayed' | 'discarded';

export interface ParkedInbound {
  id: number;
  system: string;
  topic: string;
  /** The body exactly as it arrived. */
  body: string;
  reason: string;
  errors: { path: string; message: string }[];
  receivedAt: string;
  status: ParkedInboundStatus;
  /** What the replay did (the order it captured). */
  outcome?: string;
  /** The cross-references it waits for (system, scheme and id each): adding one replays it. */
  unknownReferences?: XrefKey[];
  /** The request that brought it (a webhook), or the id minted for the file it came in. */
  correlationId?: string;
}

type Awaitable<T> = T | Promise<T>;

/** The embedded store answers at once; the scale-out one asks PostgreSQL. */
export interface InboundStore {
  park(p: Omit<ParkedInbound, 'id' | 'status'>): Awaitable<number>;
  parked(filter: { system?: string; status?: ParkedInboundStatus; afterId?: number; limit: number }): Awaitable<ParkedInbound[]>;
  get(id: number): Awaitable<ParkedInbound | undefined>;
  update(
    id: number,
    change: { status?: ParkedInboundStatus; reason?: string; errors?: ParkedInbound['errors']; outcome?: string; unknownReferences?: XrefKey[]; body?: string },
  ): Awaitable<void>;
}
