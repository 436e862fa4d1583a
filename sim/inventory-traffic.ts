/**
 * A simulated warehouse floor for the demo: each location's authoritative system posts opening
 * snapshots and then a steady trickle of receipts, picks, holds and damage to the hub over HTTP,
 * exactly as a real WMS connector would (POST /v1/events with its API key).
 */
export interface TrafficOptions {
  url: string;
  apiKey: string;
  /** Which source reports each location. */
  sources: { source: string; location: string }[];
  skus: string[];
  eventsPerSecond: number;
  seedStock: boolean;
  log?: (msg: string) => void;
  /** Hears each movement sent: where, and how it changed on hand (sim/demo-story.ts sums them up). */
  moved?: (location: string, onHandDelta: number) => void;
}

export interface Traffic {
  stop(): Promise<void>;
}

export function startInventoryTraffic(o: TrafficOptions): Traffic {
  // Seqs from the clock keep increasing across restarts of the simulator.
  let counter = Date.now() * 1000;
  const next = (source: string) => {
    const seq = ++counter;
    return { id: `${source}-${seq}`, seq };
  };
  const post = async (events: object[]) => {
    const res = await fetch(`${o.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` },
      body: JSON.stringify(events),
    });
    if (!res.ok) o.log?.(`demo traffic: hub answered ${res.status}: ${await res.text()}`);
  };
  const now = () => new Date().toISOString();
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();

  if (o.seedStock) {
    const opening = o.sources.flatMap(({ source, location }) =>
      o.skus.map((sku, i) => ({
        ...next(source),
        type: 'inventory.snapshot',
        source,
        occurredAt: now(),
        sku,
        location,
        balance: { onHand: 40 + ((i * 37 + location.length * 11) % 120), qualityHold: i % 3, damaged: 0 },
      })),
    );
    pending = post(opening).catch((err) => o.log?.(`demo traffic: ${String(err)}`));
  }

  const reasons = [
    { reason: 'pick', delta: () => ({ onHand: -1 - Math.floor(Math.random() * 4) }) },
    { reason: 'pick', delta: () => ({ onHand: -1 - Math.floor(Math.random() * 2) }) },
    { reason: 'receipt', delta: () => ({ onHand: 12 + Math.floor(Math.random() * 24) }) },
    { reason: 'hold', delta: () => ({ qualityHold: 1 }) },
    { reason: 'release', delta: () => ({ qualityHold: -1 }) },
    { reason: 'damage', delta: () => ({ damaged: 1 }) },
  ];
  const timer =
    o.eventsPerSecond > 0
      ? setInterval(() => {
          if (stopped) return;
          const events: object[] = [];
          for (let i = 0; i < Math.max(1, Math.round(o.eventsPerSecond)); i++) {
            const { source, location } = o.sources[Math.floor(Math.random() * o.sources.length)]!;
            const sku = o.skus[Math.floor(Math.random() * o.skus.length)]!;
            const r = reasons[Math.floor(Math.random() * reasons.length)]!;
            const delta: Record<string, number> = r.delta();
            events.push({ ...next(source), type: 'inventory.movement', source, occurredAt: now(), sku, location, reason: r.reason, delta });
            o.moved?.(location, delta.onHand ?? 0);
          }
          pending = pending.then(() => post(events)).catch((err) => o.log?.(`demo traffic: ${String(err)}`));
        }, 1000)
      : undefined;

  return {
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await pending;
    },
  };
}
