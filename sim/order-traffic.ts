/**
 * Simulated order flow for the demo. Orders come in the ways they do at a distributor: web
 * orders as signed storefront webhooks, EDI purchase orders as 850 files in the partner's folder,
 * and the rest through the API (with an Idempotency-Key). A few seconds later the ERP releases
 * each one; the warehouse holding its stock ships it (a ship movement carrying the order id, then
 * order.shipped with tracking) unless a 3PL runs that location (its 945 does that); the carrier
 * reports delivery; the ERP invoices it. Everything goes through the hub's public surface.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeInterchange } from '../src/connectors/edi-x12/x12-interchange.js';

export interface OrderTrafficOptions {
  url: string;
  apiKey: string;
  channels: string[];
  customers: string[];
  skus: string[];
  /** location → its authoritative source, to send the warehouse's events as that source. */
  authorities: Record<string, string>;
  ordersPerMinute: number;
  /** Web orders arrive as this storefront's signed webhooks. */
  storefront?: { systemId: string; channel: string; secret: string };
  /** EDI purchase orders are dropped in this partner's in/ folder. */
  ediPartner?: { folder: string; channel: string; partnerId: string; ourId: string };
  /** Locations a 3PL ships from by itself (945). */
  selfShipping?: Set<string>;
  /** Hands a tracking number to the carrier, which then reports delivery. */
  track?: (trackingNumber: string) => void;
  log?: (msg: string) => void;
  /** Hears each order captured and each milestone the simulated ERP and warehouses send (sim/demo-story.ts). */
  story?: {
    captured(orderId: string, how: string, lines: { sku: string; qty: number }[]): void;
    milestone(kind: 'released' | 'shipped' | 'invoiced' | 'delivered'): void;
  };
}

export interface Traffic {
  stop(): Promise<void>;
}

interface Placed {
  id: string;
  lines: { sku: string; qty: number; allocations: { location: string; reserved: number }[] }[];
}

