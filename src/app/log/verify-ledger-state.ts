/**
 * `crossdock replay --verify` on the scale-out backend: the whole shared log replayed into a
 * fresh read model (as an api process builds one at start, holds included) against the shared
 * state the workers wrote to PostgreSQL. Both must describe the same moment, so the check first
 * waits until the workers have applied everything in the log and relayed every holds entry they
 * owe it, and the read model has caught up with that; while traffic keeps arriving it retries a
 * few times, then says how far behind the workers are rather than report entries in flight as
 * damage.
 */
import { compareLedgers } from '../../domain/inventory/compare-ledgers.js';
import type { Clock } from '../../ports/clock.js';
import type { EventLog } from '../../ports/event-log.js';
import type { LedgerStore } from '../../ports/ledger-store.js';
import { InventoryReadModel } from './inventory-read-model.js';
import { loadItems } from './load-items.js';
import type { LedgerOptions } from '../../domain/inventory/inventory-ledger.js';
import type { VerifyReport } from '../inventory/verify-ledger.js';

export interface LedgerStateVerifyDeps {
  log: Pick<EventLog, 'follow' | 'head'>;
  /** The last log position the workers have finished applying. */
  appliedThrough: () => Promise<number>;
  /** Entries the workers have queued for the log but not yet appended (holds). */
  queuedForLog: () => Promise<number>;
  store: LedgerStore;
  clock: Clock;
  /** How long to wait for the workers and the read model to reach a quiet moment. */
  settleMs?: number;
  /** The bound on late counts the workers use. */
  ledger?: LedgerOptions;
}

/** Thrown when the workers do not catch up with the log in time: nothing was compared. */
export class LedgerNotSettledError extends Error {
  constructor(
    readonly head: number,
    readonly applied: number,
    readonly queued: number,
  ) {
    super(`the workers have applied the log through ${applied} of ${head} (${queued} holds entries still to append); run again once they catch up`);
    this.name = 'LedgerNotSettledError';
  }
}

export async function verifyLedgerState(deps: LedgerStateVerifyDeps): Promise<VerifyReport> {
  const model = new InventoryReadModel(deps.ledger);
  let events = 0;
  const following = await deps.log.follow(0, (entry) => {
    model.apply(entry);
    if (entry.kind === 'inventory' || entry.kind === 'order') events++;
  });
  try {
    const deadline = Date.now() + (deps.settleMs ?? 30_000);
    for (;;) {
      const head = await deps.log.head();
      const [applied, queued] = await Promise.all([deps.appliedThrough(), deps.queuedForLog()]);
      const caughtUp = applied >= head && queued === 0 && (await model.waitFor(head, Math.max(0, deadline - Date.now())));
      // Quiet only if nothing was appended meanwhile: then the log and the shared state agree on `head`.
      if (caughtUp && (await deps.log.head()) === head) {
        const live = await deps.store.eventBatch(async (tx) => {
          const locations = [...model.book.locations.keys()];
          const skus = new Set(await tx.skusAt(locations));
          for (const channel of model.book.channels.keys()) for (const sku of await tx.skusPublished(channel)) skus.add(sku);
          return loadItems(tx, [...skus].sort(), deps.ledger);
        });
        // The shared state may have moved on while it was read: compare only a still moment.
        if ((await deps.log.head()) === head) {
          return { events, ...compareLedgers({ ledger: model.ledger, book: model.book }, live, deps.clock.now()) };
        }
      }
      if (Date.now() > deadline) throw new LedgerNotSettledError(head, applied, queued);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await following.stop();
  }
}
