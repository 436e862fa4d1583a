/**
 * `crossdock dead-letters list|show|retry|retry-all|discard` and `crossdock deliveries replay`:
 * the delivery operations of the API, for a person at a terminal.
 */
import { parseArgs } from 'node:util';
import { CliUsageError, callHub, type Command } from '../command.js';

const call = callHub;

const options = {
  url: { type: 'string' },
  key: { type: 'string' },
  destination: { type: 'string' },
  reason: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  summary: 'List, show, retry (one or all) or discard messages the hub gave up delivering.',
  usage: 'list [--destination ID] | show ID | retry ID | retry-all [--destination ID] | discard ID --reason TEXT',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
    const [verb, id] = positionals;
    switch (verb) {
      case 'list': {
        const { deadLetters } = await call(
          'GET',
          `/v1/dead-letters${values.destination ? `?destination=${encodeURIComponent(values.destination)}` : ''}`,
          values,
        );
        if (deadLetters.length === 0) console.log('no dead letters');
        for (const d of deadLetters) console.log(`${d.id}\t${d.destination}\t${d.message.topic}\t${d.message.key}\t${d.attempts} attempts\t${d.lastError}`);
        return 0;
      }
      case 'show':
        if (!id) break;
        console.log(JSON.stringify(await call('GET', `/v1/dead-letters/${id}`, values), null, 2));
        return 0;
      case 'retry':
        if (!id) break;
        console.log(`dead letter ${id} is ${(await call('POST', `/v1/dead-letters/${id}/retry`, values)).status}`);
        return 0;
      case 'retry-all':
        console.log(`${(await call('POST', '/v1/dead-letters/retry', values, values.destination ? { destination: values.destination } : {})).queued} queued`);
        return 0;
      case 'discard':
        if (!id || !values.reason) throw new CliUsageError('discard needs the id and --reason');
        console.log(`dead letter ${id} is ${(await call('POST', `/v1/dead-letters/${id}/discard`, values, { reason: values.reason })).status}`);
        return 0;
    }
    throw new CliUsageError(`say one of: ${deadLettersCommand.usage}`);
  },
};

export const deliveriesCommand: Command = {
  name: 'deliveries',
  summary: "Show each destination's delivery state, or replay a time range to one destination.",
  usage: 'status | replay DESTINATION --from ISO --to ISO',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
    const [verb, destination] = positionals;
    if (verb === 'status') {
      for (const d of (await call('GET', '/v1/deliveries', values)).destinations)
        console.log(`${d.destination}\tcircuit ${d.circuit}\t${d.deliveredMessages} delivered\t${d.coalescedChanges} coalesced`);
      return 0;
    }
    if (verb === 'replay' && destination && values.from && values.to) {
      console.log(
        `${(await call('POST', `/v1/deliveries/${encodeURIComponent(destination)}/replay`, values, { from: values.from, to: values.to })).queued} messages queued for ${destination}`,
      );
      return 0;
    }
    throw new CliUsageError(`say one of: ${deliveriesCommand.usage}`);
  },
};
