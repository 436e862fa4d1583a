/**
 * The read routes of a scale-out api process: the log straight from the shared log, parked
 * events from this process's read model (so they show as soon as the answer that parked them),
 * and the channels' change feeds from the shared state the workers write.
 */
import type { HubEvent } from '../../model/hub-event.js';
import type { EventLog } from '../../ports/event-log.js';
import type { LoggedEvent, ParkedEvent, RecordedChange } from '../../ports/inventory-store.js';
import type { SharedLedgerStore } from '../../ports/shared-ledger-store.js';
import type { InventoryReads } from '../inventory-view.js';
import { parkReason } from '../park-reason.js';
import type { InventoryReadModel } from './inventory-read-model.js';

export class LogReads implements InventoryReads {
  constructor(private readonly deps: { log: EventLog; view: InventoryReadModel; store: SharedLedgerStore }) {}

  async readEvents(afterPosition: number, limit: number): Promise<LoggedEvent[]> {
    const head = await this.deps.log.head();
    const events: LoggedEvent[] = [];
    for (let p = afterPosition + 1; p <= head && events.length < limit; p++) {
      const event = await this.eventAt(p);
      if (event) events.push({ position: p, event });
    }
    return events;
  }

  async eventAt(position: number): Promise<HubEvent | undefined> {
    const entry = await this.deps.log.entryAt(position);
    if (!entry || entry.kind !== 'inventory') return undefined;
    try { return JSON.parse(entry.body) as HubEvent; } catch { return undefined; }
  }

  parkedEvents(location: string | undefined, limit: number): ParkedEvent[] {
    return this.deps.view.parkedAt(location).slice(0, limit)
      .map((p) => ({ position: p.position, sku: p.event.sku, location: p.event.location, reason: parkReason(p.event.location), parkedAt: p.parkedAt }));
  }

  readChanges(channel: string, afterCursor: number, limit: number): Promise<RecordedChange[]> {
    return this.deps.store.readChanges(channel, afterCursor, limit);
  }
}
