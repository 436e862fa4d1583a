/**
 * Test support for the scale-out use cases (not shipped behaviour): event builders, a fixed
 * clock, and an in-memory event log that keeps its entries in order, stores an entry with a
 * dedupe id seen before once (answering the original's position), and records every append.
 */
import type { InventoryMovement, InventorySnapshot } from '../../model/inventory-event.js';
import type { OrderEvent } from '../../model/order-event.js';
import type { AppendRequest, Appended, EventLog, Following, LogEntry, WorkItem } from '../../ports/event-log.js';
import type { Clock } from '../../ports/clock.js';

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');

export function fixedClock(ms = T0): Clock & { set(ms: number): void } {
  let now = ms;
  return {
    now: () => now,
    set(next) {
      now = next;
    },
  };
}

type Delta = InventoryMovement['delta'];

/** A movement; its id is `${source}-${seq}` unless given. */
export function movement(source: string, seq: number, sku: string, location: string, delta: Delta, extra: Partial<InventoryMovement> = {}): InventoryMovement {
  return {
    id: `${source}-${seq}`,
    type: 'inventory.movement',
    source,
    seq,
    occurredAt: new Date(T0 - 60_000 + seq).toISOString(),
    sku,
    location,
    reason: 'receipt',
    delta,
    ...extra,
  };
}

/** A snapshot; its id is `${source}-${seq}` unless given. */
export function snapshot(
  source: string,
  seq: number,
  sku: string,
  location: string,
  balance: InventorySnapshot['balance'],
  extra: Partial<InventorySnapshot> = {},
): InventorySnapshot {
  return {
    id: `${source}-${seq}`,
    type: 'inventory.snapshot',
    source,
    seq,
    occurredAt: new Date(T0 - 60_000 + seq).toISOString(),
    sku,
    location,
    balance,
    ...extra,
  };
}

/** An order event of `type` with the fields it needs. */
export function orderEvent(source: string, seq: number, orderId: string, rest: Partial<OrderEvent> & { type: OrderEvent['type'] }): OrderEvent {
  return { id: `${source}-${seq}`, source, seq, occurredAt: new Date(T0 - 60_000 + seq).toISOString(), orderId, ...rest } as OrderEvent;
}

/** A log entry for an event (kind by the event's type) or a catalogue change. */
export function entry(position: number, value: object): LogEntry {
  const type = (value as { type?: string }).type;
  const kind = type === undefined ? 'catalog' : type.startsWith('inventory.') ? 'inventory' : 'order';
  return { position, kind, body: JSON.stringify(value) };
}

/** An event log in memory. `failAppend` makes the next appends throw. */
export class MemoryEventLog implements EventLog {
  readonly entries: LogEntry[] = [];
  readonly appends: AppendRequest[][] = [];
  readonly maxAttempts = 3;
  failAppend: Error | undefined;
  private readonly byDedupe = new Map<string, number>();
  private readonly followers: { after: number; onEntry: (e: LogEntry) => void }[] = [];
  /** When set, follow() delivers nothing until release() is called (an api process lagging behind). */
  holdFollowers = false;

  /** While set, appends wait for it (a log slow to answer). */
  gate: Promise<void> | undefined;

  async append(requests: readonly AppendRequest[]): Promise<Appended[]> {
    if (this.gate !== undefined) await this.gate;
    if (this.failAppend) throw this.failAppend;
    this.appends.push([...requests]);
    return requests.map((r) => {
      const seen = this.byDedupe.get(r.dedupeId);
      if (seen !== undefined) return { position: seen, duplicate: true };
      const position = this.entries.length + 1;
      this.entries.push({ position, kind: r.kind, body: r.body });
      this.byDedupe.set(r.dedupeId, position);
      this.deliver();
      return { position, duplicate: false };
    });
  }

  /** Appends an entry as another process would (no dedupe). */
  put(kind: LogEntry['kind'], body: unknown): number {
    const position = this.entries.length + 1;
    this.entries.push({ position, kind, body: typeof body === 'string' ? body : JSON.stringify(body) });
    this.deliver();
    return position;
  }

  release(): void {
    this.holdFollowers = false;
    this.deliver();
  }

  private deliver(): void {
    if (this.holdFollowers) return;
    for (const f of this.followers) {
      while (f.after < this.entries.length) {
        const e = this.entries[f.after]!;
        f.after = e.position;
        f.onEntry(e);
      }
    }
  }

  async follow(afterPosition: number, onEntry: (entry: LogEntry) => void): Promise<Following> {
    const f = { after: afterPosition, onEntry };
    this.followers.push(f);
    this.deliver();
    return {
      stop: async () => {
        this.followers.splice(this.followers.indexOf(f), 1);
      },
    };
  }

  get followerCount(): number {
    return this.followers.length;
  }

  async head(): Promise<number> {
    return this.entries.length;
  }

  async entryAt(position: number): Promise<LogEntry | undefined> {
    return this.entries[position - 1];
  }

  async read(afterPosition: number, limit: number): Promise<LogEntry[]> {
    return this.entries.slice(afterPosition, afterPosition + limit);
  }

  async work(): Promise<Following> {
    throw new Error('not used by these tests');
  }

  async close(): Promise<void> {}
}

/** A work item that records how it ended. */
export function workItem(e: LogEntry, attempt = 1) {
  const ended: string[] = [];
  const delays: number[] = [];
  let stillWorking = 0;
  const item: WorkItem = {
    entry: e,
    attempt,
    done: () => ended.push('done'),
    retry: (ms) => {
      ended.push('retry');
      delays.push(ms);
    },
    discard: () => ended.push('discard'),
    stillWorking: () => {
      stillWorking++;
    },
  };
  return {
    item,
    ended,
    delays,
    get stillWorking() {
      return stillWorking;
    },
  };
}
