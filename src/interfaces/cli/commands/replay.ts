/**
 * `crossdock replay --verify`: rebuilds the ledger from the whole event log in the data
 * directory and compares it with what the hub serves. Reads the store directly; safe while a
 * hub runs (SQLite WAL readers do not block the writer).
 */
import { parseArgs } from 'node:util';
import { SqliteInventoryStore } from '../../../adapters/sqlite/sqlite-inventory-store.js';
import { InventoryState } from '../../../app/inventory-state.js';
import { OrderBook } from '../../../app/order-book.js';
import { SqliteOrderStore } from '../../../adapters/sqlite/sqlite-order-store.js';
import { verifyLedger } from '../../../app/verify-ledger.js';
import { systemClock } from '../../../ports/clock.js';
import { CliUsageError, type Command } from '../command.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Replay the event log into a fresh ledger and verify it matches the live one.',
  usage: '--verify [--data-dir DIR]',
  async run(args) {
    const { values } = parseArgs({ args, options: { verify: { type: 'boolean' }, 'data-dir': { type: 'string' } } });
    if (!values.verify) throw new CliUsageError('say --verify (replay into a fresh ledger and compare)');
    const dataDir = values['data-dir'] ?? process.env.CROSSDOCK_DATA_DIR ?? './data';
    const store = new SqliteInventoryStore(dataDir);
    try {
      const state = new InventoryState({ store, clock: systemClock });
      // Loading the open orders puts their reservations into the live ledger.
      new OrderBook({ state, orders: new SqliteOrderStore(store.db), clock: systemClock });
      const report = verifyLedger({ state, store, clock: systemClock });
      console.log(`replayed ${report.events} events into ${report.positions} stock positions; checked ${report.figures} channel figures`);
      if (report.mismatches.length === 0) { console.log('the ledger matches the log'); return 0; }
      console.log(`${report.mismatches.length} mismatches:`);
      for (const m of report.mismatches.slice(0, 50)) console.log(`  ${m}`);
      return 3;
    } finally {
      store.close();
    }
  },
};
