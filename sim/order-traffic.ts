/**
 * Simulated order flow for the demo: a storefront captures orders (POST /v1/orders with an
 * Idempotency-Key), and a few seconds later the ERP releases each one, the warehouse that holds
 * its stock picks and ships it (a ship movement carrying the order id, then order.shipped with
 * tracking), the carrier delivers it and the ERP invoices it, all as events over the hub's API,
 * the way real connectors would send them.
 */
export interface OrderTrafficOptions {
  url: string;
  apiKey: string;
  channels: string[];
  customers: string[];
  skus: string[];
  /** location → its authoritative source, to send the warehouse's events as that source. */
  authorities: Record<string, string>;
  ordersPerMinute: number;
  log?: (msg: string) => void;
}

export interface Traffic { stop(): Promise<void> }

interface Placed { id: string; lines: { sku: string; allocations: { location: string; reserved: number }[] }[] }

export function startOrderTraffic(o: OrderTrafficOptions): Traffic {
  let counter = Date.now() * 1000;
  const stamp = (source: string) => { const seq = ++counter; return { id: `${source}-${seq}`, source, seq, occurredAt: new Date().toISOString() }; };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` };
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (ms: number, fn: () => Promise<void>) => {
    const t = setTimeout(() => { timers.delete(t); if (!stopped) fn().catch((err) => o.log?.(`demo orders: ${String(err)}`)); }, ms);
    timers.add(t);
  };
  const events = async (list: object[]) => {
    const res = await fetch(`${o.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify(list) });
    if (!res.ok) o.log?.(`demo orders: hub answered ${res.status}: ${await res.text()}`);
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

  const placeOne = async () => {
    const n = ++counter;
    const skus = [...new Set([pick(o.skus), pick(o.skus), pick(o.skus)])];
    const body = { channel: pick(o.channels), externalId: `DEMO-${n}`, customer: pick(o.customers), lines: skus.map((sku) => ({ sku, qty: 1 + Math.floor(Math.random() * 3) })), backorder: 'allow' };
    const res = await fetch(`${o.url}/v1/orders`, { method: 'POST', headers: { ...headers, 'idempotency-key': `demo-${n}` }, body: JSON.stringify(body) });
    if (res.status !== 201) return; // queued for the ERP or out of stock: the demo moves on
    const { id, status } = await res.json() as { id: string; status: string };
    if (status === 'credit_hold') return; // stays held until someone lifts the customer's hold
    const view = await (await fetch(`${o.url}/v1/orders/${id}`, { headers })).json() as Placed;
    later(3000, () => events([{ ...stamp('erp-sim'), type: 'order.released', orderId: id }]));
    const byLocation = new Map<string, { sku: string; qty: number }[]>();
    for (const line of view.lines) for (const a of line.allocations) byLocation.set(a.location, [...(byLocation.get(a.location) ?? []), { sku: line.sku, qty: a.reserved }]);
    for (const [location, lines] of byLocation) {
      const source = o.authorities[location];
      if (!source) continue;
      later(8000, () => events([
        ...lines.map((l) => ({ ...stamp(source), type: 'inventory.movement', sku: l.sku, location, reason: 'ship', delta: { onHand: -l.qty }, orderId: id })),
        { ...stamp(source), type: 'order.shipped', orderId: id, location, lines, tracking: { carrier: 'UPS', number: `1Z${n}` } },
      ]));
    }
    later(15_000, () => events([{ ...stamp('carrier-sim'), type: 'order.delivered', orderId: id }]));
    later(16_000, () => events([{ ...stamp('erp-sim'), type: 'order.invoiced', orderId: id, invoiceNumber: `INV-${n}` }]));
  };

  const every = o.ordersPerMinute > 0 ? Math.max(200, 60_000 / o.ordersPerMinute) : 0;
  const timer = every > 0 ? setInterval(() => { if (!stopped) placeOne().catch((err) => o.log?.(`demo orders: ${String(err)}`)); }, every) : undefined;
  return {
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
