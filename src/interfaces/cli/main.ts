/**
 * The `crossdock` command. Each subcommand lives in commands/ and returns an exit code; errors
 * become messages and exit codes here and nowhere else.
 */
import { ConfigError } from '../../config/hub-config.js';
import { CliUsageError, unreachable, type Command } from './command.js';
import { startCommand, type ExtensionsFor } from './commands/start.js';
import { ingestCommand } from './commands/ingest.js';
import { availabilityCommand } from './commands/availability.js';
import { replayCommand } from './commands/replay.js';
import { mappingsCommand } from './commands/mappings.js';
import { deadLettersCommand, deliveriesCommand } from './commands/dead-letters.js';
import { xrefsCommand } from './commands/xrefs.js';
import { keysCommand } from './commands/keys.js';
import { auditCommand, exceptionsCommand } from './commands/exceptions.js';
import { slaCommand } from './commands/sla.js';

export interface CliOptions {
  /** What `start` adds to the hub from outside src/ (bin/crossdock.js hands in the demo network). */
  extensions?: ExtensionsFor;
}

function usage(COMMANDS: Command[]): string {
  return [
    'Usage: crossdock <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(14)}${c.summary}`),
    '',
    'Run `crossdock <command> --help` for its options.',
  ].join('\n');
}

export async function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  const COMMANDS: Command[] = [
    startCommand(options.extensions),
    ingestCommand,
    availabilityCommand,
    replayCommand,
    mappingsCommand,
    deadLettersCommand,
    deliveriesCommand,
    xrefsCommand,
    keysCommand,
    exceptionsCommand,
    auditCommand,
    slaCommand,
  ];
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(COMMANDS));
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`crossdock: unknown command '${name}'\n\n${usage(COMMANDS)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`crossdock ${command.name} ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliUsageError) {
      console.error(`crossdock ${command.name}: ${err.message}\nUsage: crossdock ${command.name} ${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(`crossdock: configuration error: ${err.message}`);
      return 78;
    }
    const noHub = unreachable(err);
    if (noHub) {
      console.error(`crossdock ${command.name}: ${noHub.message}`);
      return 69; // EX_UNAVAILABLE: nothing wrong with the command, the hub is not there
    }
    console.error(`crossdock ${command.name}: ${(err as Error).message}`);
    return 1;
  }
}
