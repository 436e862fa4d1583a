/**
 * A generic REST system sending JSON by webhook: authenticated by an HMAC-SHA256 (hex) of the
 * raw body in a header, mapped by its JSONata file to a hub order or to hub events.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundKind, InboundSource, MappedEvents, MappedOrder } from '../../ports/inbound-source.js';
import type { JsonataMapping } from './jsonata-mapping.js';

export interface RestWebhookHeaders {
  signatureHeader: string;
  idHeader?: string;
  /** When set, the header is required and the signature covers "<timestamp>.<body>". */
  timestampHeader?: string;
}

export class RestWebhookSource implements InboundSource {
  readonly topicHeader = 'x-event-type';
  readonly signatureHeader: string;
  readonly idHeader?: string;
  readonly timestampHeader?: string;
  readonly timestampRequired: boolean;

  constructor(
    readonly id: string,
    readonly channel: string,
    private readonly secret: string,
    headers: RestWebhookHeaders,
    private readonly mapping: JsonataMapping,
  ) {
    this.signatureHeader = headers.signatureHeader;
    if (headers.idHeader) this.idHeader = headers.idHeader.toLowerCase();
    if (headers.timestampHeader) this.timestampHeader = headers.timestampHeader.toLowerCase();
    this.timestampRequired = this.timestampHeader !== undefined;
  }

  verify(raw: string, signature: string | undefined, timestamp?: string): boolean {
    if (!signature) return false;
    // With a timestamp header the signature binds it, so that an old body cannot be resent with a fresh time.
    if (this.timestampHeader !== undefined && timestamp === undefined) return false;
    const signed = this.timestampHeader === undefined ? raw : `${timestamp}.${raw}`;
    const expected = createHmac('sha256', this.secret).update(signed).digest();
    const given = Buffer.from(signature.replace(/^sha256=/, ''), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  kindOf(): InboundKind {
    return this.mapping.produces === 'order' ? 'order' : 'events';
  }

  async orderFrom(raw: string): Promise<MappedOrder> {
    const parsed = parse(raw);
    if (!parsed.ok) return parsed;
    const r = await this.mapping.map(parsed.value);
    if (!r.ok) return r;
    if (r.produces !== 'order') return { ok: false, errors: [{ path: '/', message: 'the mapping produces events, not an order' }] };
    return { ok: true, request: r.order, storeOrderId: r.order.externalId };
  }

  async eventsFrom(raw: string): Promise<MappedEvents> {
    const parsed = parse(raw);
    if (!parsed.ok) return parsed;
    const r = await this.mapping.map(parsed.value);
    if (!r.ok) return r;
    if (r.produces !== 'events') return { ok: false, errors: [{ path: '/', message: 'the mapping produces an order, not events' }] };
    return { ok: true, events: r.events };
  }

  storeOrderId(): string | undefined {
    return undefined;
  }
}

function parse(raw: string): { ok: true; value: unknown } | { ok: false; errors: { path: string; message: string }[] } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (err) {
    return { ok: false, errors: [{ path: '/', message: `the body is not JSON: ${(err as Error).message}` }] };
  }
}
