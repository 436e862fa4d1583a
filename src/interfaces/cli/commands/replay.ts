/**
 * `crossdock replay --verify`: rebuilds the ledger from the whole event log and compares it with
 * what the hub serves. Embedded: the log and state in the data directory, read directly (safe
 * while a hub runs: SQLite WAL readers do not block the writer). Scale-out
 * (CROSSDOCK_BACKEND=scale-out): the shared JetStream log against the workers' state in
 * PostgreSQL, once the workers have caught up.
 */
import { parseArgs } from 'node:util';
import { SqliteInventoryStore } from '../../../adapters/sqlite/sqlite-inventory-store.js';
import { InventoryState } from '../../../app/inventory-state.js';
import { OrderBook } from '../../../app/order-book.js';
import { SqliteOrderStore } from '../../../adapters/sqlite/sqlite-order-store.js';
import { verifyLedger, type VerifyReport } from '../../../app/verify-ledger.js';
import { verifySharedState } from '../../../app/scale-out/verify-shared-state.js';
import { JetStreamEventLog } from '../../../adapters/nats/jetstream-event-log.js';
import { openPostgres } from '../../../adapters/postgres/pg-database.js';
import { PgLedgerStore } from '../../../adapters/postgres/pg-ledger-store.js';
import { loadHubConfig } from '../../../config/hub-config.js';
import { sharedLogOptions } from '../../../wiring/scale-out-hub.js';
import { systemClock } from '../../../ports/clock.js';
import { CliUsageError, type Command } from '../command.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Replay the event log into a fresh ledger and verify it matches the live one.',
  usage: '--verify [--data-dir DIR]   (scale-out: CROSSDOCK_BACKEND=scale-out with DATABASE_URL, NATS_URL, CROSSDOCK_NAMESPACE)',
  async run(args) {
    const { values } = parseArgs({ args, options: { verify: { type: 'boolean' }, 'data-dir': { type: 'string' } } });
    if (!values.verify) throw new CliUsageError('say --verify (replay into a fresh ledger and compare)');
    const report = process.env.CROSSDOCK_BACKEND === 'scale-out' ? await verifyScaleOut() : verifyEmbedded(values['data-dir'] ?? process.env.CROSSDOCK_DATA_DIR ?? './data');
    console.log(`replayed ${report.events} events into ${report.positions} stock positions; checked ${report.figures} channel figures`);
    if (report.mismatches.length === 0) { console.log('the ledger matches the log'); return 0; }
    console.log(`${report.mismatches.length} mismatches:`);
    for (const m of report.mismatches.slice(0, 50)) console.log(`  ${m}`);
    return 3;
  },
};

function verifyEmbedded(dataDir: string): VerifyReport {
  const store = new SqliteInventoryStore(dataDir);
  try {
    const state = new InventoryState({ store, clock: systemClock });
    // Loading the open orders puts their reservations into the live ledger.
    new OrderBook({ state, orders: new SqliteOrderStore(store.db), clock: systemClock });
    return verifyLedger({ state, store, clock: systemClock });
  } finally {
    store.close();
  }
}

async function verifyScaleOut(): Promise<VerifyReport> {
  const config = loadHubConfig();
  const settings = config.scaleOut!;
  const log = await JetStreamEventLog.open(sharedLogOptions(config));
  const store = new PgLedgerStore(await openPostgres(settings.databaseUrl, settings.namespace, 2));
  try {
    return await verifySharedState({
      log, store, clock: systemClock,
      appliedThrough: () => log.finishedThrough('apply'), queuedForLog: () => store.queuedForLog(),
    });
  } finally {
    await store.close();
    await log.close();
  }
}
