/**
 * The read routes of a scale-out api process: the log straight from the shared log, parked
 * events from this process's read model (so they show as soon as the answer that parked them),
 * and the channels' change feeds from the shared state the workers write.
 */
import type { HubEvent } from '../../model/hub-event.js';
import type { EventLog } from '../../ports/event-log.js';
import type { LoggedEvent, OvertakenCount, ParkedEvent, RecordedChange } from '../../ports/inventory-store.js';
import type { LedgerStore } from '../../ports/ledger-store.js';
import type { InventoryReads } from '../inventory/inventory-view.js';
import { parkReason } from '../../domain/inventory/event-application.js';
import type { InventoryReadModel } from './inventory-read-model.js';

export class LogReads implements InventoryReads {
  constructor(private readonly deps: { log: EventLog; view: InventoryReadModel; store: LedgerStore }) {}

  async readEvents(afterPosition: number, limit: number): Promise<LoggedEvent[]> {
    // Catalogue entries hold positions too but are not events: read on until `limit` events or the end.
    const events: LoggedEvent[] = [];
    for (let after = afterPosition; events.length < limit; ) {
      const entries = await this.deps.log.read(after, limit - events.length);
      if (entries.length === 0) break;
      for (const e of entries) {
        if (e.kind !== 'inventory' && e.kind !== 'order') continue;
        try {
          events.push({ position: e.position, event: JSON.parse(e.body) as HubEvent });
        } catch {
          /* dead-lettered by the workers */
        }
      }
      after = entries[entries.length - 1]!.position;
    }
    return events;
  }

  async eventAt(position: number): Promise<HubEvent | undefined> {
    const entry = await this.deps.log.entryAt(position);
    if (!entry || (entry.kind !== 'inventory' && entry.kind !== 'order')) return undefined;
    try {
      return JSON.parse(entry.body) as HubEvent;
    } catch {
      return undefined;
    }
  }

  parkedEvents(location: string | undefined, limit: number): ParkedEvent[] {
    return (
      this.deps.view
        .parkedAt(location)
        .slice(0, limit)
        // The event as the log holds it: its own correlation id, else its request's (publish-to-log.ts).
        .map((p) => ({
          position: p.position,
          sku: p.sku,
          location: p.location,
          reason: parkReason(p.location),
          parkedAt: p.parkedAt,
          ...(p.event.correlationId !== undefined ? { correlationId: p.event.correlationId } : {}),
        }))
    );
  }

  overtakenCounts(afterPosition: number, limit: number): Promise<OvertakenCount[]> {
    return this.deps.store.overtakenCounts(afterPosition, limit);
  }

  readChanges(channel: string, afterCursor: number, limit: number): Promise<RecordedChange[]> {
    return this.deps.store.readChanges(channel, afterCursor, limit);
  }
}
