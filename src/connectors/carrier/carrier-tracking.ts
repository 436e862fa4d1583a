/**
 * A carrier's tracking webhooks (EasyPost-style `tracker.updated`: { result: { tracking_code,
 * status, carrier, updated_at } }), signed with HMAC-SHA256 (hex). A delivered parcel becomes the
 * hub's order.delivered for the order that shipped under that tracking number; other statuses
 * (in transit, out for delivery) change nothing in the hub yet.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HubEvent } from '../../model/hub-event.js';
import type { InboundKind, InboundSource, MappedEvents, MappedOrder } from '../../ports/inbound-source.js';

/** Carriers' tracking numbers run to about 35 characters; far past that, the field is not one. */
const MAX_TRACKING = 100;

export interface CarrierOptions {
  id: string;
  secret: string;
  /** The hub order that shipped under a tracking number. */
  orderByTracking: (trackingNumber: string) => string | undefined | Promise<string | undefined>;
  now: () => number;
}

export class CarrierTracking implements InboundSource {
  readonly channel = '';
  readonly signatureHeader = 'x-hmac-signature';
  readonly topicHeader = 'x-event-type';
  readonly id: string;
  private seq = 0;

  constructor(private readonly o: CarrierOptions) {
    this.id = o.id;
  }

  verify(raw: string, signature: string | undefined): boolean {
    if (!signature) return false;
    const expected = createHmac('sha256', this.o.secret).update(raw).digest();
    const given = Buffer.from(signature.replace(/^hmac-sha256-hex=/, ''), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  kindOf(): InboundKind {
    return 'events';
  }

  async orderFrom(): Promise<MappedOrder> {
    return { ok: false, errors: [{ path: '/', message: 'a carrier sends tracking, not orders' }] };
  }

  async eventsFrom(raw: string): Promise<MappedEvents> {
    let body: { result?: { tracking_code?: unknown; status?: unknown; updated_at?: unknown } } | null;
    try {
      body = JSON.parse(raw);
    } catch (err) {
      return { ok: false, errors: [{ path: '/', message: `the body is not JSON: ${(err as Error).message}` }] };
    }
    const t = typeof body === 'object' && body !== null && typeof body.result === 'object' && body.result !== null ? body.result : undefined;
    if (t === undefined) return { ok: false, errors: [{ path: '/result', message: 'must be an object (the tracker)' }] };
    // Looked up as given: a number or an object here is no tracking number (and never a query's parameters).
    if (typeof t.tracking_code !== 'string' || t.tracking_code.trim() === '' || t.tracking_code.length > MAX_TRACKING)
      return { ok: false, errors: [{ path: '/result/tracking_code', message: `must be a tracking number (a string of 1 to ${MAX_TRACKING} characters)` }] };
    if (typeof t.status !== 'string') return { ok: false, errors: [{ path: '/result/status', message: 'must be a string' }] };
    if (t.status !== 'delivered') return { ok: true, events: [] };
    const orderId = await this.o.orderByTracking(t.tracking_code);
    if (!orderId) return { ok: false, errors: [{ path: '/result/tracking_code', message: `no order shipped under ${t.tracking_code}` }] };
    // Seqs from the clock in microseconds keep increasing across webhooks and restarts.
    this.seq = Math.max(this.seq + 1, this.o.now() * 1000);
    const occurredAt =
      typeof t.updated_at === 'string' && !Number.isNaN(Date.parse(t.updated_at)) ? new Date(t.updated_at).toISOString() : new Date(this.o.now()).toISOString();
    const event: HubEvent = { id: `${this.id}:${t.tracking_code}:delivered`, type: 'order.delivered', source: this.id, seq: this.seq, occurredAt, orderId };
    return { ok: true, events: [event] };
  }

  storeOrderId(): string | undefined {
    return undefined;
  }
}
