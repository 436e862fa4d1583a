/**
 * Inbound messages from other systems that could not be taken (unknown item or customer, failed
 * validation): kept whole with their reason, never dropped, until they are replayed after the
 * cause is fixed.
 */
export type ParkedInboundStatus = 'parked' | 'replayed';

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
}

export interface InboundStore {
  park(p: Omit<ParkedInbound, 'id' | 'status'>): number;
  parked(filter: { system?: string; status?: ParkedInboundStatus; afterId?: number; limit: number }): ParkedInbound[];
  get(id: number): ParkedInbound | undefined;
  update(id: number, change: { status?: ParkedInboundStatus; reason?: string; errors?: ParkedInbound['errors']; outcome?: string }): void;
}
