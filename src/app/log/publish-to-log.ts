/**
 * The write side of a scale-out api process: events (inventory and order events) and catalogue
 * changes are validated here and appended to the shared log; the answer comes once the log has them durably. Workers apply them
 * to the shared state; every process's read model applies them in log order.
 *
 * Duplicates are caught twice: the read model knows every event it has applied (by id and by
 * seq), and the log's message ids catch copies still in flight within its duplicate window.
 */
import { SystemAccess } from '../../domain/access/system-access.js';
import { randomUUID } from 'node:crypto';
import { eventIssues, isValidEvent } from '../../model/event-validation.js';
import type { IngestResult } from '../../model/inventory-event.js';
import type { HubEvent } from '../../model/hub-event.js';
import { stockLocationOf } from '../../domain/inventory/stock-effects.js';
import type { ChannelInput, ItemInput, LocationInput } from '../../model/catalog.js';
import { StorageFailedError } from '../../domain/errors.js';
import type { AppendRequest, Appended, EventLog } from '../../ports/event-log.js';
import { channelFromInput, checkChannelLocations } from '../inventory/define-catalog.js';
import type { Catalog, Ingest, LocationDefined } from '../inventory/inventory-view.js';
import { parkReason } from '../../domain/inventory/event-application.js';
import type { CatalogEntry } from './log-entries.js';
import type { InventoryReadModel } from './inventory-read-model.js';

export interface PublishDeps {
  log: EventLog;
  view: InventoryReadModel;
  /** How long a catalogue change waits for this process's read model to show it. */
  settleMs?: number;
}

export class LogIngest implements Ingest {
  constructor(private readonly deps: PublishDeps) {}

  /** `correlationId`: the request's, stamped on events that carry none of their own (their timeline entries and effects keep it). */
  async submit(values: readonly unknown[], _payload?: string, correlationId?: string, sender = SystemAccess.everySystem): Promise<IngestResult> {
    const { view, log } = this.deps;
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [], parked: [], position: 0 };
    const requests: AppendRequest[] = [];
    const indexes: number[] = [];
    const locations: (string | undefined)[] = [];
    const events: HubEvent[] = [];
    // A source's id or seq repeated inside this batch: the first copy counts, as on the embedded
    // hub. The log's own deduplication covers ids only, so a repeated seq was answered as accepted.
    const inBatch = new Set<string>();
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      if (!isValidEvent(value)) {
        result.rejected.push({ index, errors: eventIssues(value) });
        continue;
      }
      const refused = sender.refusal(value.source);
      if (refused) {
        result.rejected.push({ index, errors: [refused] });
        continue;
      }
      const id = JSON.stringify([value.source, 'id', value.id]);
      const seq = JSON.stringify([value.source, 'seq', value.seq]);
      if (view.hasEvent(value.source, value.id, value.seq) || inBatch.has(id) || inBatch.has(seq)) {
        result.duplicates++;
        continue;
      }
      inBatch.add(id).add(seq);
      const inventory = value.type === 'inventory.movement' || value.type === 'inventory.snapshot';
      // The event as the log will hold it, for this process's read model too (a parked one shows its correlation id at once).
      const logged: HubEvent = value.correlationId || !correlationId ? value : { ...value, correlationId };
      requests.push({
        kind: inventory ? 'inventory' : 'order',
        key: inventory ? value.sku : value.orderId,
        dedupeId: JSON.stringify([value.source, value.id]),
        body: JSON.stringify(logged),
      });
      indexes.push(index);
      locations.push(stockLocationOf(value));
      events.push(logged);
    }
    let position = view.position;
    if (requests.length > 0) {
      let appended: Appended[];
      try {
        appended = await log.append(requests);
      } catch (err) {
        throw new StorageFailedError('the event batch', err);
      }
      appended.forEach((a, k) => {
        position = Math.max(position, a.position);
        if (a.duplicate) {
          result.duplicates++;
          return;
        }
        result.accepted++;
        view.expect(a.position, events[k]!);
        const location = locations[k];
        if (location !== undefined && !view.book.locations.has(location))
          result.parked.push({ index: indexes[k]!, position: a.position, reason: parkReason(location) });
      });
    }
    result.position = position;
    return result;
  }
}

export class LogCatalog implements Catalog {
  constructor(private readonly deps: PublishDeps) {}

  async defineLocation(id: string, input: LocationInput): Promise<LocationDefined> {
    const created = !this.deps.view.book.locations.has(id);
    const def = { id, name: input.name, authority: input.authority };
    const position = await this.publish({ kind: 'location', def }, `location:${id}`);
    return { ...def, created, released: this.deps.view.takeReleased(position) };
  }

  async defineChannel(id: string, input: ChannelInput) {
    checkChannelLocations(this.deps.view.book, input);
    const created = !this.deps.view.book.channels.has(id);
    const channel = channelFromInput(id, input);
    await this.publish({ kind: 'channel', channel }, `channel:${id}`);
    return { channel, created };
  }

  async defineItem(sku: string, input: ItemInput) {
    const created = !this.deps.view.items.get(sku);
    await this.publish({ kind: 'item', item: { sku, description: input.description, uom: input.uom ?? 'EA' } }, `item:${sku}`);
    return { created };
  }

  /** Appends the change and waits until this process's read model shows it (read-your-writes). */
  private async publish(change: CatalogEntry, key: string): Promise<number> {
    const body = JSON.stringify(change);
    let position: number;
    try {
      // Each request its own id: defining A, then B, then A again must store all three.
      position = (await this.deps.log.append([{ kind: 'catalog', key, dedupeId: randomUUID(), body }]))[0]!.position;
    } catch (err) {
      throw new StorageFailedError(`the ${change.kind}`, err);
    }
    if (!(await this.deps.view.waitFor(position, this.deps.settleMs ?? 10_000))) {
      throw new StorageFailedError(
        `the ${change.kind}`,
        new Error(`the change is in the log at position ${position} but this process has not caught up with it yet`),
      );
    }
    return position;
  }
}
