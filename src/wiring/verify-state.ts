/**
 * Opens what `crossdock replay --verify` compares, for either backend: the embedded data
 * directory (read beside a running hub: SQLite WAL readers do not block the writer), or the
 * scale-out shared log and the workers' state in PostgreSQL.
 */
import { SqliteInventoryStore } from '../adapters/sqlite/sqlite-inventory-store.js';
import { SqliteOrderStore } from '../adapters/sqlite/sqlite-order-store.js';
import { JetStreamEventLog } from '../adapters/nats/jetstream-event-log.js';
import { openPostgres } from '../adapters/postgres/pg-database.js';
import { PgLedgerStore } from '../adapters/postgres/pg-ledger-store.js';
import { InventoryState } from '../app/inventory/inventory-state.js';
import { OpenOrders } from '../app/orders/open-orders.js';
import { verifyLedger, type VerifyReport } from '../app/inventory/verify-ledger.js';
import { verifyLedgerState } from '../app/log/verify-ledger-state.js';
import { loadHubConfig, settingsOf } from '../config/hub-config.js';
import type { LedgerOptions } from '../domain/inventory/inventory-ledger.js';
import { systemClock } from '../ports/clock.js';
import { sharedLogOptions } from './scale-out-hub.js';

export type { VerifyReport } from '../app/inventory/verify-ledger.js';

/** The embedded hub's ledger against its whole event log (`ledger`: the configured bound on late counts). */
export function verifyEmbeddedState(dataDir: string, ledger: LedgerOptions = {}): VerifyReport {
  const store = new SqliteInventoryStore(dataDir);
  try {
    const state = new InventoryState({ store, clock: systemClock, ledger });
    // Loading the open orders puts their reservations into the live ledger.
    new OpenOrders({ state, orders: new SqliteOrderStore(store.db), clock: systemClock });
    return verifyLedger({ state, store, clock: systemClock });
  } finally {
    store.close();
  }
}

/** The workers' shared state against the whole shared log, once they have caught up (configuration from the environment). */
export async function verifyScaleOutState(): Promise<VerifyReport> {
  const config = loadHubConfig();
  const settings = config.scaleOut!;
  const log = await JetStreamEventLog.open(sharedLogOptions(config));
  const store = new PgLedgerStore(await openPostgres(settings.databaseUrl, settings.namespace, 2));
  try {
    return await verifyLedgerState({
      log,
      store,
      ledger: settingsOf(config.file).ledger,
      clock: systemClock,
      appliedThrough: () => log.finishedThrough('apply'),
      queuedForLog: () => store.queuedForLog(),
    });
  } finally {
    await store.close();
    await log.close();
  }
}
