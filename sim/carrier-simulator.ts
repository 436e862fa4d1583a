/**
 * A simulated carrier for tests and the demo: given a tracking number it sends the hub the
 * EasyPost-style `tracker.updated` webhooks a real tracking service would — in transit, then
 * delivered — signed with HMAC-SHA256 (hex) in X-Hmac-Signature.
 */
import { createHmac } from 'node:crypto';

export interface CarrierOptions { hookUrl: string; secret: string; inTransitAfterMs: number; deliveredAfterMs: number; log?: (msg: string) => void }

export class CarrierSimulator {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Webhooks sent and the hub's answers, in order. */
  readonly sent: { trackingCode: string; status: string; answer: number }[] = [];

  constructor(private readonly o: CarrierOptions) {}

  /** Starts tracking a parcel: its webhooks follow on the configured delays. */
  track(trackingCode: string, carrier = 'UPS'): void {
    this.later(this.o.inTransitAfterMs, () => this.send(trackingCode, carrier, 'in_transit'));
    this.later(this.o.deliveredAfterMs, () => this.send(trackingCode, carrier, 'delivered'));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => { this.timers.delete(t); fn().catch((err) => this.o.log?.(`carrier: ${String(err)}`)); }, ms);
    this.timers.add(t);
  }

  private async send(trackingCode: string, carrier: string, status: string): Promise<void> {
    const body = JSON.stringify({ description: 'tracker.updated', result: { object: 'Tracker', tracking_code: trackingCode, carrier, status, updated_at: new Date().toISOString() } });
    const res = await fetch(this.o.hookUrl, {
      method: 'POST', body,
      headers: { 'content-type': 'application/json', 'x-event-type': 'tracker.updated', 'x-hmac-signature': `hmac-sha256-hex=${createHmac('sha256', this.o.secret).update(body).digest('hex')}` },
    });
    this.sent.push({ trackingCode, status, answer: res.status });
    await res.text();
  }
}