export function startOrderTraffic(o: OrderTrafficOptions): Traffic {
  let counter = Date.now() * 1000;
  const stamp = (source: string) => {
    const seq = ++counter;
    return { id: `${source}-${seq}`, source, seq, occurredAt: new Date().toISOString() };
  };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` };
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let turn = 0;
  const later = (ms: number, fn: () => Promise<void>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn().catch((err) => o.log?.(`demo orders: ${String(err)}`));
    }, ms);
    timers.add(t);
  };
  const events = async (list: object[]) => {
    const res = await fetch(`${o.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify(list) });
    if (!res.ok) o.log?.(`demo orders: hub answered ${res.status}: ${await res.text()}`);
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const lines = () => [...new Set([pick(o.skus), pick(o.skus), pick(o.skus)])].map((sku) => ({ sku, qty: 1 + Math.floor(Math.random() * 3) }));

  /** Places one order by the next route; answers the hub's order id once it is captured. */
  const place = async (n: number): Promise<{ id: string; how: string } | undefined> => {
    const route = ['storefront', 'edi', 'api'][turn++ % 3];
    if (route === 'storefront' && o.storefront) {
      const body = JSON.stringify({
        id: 5_000_000_000_000 + n,
        order_number: n,
        customer: { id: n },
        line_items: lines().map((l) => ({ sku: l.sku, quantity: l.qty, price: '19.99' })),
        cancelled_at: null,
      });
      const res = await fetch(`${o.url}/hooks/${o.storefront.systemId}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': createHmac('sha256', o.storefront.secret).update(body).digest('base64'),
          // As Shopify sends them: an id per webhook and when it was triggered (replay protection).
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      });
      const answer = (await res.json()) as { status: string; orderId?: string };
      return answer.status === 'captured' && answer.orderId
        ? { id: answer.orderId, how: `from the storefront (${o.storefront.channel}, order #${n})` }
        : undefined;
    }
    if (route === 'edi' && o.ediPartner) {
      const po = `PO-${n}`;
      const text = writeInterchange({
        sender: { qualifier: 'ZZ', id: o.ediPartner.partnerId },
        receiver: { qualifier: 'ZZ', id: o.ediPartner.ourId },
        control: n % 1_000_000_000,
        at: new Date(),
        usage: 'P',
        groups: [
          {
            functionalId: 'PO',
            control: n % 1_000_000_000,
            transactions: [
              {
                set: '850',
                control: 1,
                segments: [
                  ['BEG', '00', 'SA', po, '', new Date().toISOString().slice(0, 10).replace(/-/g, '')],
                  ...lines().map((l, i) => ['PO1', String(i + 1), String(l.qty), 'EA', '12.50', '', 'VN', l.sku]),
                ],
              },
            ],
          },
        ],
      });
      writeFileSync(join(o.ediPartner.folder, 'in', `${po}.edi`), text);
      // The partner's folder is read every few seconds: look the order up by its PO number.
      for (let i = 0; i < 20 && !stopped; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const found = (await (await fetch(`${o.url}/v1/orders?channel=${o.ediPartner.channel}&externalId=${po}`, { headers })).json()) as {
          orders: { id: string; status: string }[];
        };
        if (found.orders[0])
          return found.orders[0].status === 'pending_erp' ? undefined : { id: found.orders[0].id, how: `from EDI 850 ${po} (${o.ediPartner.channel})` };
      }
      return undefined;
    }
    const body = { channel: pick(o.channels), externalId: `DEMO-${n}`, customer: pick(o.customers), lines: lines(), backorder: 'allow' };
    const res = await fetch(`${o.url}/v1/orders`, { method: 'POST', headers: { ...headers, 'idempotency-key': `demo-${n}` }, body: JSON.stringify(body) });
    if (res.status !== 201) return undefined; // queued for the ERP or out of stock: the demo moves on
    const { id, status } = (await res.json()) as { id: string; status: string };
    return status === 'credit_hold' ? undefined : { id, how: `through the API (${body.channel}, ${body.externalId})` }; // held until someone lifts the customer's hold
  };

  const placeOne = async () => {
    const n = ++counter % 1_000_000_000;
    const placed = await place(n);
    if (!placed || stopped) return;
    const { id } = placed;
    const view = (await (await fetch(`${o.url}/v1/orders/${id}`, { headers })).json()) as Placed;
    o.story?.captured(
      id,
      placed.how,
      view.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
    );
    later(3000, async () => {
      await events([{ ...stamp('erp-sim'), type: 'order.released', orderId: id }]);
      o.story?.milestone('released');
    });
    const byLocation = new Map<string, { sku: string; qty: number }[]>();
    for (const line of view.lines)
      for (const a of line.allocations) byLocation.set(a.location, [...(byLocation.get(a.location) ?? []), { sku: line.sku, qty: a.reserved }]);
    for (const [location, shipLines] of byLocation) {
      const source = o.authorities[location];
      if (!source || o.selfShipping?.has(location)) continue;
      const tracking = `1Z${n}${location}`;
      later(8000, async () => {
        await events([
          ...shipLines.map((l) => ({
            ...stamp(source),
            type: 'inventory.movement',
            sku: l.sku,
            location,
            reason: 'ship',
            delta: { onHand: -l.qty },
            orderId: id,
          })),
          { ...stamp(source), type: 'order.shipped', orderId: id, location, lines: shipLines, tracking: { carrier: 'UPS', number: tracking } },
        ]);
        o.story?.milestone('shipped');
        if (o.track) o.track(tracking);
      });
    }
    if (!o.track)
      later(15_000, async () => {
        await events([{ ...stamp('carrier-sim'), type: 'order.delivered', orderId: id }]);
        o.story?.milestone('delivered');
      });
    later(16_000, async () => {
      await events([{ ...stamp('erp-sim'), type: 'order.invoiced', orderId: id, invoiceNumber: `INV-${n}` }]);
      o.story?.milestone('invoiced');
    });
  };

  const every = o.ordersPerMinute > 0 ? Math.max(200, 60_000 / o.ordersPerMinute) : 0;
  const timer =
    every > 0
      ? setInterval(() => {
          if (!stopped) placeOne().catch((err) => o.log?.(`demo orders: ${String(err)}`));
        }, every)
      : undefined;
  return {
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
