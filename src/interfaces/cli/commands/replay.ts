/**
 * `crossdock replay --verify`: rebuilds the ledger from the whole event log and compares it with
 * what the hub serves. Embedded: the log and state in the data directory, read directly (safe
 * while a hub runs: SQLite WAL readers do not block the writer). Scale-out
 * (CROSSDOCK_BACKEND=scale-out): the shared JetStream log against the workers' state in
 * PostgreSQL, once the workers have caught up.
 */
import { parseArgs } from 'node:util';
import { verifyEmbeddedState, verifyScaleOutState } from '../../../wiring/verify-state.js';
import { loadHubConfig, settingsOf } from '../../../config/hub-config.js';
import { CliUsageError, type Command } from '../command.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Replay the event log into a fresh ledger and verify it matches the live one.',
  usage: '--verify [--data-dir DIR]   (scale-out: CROSSDOCK_BACKEND=scale-out with DATABASE_URL, NATS_URL, CROSSDOCK_NAMESPACE)',
  async run(args) {
    const { values } = parseArgs({ args, options: { verify: { type: 'boolean' }, 'data-dir': { type: 'string' } } });
    if (!values.verify) throw new CliUsageError('say --verify (replay into a fresh ledger and compare)');
    const report =
      process.env.CROSSDOCK_BACKEND === 'scale-out'
        ? await verifyScaleOutState()
        : verifyEmbeddedState(values['data-dir'] ?? process.env.CROSSDOCK_DATA_DIR ?? './data', settingsOf(loadHubConfig().file).ledger);
    console.log(`replayed ${report.events} events into ${report.positions} stock positions; checked ${report.figures} channel figures`);
    if (report.mismatches.length === 0) {
      console.log('the ledger matches the log');
      return 0;
    }
    console.log(`${report.mismatches.length} mismatches:`);
    for (const m of report.mismatches.slice(0, 50)) console.log(`  ${m}`);
    return 3;
  },
};
