/**
 * A system that sends messages in by webhook (a storefront, a REST system with mappings), as
 * the application needs it: is this body really from it, what does the message ask for, and what
 * hub order or events does it describe. Each connector (connectors/<type>/) implements it.
 */
import type { Issue } from '../domain/errors.js';
import type { XrefKey } from '../domain/master-data/cross-reference.js';
import type { HubEvent } from '../model/hub-event.js';
import type { OrderRequest } from '../model/order.js';

/**
 * A mapped order, with per request line the cross-reference keys that could name its item (so an
 * order refused for an unknown item waits for them); or what is wrong, with the keys it waits for.
 */
export type MappedOrder =
  | { ok: true; request: OrderRequest; storeOrderId: string; lineReferences?: XrefKey[][] }
  | { ok: false; errors: Issue[]; unknownReferences?: XrefKey[] };
export type MappedEvents = { ok: true; events: HubEvent[] } | { ok: false; errors: Issue[] };

/**
 * What a message asks for: capture an order, cancel one, bring a captured one up to date (or
 * capture it when it was not yet), ingest events, or nothing the hub takes.
 */
export type InboundKind = 'order' | 'cancel' | 'update' | 'events' | 'ignore';

export interface InboundSource {
  readonly id: string;
  /** The channel its orders are captured on (sources of events only may have none). */
  readonly channel: string;
  /**
   * True when `signature` (the header the source signs with) proves the raw body came from it;
   * `timestamp` is the sender's timestamp header, for sources whose signature covers it too.
   */
  verify(raw: string, signature: string | undefined, timestamp?: string): boolean;
  /** The header carrying the signature, and the one naming the message's topic. */
  readonly signatureHeader: string;
  readonly topicHeader: string;
  /** The header carrying the sender's unique id of a message, kept across its retries (when it sends one). */
  readonly idHeader?: string;
  /** The header carrying when the sender sent (or triggered) the message (when it sends one). */
  readonly timestampHeader?: string;
  /** True when the timestamp header must be present (the signature covers it). */
  readonly timestampRequired?: boolean;
  /** What the message asks for, by its topic and (for topics whose meaning the body settles) its signed body. */
  kindOf(topic: string | undefined, raw?: string): InboundKind;
  /**
   * Why the signed body contradicts the unsigned topic header (an order that is not cancelled
   * sent as a cancellation), or undefined when they agree.
   */
  topicContradiction?(topic: string | undefined, raw: string): string | undefined;
  orderFrom(raw: string): Promise<MappedOrder>;
  eventsFrom(raw: string): Promise<MappedEvents>;
  /** The source's own id of the order in a body (for cancellations). */
  storeOrderId(raw: string): string | undefined;
}
